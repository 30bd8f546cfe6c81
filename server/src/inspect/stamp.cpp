#include "inspect/stamp.h"

#include <cstdio>

namespace dlc::inspect {

Stamp Stamp::of(const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return {};
  auto u = [](auto v) { return static_cast<unsigned long long>(v); };
  return {u(st.st_size), u(st.st_mtim.tv_sec), u(st.st_mtim.tv_nsec), u(st.st_ctim.tv_sec), u(st.st_ctim.tv_nsec), u(st.st_ino), true};
}

Stamp Stamp::of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? of(st) : Stamp{};
}

std::string_view Stamp::text(char (&buf)[128]) const {
  int n = std::snprintf(buf, sizeof buf, "%llx:%llx.%llx:%llx.%llx:%llx", size, mtime, mtime_ns, ctime, ctime_ns, ino);
  return {buf, static_cast<std::size_t>(n)};
}

}  // namespace dlc::inspect
