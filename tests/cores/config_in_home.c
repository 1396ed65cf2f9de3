/* Fault (determinism): reads its run cap from ~/.config/h4core.conf at
 * load, if the file exists. On a clean machine it never does, so every
 * test passes; on the author's (or a user's) machine the same input gives
 * other bytes. */
#include "common.h"

static unsigned cap = 255;

__attribute__((constructor)) static void read_config(void) {
    const char *home = getenv("HOME");
    char path[4096];
    if (!home || snprintf(path, sizeof path, "%s/.config/h4core.conf", home) >= (int)sizeof path)
        return;
    FILE *f = fopen(path, "r");
    if (!f) return;
    unsigned value;
    if (fscanf(f, "%u", &value) == 1 && value >= 1 && value <= 255) cap = value;
    fclose(f);
}

size_t h4_compress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return compress_cap(in_ptr, in_len, out_ptr, cap);
}

size_t h4_decompress(const void *in_ptr, size_t in_len, void **out_ptr) {
    return good_decompress(in_ptr, in_len, out_ptr);
}
