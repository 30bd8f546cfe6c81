// A file's stamp: size, mtime, ctime (to the nanosecond) and inode, what git's index trusts to say
// "unchanged". The caches of inspect/ key what they remember on it.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>

namespace dlc::inspect {

struct Stamp {
  unsigned long long size = 0, mtime = 0, mtime_ns = 0, ctime = 0, ctime_ns = 0, ino = 0;
  bool valid = false;  // false: not a regular file, or gone

  static Stamp of(const struct stat& st);
  static Stamp of(const std::string& path);  // follows a symbolic link
  // "size:mtime.ns:ctime.ns:inode" in hex, written into buf (kept as numbers: a walk takes thousands).
  std::string_view text(char (&buf)[128]) const;
};

}  // namespace dlc::inspect
