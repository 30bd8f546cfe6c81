// Tar archives for the engine: a build context streamed from a folder, and small archives made in memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/http.h"

namespace dlc::engine {

struct ArchiveFile {
  std::string path;  // relative, '/'-separated
  std::string content;
  int mode = 0644;
};

// A build context: every file under root that .dockerignore does not exclude, plus `extra` files
// (a generated Dockerfile) that replace any file of the same path. Streamed as it is read.
BodyProducer folder_context(std::filesystem::path root, std::vector<ArchiveFile> extra = {});

// A whole folder as a tar archive, every file owned by uid:gid (a workspace copied into a volume, for
// the user the container maps to). Streamed as it is read; links are kept as links.
BodyProducer folder_archive(std::filesystem::path root, unsigned uid, unsigned gid);

// A tar archive of the given files, in memory (for put_archive).
std::string tar_files(const std::vector<ArchiveFile>& files);

// .dockerignore patterns (Go filepath.Match syntax plus `**`, with `!` exceptions).
class IgnoreRules {
 public:
  explicit IgnoreRules(std::string_view dockerignore_text);
  bool excluded(std::string_view relative_path) const;
  bool has_exceptions() const { return has_exceptions_; }

 private:
  struct Rule {
    std::string pattern;
    bool exception;
  };
  std::vector<Rule> rules_;
  bool has_exceptions_ = false;
};

// Go's filepath.Match on '/'-separated paths, plus `**` for any number of path segments.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace dlc::engine
