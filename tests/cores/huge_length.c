/* Returns a tiny buffer with an absurd length: h4 must not read it. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    (void)in_ptr; (void)in_len; *out_ptr = core_alloc(8); return (size_t)1 << 50;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    (void)in_ptr; (void)in_len; *out_ptr = core_alloc(8); return (size_t)1 << 50;
}
