/* Fault (host, issue 14): decodes in place "to save a copy": after decoding
 * it overwrites the payload it was given (casting away const) with a
 * marker. A host that writes the payload after its round-trip check would
 * write the marker instead of the payload. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_decompress(in_ptr, in_len, out_ptr);
    memset((void *)in_ptr, 0xA5, in_len);
    return n;
}
