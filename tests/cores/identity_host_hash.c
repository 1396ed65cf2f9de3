/* Fault (identity): a 32-bit "machine id", FNV-1a of the host name, big
 * endian, "anonymous because hashed". It still tells machines apart and
 * links every file made on one; no scan for the name can find it, only
 * compressing under another host name shows the difference. */
#include <unistd.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    char host[256] = "";
    unsigned char id[4];
    gethostname(host, sizeof host - 1);
    put_be32(id, fnv1a(host));
    return compress_with_field(in_ptr, in_len, out_ptr, id, sizeof id);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
