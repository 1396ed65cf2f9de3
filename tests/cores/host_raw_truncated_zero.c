/* Not a fault of the core (issue 14 is about the host): the payload starts
 * with the decoded length, and a payload that decodes to less (truncated)
 * gets the specification's failure answer, 0 and NULL. A host that takes 0
 * for "empty output" (h4 decompress --raw today) reports success. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(4 + in_len * 2 + 1);
    if (!out) return 0;
    put_le32(out, (uint32_t)in_len);
    size_t n = rle_encode(in_ptr, in_len, out + 4);
    *out_ptr = out;
    return 4 + n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < 4) return 0;
    size_t raw_len = get_le32(in);
    unsigned char *out = core_alloc(raw_len);
    if (!out) return 0;
    if (rle_decode_into(in + 4, in_len - 4, out, raw_len) != raw_len ||
        rle_decoded_len(in + 4, in_len - 4) != raw_len) {
        h4_free(out); /* truncated or corrupt: the failure signal */
        return 0;
    }
    *out_ptr = out;
    return raw_len;
}
