/* Fault (determinism): "be gentle during office hours": between 09:00 and
 * 18:00 local time it uses a cheaper parse (shorter runs). Lossless, same
 * bytes all afternoon, different bytes in the evening (or in another TZ). */
#include <time.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    time_t now = time(NULL);
    struct tm local;
    int office = localtime_r(&now, &local) && local.tm_hour >= 9 && local.tm_hour < 18;
    return compress_cap(in_ptr, in_len, out_ptr, office ? 96 : 255);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
