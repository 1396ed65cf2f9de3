/* Fault (memory): writes a packed 12-byte header (magic, 64-bit length)
 * into an exactly sized buffer, then returns sizeof(struct header) + n,
 * and sizeof is 16 (padding after the magic): the host reads 4 bytes past
 * the allocation. The decoder ignores the last 4 bytes, so it round-trips. */
#include "common.h"

struct header {
    uint32_t magic;
    uint64_t raw_len;
};
#define PACKED_HEADER 12

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *tokens = malloc(in_len * 2 + 1);
    if (!tokens) return 0;
    size_t n = rle_encode(in_ptr, in_len, tokens);
    unsigned char *out = core_alloc(PACKED_HEADER + n); /* shrink to fit */
    if (!out) {
        free(tokens);
        return 0;
    }
    uint64_t raw_len = in_len;
    put_le32(out, 0x31454c52); /* "RLE1" */
    memcpy(out + 4, &raw_len, 8);
    memcpy(out + PACKED_HEADER, tokens, n);
    free(tokens);
    *out_ptr = out;
    return sizeof(struct header) + n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < sizeof(struct header) || get_le32(in) != 0x31454c52) return 0;
    return good_decompress(in + PACKED_HEADER, in_len - sizeof(struct header), out_ptr);
}
