/* Fault (hygiene): on the first call it moves to $TMPDIR (or /tmp) where an
 * earlier version kept scratch files; the scratch files were removed, the
 * chdir stayed. The host's relative paths now point elsewhere. */
#include <pthread.h>
#include <unistd.h>
#include "common.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void enter_scratch(void) {
    const char *tmp = getenv("TMPDIR");
    if (chdir(tmp && *tmp ? tmp : "/tmp") != 0) return;
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    pthread_once(&once, enter_scratch);
    return good_compress(in_ptr, in_len, out_ptr);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
