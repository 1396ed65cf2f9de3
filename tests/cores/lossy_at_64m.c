/* Fault (losslessness): a 32-bit header of 6 flag bits and a 26-bit length,
 * because "h4 never sends more than 64 MiB". 64 MiB is 2^26, one more than
 * 26 bits hold: a full 64 MiB block (-B 64M) decodes to nothing, and
 * --raw inputs of 64 MiB or more are cut. */
#include "common.h"

#define LENGTH_BITS 26
#define LENGTH_MASK ((1u << LENGTH_BITS) - 1)

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(4 + in_len * 2 + 1);
    if (!out) return 0;
    put_le32(out, 1u << LENGTH_BITS | ((uint32_t)in_len & LENGTH_MASK));
    size_t n = rle_encode(in_ptr, in_len, out + 4);
    *out_ptr = out;
    return 4 + n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < 4) return 0;
    size_t raw_len = get_le32(in) & LENGTH_MASK;
    unsigned char *out = core_alloc(raw_len);
    if (!out) return 0;
    *out_ptr = out;
    return rle_decode_into(in + 4, in_len - 4, out, raw_len);
}
