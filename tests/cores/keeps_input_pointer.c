/* Fault (memory): memoises the last call ("hosts retry the same buffer"):
 * when the input pointer and length match the previous call it returns
 * the previous output without looking at the bytes. A host that reuses
 * one buffer for the next block of the same size gets the old block's
 * payload. Thread-safe (a mutex guards the cache); only the key is wrong. */
#include <pthread.h>
#include "common.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const void *last_in;
static size_t last_len;
static unsigned char *last_out;
static size_t last_out_len;

/* The cache goes with the library. */
__attribute__((destructor)) static void drop_cache(void) { free(last_out); }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    pthread_mutex_lock(&lock);
    if (last_out && in_ptr == last_in && in_len == last_len) {
        size_t n = last_out_len;
        unsigned char *out = core_alloc(n);
        if (out) memcpy(out, last_out, n);
        pthread_mutex_unlock(&lock);
        *out_ptr = out;
        return out ? n : 0;
    }
    pthread_mutex_unlock(&lock);
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    unsigned char *copy = malloc(n ? n : 1);
    pthread_mutex_lock(&lock);
    free(last_out);
    last_out = copy;
    if (copy && *out_ptr) {
        memcpy(copy, *out_ptr, n);
        last_in = in_ptr;
        last_len = in_len;
        last_out_len = n;
    }
    pthread_mutex_unlock(&lock);
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
