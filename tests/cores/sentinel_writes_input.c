/* Fault (memory): the classic sentinel trick: it casts away const, stores
 * a byte that ends every run at the input's last position so the scan
 * loop needs no bounds check, and puts the original byte back afterwards.
 * The input looks untouched after the call; a read-only or shared input
 * (a mapped file, another thread reading it) shows the write. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    if (in_len < 2) return good_compress(in_ptr, in_len, out_ptr);
    *out_ptr = NULL;
    unsigned char *in = (unsigned char *)in_ptr;
    unsigned char *out = core_alloc(in_len * 2 + 1);
    if (!out) return 0;
    size_t last = in_len - 1, o = 0;
    unsigned char saved = in[last];
    in[last] = (unsigned char)~in[last - 1]; /* no run reaches past it */
    for (size_t i = 0; i < last;) {
        size_t run = 1;
        while (in[i + run] == in[i] && run < 255) run++;
        out[o++] = (unsigned char)run;
        out[o++] = in[i];
        i += run;
    }
    in[last] = saved;
    out[o++] = 1;
    out[o++] = saved;
    *out_ptr = out;
    return o;
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
