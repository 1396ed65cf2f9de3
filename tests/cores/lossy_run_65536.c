/* Fault (losslessness): 16-bit run counts, and the split of long runs says
 * `run > 65536` where it means `run > 65535`: a run (or the rest of one) of
 * exactly 65536 bytes is written with count 0 and vanishes, and the
 * decoder, which checks the total against the header, rejects the payload. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    unsigned char *out = core_alloc(8 + in_len * 3 + 1);
    if (!out) return 0;
    uint64_t raw_len = in_len;
    memcpy(out, &raw_len, 8);
    size_t o = 8;
    for (size_t i = 0; i < in_len;) {
        size_t run = 1;
        while (i + run < in_len && in[i + run] == in[i]) run++;
        unsigned char byte = in[i];
        i += run;
        while (run > 0) {
            size_t chunk = run > 65536 ? 65535 : run;
            out[o++] = (unsigned char)chunk;
            out[o++] = (unsigned char)(chunk >> 8);
            out[o++] = byte;
            run -= chunk;
        }
    }
    *out_ptr = out;
    return o;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    uint64_t raw_len;
    if (in_len < 8 || (in_len - 8) % 3) return 0;
    memcpy(&raw_len, in, 8);
    uint64_t total = 0;
    for (size_t i = 8; i < in_len; i += 3) total += in[i] | (size_t)in[i + 1] << 8;
    if (total != raw_len) return 0;
    unsigned char *out = core_alloc(total);
    if (!out) return 0;
    size_t o = 0;
    for (size_t i = 8; i < in_len; i += 3) {
        size_t run = in[i] | (size_t)in[i + 1] << 8;
        memset(out + o, in[i + 2], run);
        o += run;
    }
    *out_ptr = out;
    return o;
}
