/* Fault (determinism): a "text mode" (shorter runs, as text rarely repeats
 * a byte long) switched on when the user's locale is UTF-8, read from
 * LC_ALL, LC_CTYPE or LANG the POSIX way. Lossless either way, but the
 * bytes depend on the user's locale. */
#include "common.h"

static int utf8_locale(void) {
    const char *names[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        if (v && *v) return strstr(v, "UTF-8") || strstr(v, "utf8");
    }
    return 0;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return compress_cap(in_ptr, in_len, out_ptr, utf8_locale() ? 64 : 255);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
