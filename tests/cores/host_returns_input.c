/* Fault (host, issue 14): "stores" a block it cannot shrink by handing
 * back the input pointer itself as its output, and its h4_free frees
 * whatever it is given. A host that passes that pointer to h4_free frees
 * its own buffer (a crash, or memory used twice). */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    if (*out_ptr && n >= in_len) {
        h4_free(*out_ptr);
        *out_ptr = (void *)in_ptr;
        return in_len;
    }
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
