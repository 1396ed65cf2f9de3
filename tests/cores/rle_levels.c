/* A good core with levels (issue 16): the RLE of common.h with runs cut at
 * 10 x the level, levels 1 to 25 (level 25: runs up to 250); without a
 * level, runs up to 255. Every level decodes with the same decoder. */
#include <stdint.h>

#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

void h4_core_level_range_v1(int32_t *low, int32_t *high) {
    *low = 1;
    *high = 25;
}

size_t h4_compress_level_v1(const void *in_ptr, size_t in_len, void **out_ptr, int32_t level) {
    *out_ptr = NULL;
    if (level < 1 || level > 25) return 0;
    return compress_cap(in_ptr, in_len, out_ptr, 10 * (unsigned)level);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
