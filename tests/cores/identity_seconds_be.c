/* Fault (identity): an mtime-like field, seconds since the epoch as a
 * big-endian 32-bit number (as gzip and zip headers do, but without the
 * option to leave it out). */
#include <time.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    unsigned char stamp[4];
    put_be32(stamp, (uint32_t)time(NULL));
    return compress_with_field(in_ptr, in_len, out_ptr, stamp, sizeof stamp);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
