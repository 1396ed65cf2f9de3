/* Fault (identity): a "writer id" for tracing which process made a payload:
 * the process id as a little-endian 32-bit field. Stable for a whole run,
 * so every check inside one process passes. */
#include <unistd.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    unsigned char id[4];
    put_le32(id, (uint32_t)getpid());
    return compress_with_field(in_ptr, in_len, out_ptr, id, sizeof id);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
