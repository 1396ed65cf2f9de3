/* Fault (determinism): the parse is seeded from the user's name ($USER,
 * else $LOGNAME) "so two users' shared caches never collide". Nothing of
 * the name is written, only a run cap derived from it, so scanning outputs
 * for the name finds nothing; another user gets other bytes. */
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    const char *user = getenv("USER");
    if (!user) user = getenv("LOGNAME");
    return compress_cap(in_ptr, in_len, out_ptr, 128 + fnv1a(user) % 128);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
