/* Fault (losslessness): asks h4 for 4 MiB blocks and stores the decoded
 * length in 22 bits ("blocks are at most 4 MiB"), but 4 MiB is 2^22: every
 * full block, the usual case in a big file, decodes to nothing. A corpus
 * whose inputs stop below 4 MiB never sees it. */
#include "common.h"

#define BLOCK (4u << 20)
#define LENGTH_MASK (BLOCK - 1)

uint32_t h4_core_block_size_v1(void) { return BLOCK; }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(4 + in_len * 2 + 1);
    if (!out) return 0;
    put_le32(out, (uint32_t)in_len & LENGTH_MASK);
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
