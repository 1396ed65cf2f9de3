/* Fault (memory): the payload is rounded up to a multiple of 8 bytes "so
 * the decoder can read whole words", but the padding is never written:
 * up to 7 bytes at the end of each output are left over from the heap.
 * The decoder reads the token length from the header and ignores them. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(4 + in_len * 2 + 8);
    if (!out) return 0;
    size_t n = rle_encode(in_ptr, in_len, out + 4);
    put_le32(out, (uint32_t)n);
    *out_ptr = out;
    return (4 + n + 7) & ~(size_t)7;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < 4 || get_le32(in) > in_len - 4) return 0;
    return good_decompress(in + 4, get_le32(in), out_ptr);
}
