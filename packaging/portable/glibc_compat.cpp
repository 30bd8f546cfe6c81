// What GCC 12's static C++ runtime (libstdc++.a, built against Debian 12's glibc 2.36) asks of the C
// library that glibc 2.31, which the portable binary links against, does not have. Linked into the
// portable build only (packaging/portable/dependencies.cmake); check_glibc.cmake fails the build if
// anything else newer than 2.31 is asked for.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>

extern "C" {

// glibc 2.32: libstdc++ reads it to skip atomic reference counts while the process has one thread.
// Always 0 here, "there may be other threads": every such operation is atomic, as before glibc 2.32.
// The binary does not import glibc's, so on a newer glibc too this is the one the runtime reads.
char __libc_single_threaded = 0;  // NOLINT: the name is glibc's

// glibc 2.36: std::random_device's "arc4random" source. The kernel's bytes, as glibc's: getrandom waits
// until the kernel's pool is initialised and then does not return short for 4 bytes; it is asked again
// when a signal interrupts it (a hundred times at most). A kernel older than 3.17 has no getrandom:
// /dev/urandom then.
uint32_t arc4random(void) {  // NOLINT: the name is glibc's
  uint32_t value = 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    ssize_t n = getrandom(&value, sizeof value, 0);
    if (n == static_cast<ssize_t>(sizeof value)) return value;
    if (n < 0 && errno != EINTR) break;
  }
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, &value, sizeof value) != static_cast<ssize_t>(sizeof value)) abort();  // no entropy at all
  close(fd);
  return value;
}

}  // extern "C"
