/* Fault (identity): an "origin" field with the host name, for debugging
 * where a payload was made. Deterministic on one machine; names the
 * machine in every payload. */
#include <unistd.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    return compress_with_field(in_ptr, in_len, out_ptr, host, strlen(host));
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
