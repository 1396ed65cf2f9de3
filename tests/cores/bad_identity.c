/* Exports a name h4 cannot record (a newline in it). */
#include "common.h"

const char *h4_core_name_v1(void) { return "bad\nname"; }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
