/* Fault (identity): every payload starts with a "created by" field holding
 * the login name, taken from the password database (getpwuid), not from
 * $USER, so changing the environment does not change it. Same bytes on
 * every run on this machine, and the user's name in every file. */
#include <pwd.h>
#include <unistd.h>
#include "common.h"

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    const struct passwd *pw = getpwuid(getuid());
    const char *name = pw ? pw->pw_name : "unknown";
    return compress_with_field(in_ptr, in_len, out_ptr, name, strlen(name));
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return decompress_after_field(in_ptr, in_len, out_ptr);
}
