/* Correct output, but h4_free never frees anything. */
#define CUSTOM_FREE
#include "common.h"

void h4_free(void *p) { (void)p; }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
