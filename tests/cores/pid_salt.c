/* Fault (determinism): the run cap, a parsing choice, is salted with the
 * process id at load "so no input can be crafted against one fixed parse".
 * Every process makes valid, lossless, but different bytes; within one
 * process the output never changes, so a one-process test passes. */
#include <unistd.h>
#include "common.h"

static unsigned cap = 255;

__attribute__((constructor)) static void salt(void) { cap = 128 + (unsigned)getpid() % 128; }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return compress_cap(in_ptr, in_len, out_ptr, cap);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
