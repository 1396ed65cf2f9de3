/* Fault (host, issue 14): a worker thread started at load, and a teardown
 * that joins it without first telling it to stop: the worker waits for a
 * job that never comes, the join for the worker. The classic hang of a
 * static thread pool at exit. As soon as its host unloads the library, or
 * exits (the teardown runs in exit), the host hangs: a finished
 * `h4 compress` never ends, nor does one stopped by Ctrl-C. */
#include <pthread.h>
#include "common.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_ready = PTHREAD_COND_INITIALIZER;
static int jobs;
static pthread_t worker;
static int started;

static void *work(void *unused) {
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (jobs == 0) pthread_cond_wait(&job_ready, &lock);
        jobs--;
    }
    return NULL;
}

__attribute__((constructor)) static void start_pool(void) {
    started = pthread_create(&worker, NULL, work, NULL) == 0;
}

__attribute__((destructor)) static void stop_pool(void) {
    if (started) pthread_join(worker, NULL); /* never told to stop */
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
