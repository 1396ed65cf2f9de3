/* Fault (determinism): a tuning knob read from the environment, like
 * ZSTD_CLEVEL: H4CORE_LEVEL=1..9 picks the run cap. Handy for its author,
 * but the same input gives different bytes for anyone who has it set, and
 * nobody who tests without it ever sees a difference. */
#include "common.h"

static unsigned level_cap(void) {
    const char *level = getenv("H4CORE_LEVEL");
    if (!level || *level < '1' || *level > '9') return 255;
    return 15 + 26u * (unsigned)(*level - '0'); /* 41 .. 249 */
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return compress_cap(in_ptr, in_len, out_ptr, level_cap());
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
