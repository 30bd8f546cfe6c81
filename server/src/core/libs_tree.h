// The libraries mirror's files on disk: what is kept of a container folder's archive and where it
// goes, the read-only marks, and the swap that puts a finished mirror in place whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "engine/tar_stream.h"

namespace dlc::core {

// Whether an archive entry's file is one the mirror keeps: Python source, a stub, a py.typed marker.
bool is_source_or_stub(const std::string& name);

// Writes the kept files of container folders' archives under `tree`, each at tree/<container path>,
// until the cap: source and stub files, and hardlinks to kept files. Directories appear as their
// files need them; links (which could point anywhere on the host) and everything else are left out.
class LibsTreeWriter {
 public:
  LibsTreeWriter(std::filesystem::path tree, std::uint64_t max_bytes) : tree_(std::move(tree)), max_bytes_(max_bytes) {}

  // A visitor for the archive of the container folder `root` (entries named from its last
  // component), which passes over anything under `excluded` folders. It stops the archive when the
  // next file would pass the cap.
  engine::TarVisitor visitor(const std::string& root, std::vector<std::string> excluded);

  bool capped() const { return capped_; }
  std::uint64_t files() const { return files_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t links_left_out() const { return links_left_out_; }
  // Called every few hundred files with the running totals.
  std::function<void(std::uint64_t files, std::uint64_t bytes)> on_progress;

 private:
  bool keep(const engine::TarEntry& entry, const std::string& root, const std::string& container_path, engine::TarData& data);
  std::filesystem::path tree_;
  std::uint64_t max_bytes_;
  bool capped_ = false;
  std::uint64_t files_ = 0, bytes_ = 0, links_left_out_ = 0, reported_ = 0;
  std::set<std::string> written_;  // container paths, for hardlinks
};

// The container path an archive entry of `root` stands for, or "" when its name is unsafe (absolute,
// "..", ".", empty parts, over 64 levels or 4096 bytes) or not under the root's own name.
std::string container_path_of(const std::string& root, const std::string& entry_path);

// Files 0444: the mirror is read, never edited. Folders stay 0755, so that removing the cache
// (rm -rf ~/.cache, a build folder holding a test's cache) works without a chmod first.
void make_read_only(const std::filesystem::path& folder);
// Removes a mirror (or a half-built one): its folders are made writable first.
void remove_tree(const std::filesystem::path& folder);
// Puts `built` at `target` in one step (RENAME_EXCHANGE when target exists), then removes what was
// there: a reader sees the old mirror or the new one, never a mix.
void swap_into_place(const std::filesystem::path& built, const std::filesystem::path& target);

}  // namespace dlc::core
