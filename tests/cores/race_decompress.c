/* Fault (thread-safety): decompress decodes into a static 4 MiB scratch
 * buffer "to spare a big allocation", then copies the result out, with no
 * lock. Compression is thread-safe, so a check that only runs compressions
 * concurrently passes; concurrent decompressions mix each other's bytes. */
#include "common.h"

static unsigned char scratch[4 << 20];

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    if (in_len % 2) return 0;
    size_t n = rle_decoded_len(in_ptr, in_len);
    if (n > sizeof scratch) return good_decompress(in_ptr, in_len, out_ptr);
    rle_decode(in_ptr, in_len, scratch);
    unsigned char *out = core_alloc(n);
    if (!out) return 0;
    memcpy(out, scratch, n);
    *out_ptr = out;
    return n;
}
