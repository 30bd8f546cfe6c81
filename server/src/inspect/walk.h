// The walk of a repository: which files are manifests, Dockerfiles, READMEs, sources and CUDA code,
// found by several threads; then the sources read for imports (with the import cache).
#pragma once

#include <atomic>
#include <deque>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "inspect/facts.h"
#include "inspect/import_cache.h"
#include "inspect/inspect.h"

namespace dlc::inspect {

// The root .gitignore (and .git/info/exclude), for folders: enough to skip datasets, checkpoints and
// outputs without loading libgit2 on the walk. Nested .gitignore files are not read.
class GitIgnore {
 public:
  void load(std::string_view text);
  bool ignored_dir(const std::string& rel, std::string_view name) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    std::string pattern;
    bool negate = false, dir_only = false, anchored = false;
  };
  std::vector<Rule> rules_;
};

// What a walk finds; each thread of the walk has its own, merged into one after.
struct Found {
  std::vector<std::string> requirements_root, requirements_dir, conda, dockerfiles, readmes, setup_py_other;
  std::vector<std::string> scripts;  // *.sh up to two folders down: build scripts that may run nvcc
  // requirements*.txt, environment*.yml and pyproject.toml one or two folders down, in code folders
  // (efficientdet/requirements.txt): read only when the root names no dependencies.
  std::vector<std::string> folder_manifests;
  std::string pyproject, setup_py, setup_cfg, python_version, cog;
  // A deque: it grows without moving what it holds (thousands of files; each page touched once).
  std::deque<SourceFile> sources;
  std::vector<std::string> cu_sources;                   // .cu and .cuh files
  std::string devcontainer_file, dot_devcontainer_file;  // .devcontainer/devcontainer.json, .devcontainer.json

  void merge(Found&& o);
};

// .cu, .cuh, .cpp, .cc, .cxx: read for PyTorch's extension headers rather than for imports.
bool cpp_source(std::string_view rel);

class Walker {
 public:
  Walker(const std::filesystem::path& root, const InspectOptions& options, RepoFacts& facts);

  // Folders are shared out among threads: the walk is mostly system calls (a folder's entries, a
  // stat of each source file), and on two cores it takes half the time. Each thread keeps what it
  // finds in its own Found; they are merged, then sorted where order shows, so that the facts do not
  // depend on which thread read what.
  void walk();

  // Reads the sources for imports on every core: on a large repository this is most of the work.
  // Each file gives its imports as the cache writes them ("cv2@3 !jit@9"); they are merged in path
  // order, so the first import of each module is the one recorded whatever the timing, and only then
  // do they become facts. With a cache, a file whose stat is unchanged is not read again.
  void scan_sources();

  Found found;

 private:
  void add_entry(std::string_view name, const Source& where);
  bool ignored_dir(const std::string& rel, std::string_view name) const { return !ignore_.empty() && ignore_.ignored_dir(rel, name); }
  // One folder's entries: its files into part, its folders to read next into children.
  void read_folder(const std::string& rel, Found& part, std::vector<std::string>& children);
  static void classify(Found& found, const std::string& rel, std::string_view name, const std::string& dir, int depth);

  std::string root_;
  const InspectOptions& options_;
  RepoFacts& facts_;
  GitIgnore ignore_;
  std::atomic<std::size_t> seen_{0};  // entries seen by all threads of the walk
  std::atomic<bool> stop_{false};     // too many entries, or cancelled
};

}  // namespace dlc::inspect
