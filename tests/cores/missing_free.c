/* Exports h4_compress and h4_decompress but not h4_free. */
#include <stddef.h>

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    (void)in_ptr; (void)in_len; *out_ptr = NULL; return 0;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    (void)in_ptr; (void)in_len; *out_ptr = NULL; return 0;
}
