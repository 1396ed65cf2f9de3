/* Fault (determinism): the header records the format's epoch (2020-01-01)
 * as seconds since 1970, computed with mktime(), which reads the local
 * time zone (TZ), instead of timegm(). Deterministic on the author's
 * machine, different under another TZ. */
#include <time.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    struct tm epoch = {.tm_year = 120, .tm_mon = 0, .tm_mday = 1, .tm_isdst = 0};
    unsigned char field[4];
    put_le32(field, (uint32_t)mktime(&epoch));
    return compress_with_field(in_ptr, in_len, out_ptr, field, sizeof field);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
