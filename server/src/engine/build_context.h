// Tar archives for the engine: a build context streamed from a folder, and small archives made in memory.
#pragma once

#include <filesystem>
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
