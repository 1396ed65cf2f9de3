/* Correct, except that h4_free(NULL) aborts instead of doing nothing. */
#define CUSTOM_FREE
#include "common.h"

void h4_free(void *p) {
    if (!p) abort();
    __atomic_sub_fetch(&live_buffers, 1, __ATOMIC_SEQ_CST);
    free(p);
    report_leaks();
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
