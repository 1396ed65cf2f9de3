/* Claims output but leaves *out_ptr NULL. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    (void)in_ptr; *out_ptr = NULL; return in_len / 2 + 1;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    (void)in_ptr; *out_ptr = NULL; return in_len * 2;
}
