/* Fault (determinism): the parse seed rotates daily ("so an attacker
 * cannot tune inputs against it for long"): the run cap comes from the
 * number of days since the epoch. Identical bytes all day, different
 * bytes tomorrow; nothing of the date is written. */
#include <time.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    unsigned days = (unsigned)(time(NULL) / 86400);
    return compress_cap(in_ptr, in_len, out_ptr, 128 + (days * 37u) % 128);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
