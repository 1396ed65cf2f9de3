/* Fault (host, issue 14): a teardown from the core's own command-line tool
 * that ends the program with _exit(0) once its caches are written, to skip
 * the slow frees after it. In a host it ends the host when the host
 * unloads the library or exits (the teardown runs in exit), with status 0
 * whatever the host meant: a failed `h4 decompress` reports success.
 * -DCRASH: the teardown reads through a pointer already freed and set to
 * NULL (static objects torn down in the wrong order), and a finished run
 * dies with SIGSEGV. */
#include <stdlib.h>
#include <unistd.h>
#include "common.h"

static size_t *calls;

__attribute__((constructor)) static void open_cache(void) {
    calls = calloc(1, sizeof *calls);
}

__attribute__((destructor)) static void close_cache(void) {
#ifdef CRASH
    free(calls);
    size_t *volatile gone = NULL;
    calls = gone;
    if (*calls > 0) _exit(3);
#else
    free(calls);
    _exit(EXIT_SUCCESS);
#endif
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    if (calls) ++*calls;
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    if (calls) ++*calls;
    return good_decompress(in_ptr, in_len, out_ptr);
}
