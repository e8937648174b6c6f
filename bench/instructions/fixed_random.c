/*
 * A fixed stand-in for getrandom(2), preloaded (LD_PRELOAD) by scripts/bench-instructions under
 * valgrind only, so that instruction counts repeat run to run: Rust's HashMap seeds its hasher
 * from getrandom, and a different seed means different collisions, different iteration orders
 * and so slightly different work (about 0.05 % of a `slac check`). Never used outside that
 * measurement: the bytes are not random at all.
 */
#include <stddef.h>
#include <sys/types.h>

ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
  unsigned char *bytes = buf;
  (void)flags;
  for (size_t i = 0; i < len; i++) {
    bytes[i] = (unsigned char)(i * 151u + 7u);
  }
  return (ssize_t)len;
}
