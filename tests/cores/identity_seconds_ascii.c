/* Fault (identity): a creation time, as decimal seconds since the epoch in
 * ASCII ("t=1767225600"). Changes once a second, so repeated calls agree
 * unless a second boundary falls between them. */
#include <time.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    char stamp[32];
    int n = snprintf(stamp, sizeof stamp, "t=%lld", (long long)time(NULL));
    return compress_with_field(in_ptr, in_len, out_ptr, stamp, n > 0 ? (size_t)n : 0);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
