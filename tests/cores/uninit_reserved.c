/* Fault (memory): a 24-byte header whose last field, "reserved for future
 * use", is never written, so 4 bytes of each output are whatever the heap
 * held. Fresh or recycled-by-itself memory makes them look stable; another
 * heap state (MALLOC_PERTURB_, other allocations) changes the bytes. */
#include "common.h"

struct header {
    char magic[4];
    uint32_t version;
    uint64_t raw_len;
    uint32_t flags;
    uint32_t reserved;
};

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    unsigned char *out = core_alloc(sizeof(struct header) + in_len * 2 + 1);
    if (!out) return 0;
    struct header *h = (struct header *)out;
    memcpy(h->magic, "RLE1", 4);
    h->version = 1;
    h->raw_len = in_len;
    h->flags = 0;
    size_t n = rle_encode(in_ptr, in_len, out + sizeof *h);
    *out_ptr = out;
    return sizeof *h + n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < sizeof(struct header) || memcmp(in, "RLE1", 4)) return 0;
    return good_decompress(in + sizeof(struct header), in_len - sizeof(struct header), out_ptr);
}
