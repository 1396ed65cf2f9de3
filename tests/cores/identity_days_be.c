/* Fault (identity): a build-of-the-day stamp, days since the epoch as a
 * big-endian 16-bit number. Changes once a day, so every test run agrees
 * with itself; still dates every payload. */
#include <time.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    unsigned days = (unsigned)(time(NULL) / 86400);
    unsigned char stamp[2] = {(unsigned char)(days >> 8), (unsigned char)days};
    return compress_with_field(in_ptr, in_len, out_ptr, stamp, sizeof stamp);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
