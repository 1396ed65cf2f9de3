/* Fault (identity): a coarse creation time, "only the hour, so it is not
 * identifying": hours since the epoch, little-endian 32-bit. Identical
 * bytes for up to an hour, so a verifier's repeated calls agree. */
#include <time.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    unsigned char stamp[4];
    put_le32(stamp, (uint32_t)(time(NULL) / 3600));
    return compress_with_field(in_ptr, in_len, out_ptr, stamp, sizeof stamp);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
