/* XORs every byte with KEY after RLE; built twice with different keys
 * but the same name, to stand for a wrong core that claims the right name. */
#include "common.h"

#ifndef KEY
#define KEY 0x55
#endif

const char *h4_core_name_v1(void) { return "xor"; }
const char *h4_core_version_v1(void) { return "test"; }
unsigned h4_core_abi_version_v1(void) { return 1; }

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_compress(in_ptr, in_len, out_ptr);
    unsigned char *out = *out_ptr;
    for (size_t i = 1; out && i < n; i += 2) out[i] ^= KEY;
    return n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    size_t n = good_decompress(in_ptr, in_len, out_ptr);
    unsigned char *out = *out_ptr;
    for (size_t i = 0; out && i < n; i++) out[i] ^= KEY;
    return n;
}
