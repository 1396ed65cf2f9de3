/* Fault (thread-safety): a CRC-32 table built on first use, with the
 * "ready" flag set before the table is filled ("so no other call builds it
 * twice"). Only calls that overlap the very first one in a process can see
 * a half-built table, and then the payload's CRC is wrong and it fails to
 * decode. Any serial call first (as in a test) hides it for good. */
#include "common.h"

static uint32_t table[256];
static volatile int table_ready;

static uint32_t crc32(const unsigned char *p, size_t n) {
    if (!table_ready) {
        table_ready = 1;
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    }
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(4 + in_len * 2 + 1);
    if (!out) return 0;
    put_le32(out, crc32(in_ptr, in_len));
    size_t n = rle_encode(in_ptr, in_len, out + 4);
    *out_ptr = out;
    return 4 + n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < 4) return 0;
    size_t n = good_decompress(in + 4, in_len - 4, out_ptr);
    if (*out_ptr && crc32(*out_ptr, n) != get_le32(in)) {
        h4_free(*out_ptr);
        *out_ptr = NULL;
        return 0;
    }
    return n;
}
