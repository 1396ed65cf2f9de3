/* Fault (hygiene): announces itself once, on the first call, on stderr
 * ("h4core 1.2.0 (RLE, built for x86-64)"). Looks harmless, but a library
 * must not write to its host's terminal or logs. */
#include <pthread.h>
#include "common.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void banner(void) { fprintf(stderr, "h4core 1.2.0 (RLE, built for x86-64)\n"); }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    pthread_once(&once, banner);
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    pthread_once(&once, banner);
    return good_decompress(in_ptr, in_len, out_ptr);
}
