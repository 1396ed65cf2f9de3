/* The example C core from the ABI specification's "Example Implementation
 * (C stub)" section, reproduced as a test fixture. Its h4_decompress
 * allocates twice the compressed size, a guess that long runs overrun.
 * (Not project code: it exists to prove `h4 verify` catches the overrun.) */
#include <stdlib.h>
#include <string.h>

size_t h4_compress(const void* in_ptr, size_t in_len, void** out_ptr) {
    if (!in_ptr || !out_ptr) return 0;
    const unsigned char* in = (const unsigned char*)in_ptr;
    unsigned char* out = (unsigned char*)malloc(in_len * 2);
    if (!out) return 0;
    size_t out_idx = 0;
    for (size_t i = 0; i < in_len; i++) {
        out[out_idx++] = in[i];
        size_t run = 1;
        while (i + run < in_len && in[i + run] == in[i] && run < 255) run++;
        out[out_idx++] = (unsigned char)run;
        i += run - 1;
    }
    *out_ptr = out;
    return out_idx;
}

size_t h4_decompress(const void* in_ptr, size_t in_len, void** out_ptr) {
    if (!in_ptr || !out_ptr) return 0;
    const unsigned char* in = (const unsigned char*)in_ptr;
    unsigned char* out = (unsigned char*)malloc(in_len * 2);
    if (!out) return 0;
    size_t out_idx = 0;
    for (size_t i = 0; i < in_len; i += 2) {
        unsigned char val = in[i];
        unsigned char run = in[i + 1];
        for (size_t j = 0; j < run; j++) {
            out[out_idx++] = val;
        }
    }
    *out_ptr = out;
    return out_idx;
}

void h4_free(void* ptr) {
    free(ptr);
}
