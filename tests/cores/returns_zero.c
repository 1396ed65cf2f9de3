/* Fails every call the way the spec says an allocation failure looks:
 * returns 0 (here with a buffer it still expects to be freed). */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    (void)in_ptr; (void)in_len; *out_ptr = core_alloc(16); return 0;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    (void)in_ptr; (void)in_len; *out_ptr = core_alloc(16); return 0;
}
