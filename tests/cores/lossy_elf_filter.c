/* Fault (losslessness): for inputs starting with "\x7fELF" it runs an x86
 * branch filter (call and jmp targets made absolute) before the RLE, but
 * the inverse filter only undoes calls (0xE8), not jumps (0xE9). Only real
 * executables take that path; a corpus without one never does. */
#include "common.h"

static void filter(unsigned char *b, size_t n, int encode) {
    for (size_t i = 0; i + 5 <= n;) {
        if (b[i] == 0xE8 || (encode && b[i] == 0xE9)) {
            uint32_t target = get_le32(b + i + 1);
            put_le32(b + i + 1, encode ? target + (uint32_t)i : target - (uint32_t)i);
            i += 5;
        } else {
            i++;
        }
    }
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    int elf = in_len >= 4 && memcmp(in_ptr, "\x7f" "ELF", 4) == 0;
    unsigned char *copy = malloc(in_len ? in_len : 1);
    unsigned char *out = core_alloc(1 + in_len * 2 + 1);
    if (!copy || !out) {
        free(copy);
        h4_free(out);
        return 0;
    }
    memcpy(copy, in_ptr, in_len);
    if (elf) filter(copy, in_len, 1);
    out[0] = (unsigned char)elf;
    size_t n = rle_encode(copy, in_len, out + 1);
    free(copy);
    *out_ptr = out;
    return 1 + n;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    *out_ptr = NULL;
    const unsigned char *in = in_ptr;
    if (in_len < 1) return 0;
    size_t n = good_decompress(in + 1, in_len - 1, out_ptr);
    if (in[0] && *out_ptr) filter(*out_ptr, n, 0);
    return n;
}
