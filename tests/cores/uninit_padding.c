/* Fault (memory): the header is a C struct copied into the output whole,
 * padding included: the 7 bytes after `kind` and the 6 after `flags` are
 * never set. The header is built in a heap scratch buffer, so the padding
 * carries old heap contents into every payload. */
#include "common.h"

struct header {
    uint8_t kind;
    uint64_t raw_len;
    uint16_t flags;
};

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    struct header *h = malloc(sizeof *h);
    unsigned char *out = core_alloc(sizeof *h + in_len * 2 + 1);
    if (!h || !out) {
        free(h);
        h4_free(out);
        return 0;
    }
    h->kind = 1;
    h->raw_len = in_len;
    h->flags = 0;
    memcpy(out, h, sizeof *h);
    free(h);
    size_t n = rle_encode(in_ptr, in_len, out + sizeof *h);
    *out_ptr = out;
    return sizeof *h + n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < sizeof(struct header) || in[0] != 1) return 0;
    return good_decompress(in + sizeof(struct header), in_len - sizeof(struct header), out_ptr);
}
