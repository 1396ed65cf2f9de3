/* Fault (host, issue 14): a shortcut for all-zero blocks carried over from
 * the command-line tool it came from, where "nothing to do" ended the
 * program with exit(0). In a host it ends the host, successfully, in the
 * middle of a file. */
#include <unistd.h>
#include "common.h"

static int all_zero(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
#ifdef QUICK
    /* The same shortcut written with C11's quick_exit (no atexit handlers). */
    if (in_len >= 4096 && all_zero(in_ptr, in_len)) quick_exit(EXIT_SUCCESS);
#elif defined(RAW)
    /* And with _exit, which runs no handler at all. */
    if (in_len >= 4096 && all_zero(in_ptr, in_len)) _exit(EXIT_SUCCESS);
#else
    if (in_len >= 4096 && all_zero(in_ptr, in_len)) exit(EXIT_SUCCESS); /* sparse: nothing to do */
#endif
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
