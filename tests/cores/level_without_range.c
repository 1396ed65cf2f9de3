/* Fault (host, issue 16): exports h4_compress_level_v1 but not
 * h4_core_level_range_v1, so a host cannot know which levels it takes.
 * Loading it is an error naming the missing symbol. */
#include <stdint.h>

#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_compress_level_v1(const void *in_ptr, size_t in_len, void **out_ptr, int32_t level) {
    return compress_cap(in_ptr, in_len, out_ptr, level > 0 ? (unsigned)level : 1);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
