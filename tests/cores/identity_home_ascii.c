/* Fault (identity): records which dictionary it would use, as a path:
 * "$HOME/.cache/h4core/dict". The dictionary does not even exist; the
 * user's home directory (often their name) goes into every payload. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    char path[256];
    const char *home = getenv("HOME");
    int n = snprintf(path, sizeof path, "%s/.cache/h4core/dict", home ? home : "");
    size_t len = n < 0 ? 0 : (size_t)n < sizeof path ? (size_t)n : sizeof path - 1;
    return compress_with_field(in_ptr, in_len, out_ptr, path, len);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
