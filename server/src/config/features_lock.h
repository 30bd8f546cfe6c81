// devcontainer-lock.json, read and written as the reference CLI does: beside devcontainer.json (a
// dotted name beside a dotted config), one entry per registry or tarball Feature, keyed by its id as
// written, with the version, the digest it resolved to and the digest of what was installed.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dlc::config {

struct LockEntry {
  std::string version;
  std::string resolved;   // OCI: registry/path@sha256:...; tarball: its URL
  std::string integrity;  // sha256:... of the manifest (OCI) or of the tarball
  std::vector<std::string> depends_on;
  bool operator==(const LockEntry&) const = default;
};

struct Lockfile {
  std::map<std::string, LockEntry> features;
  bool operator==(const Lockfile&) const = default;
};

std::filesystem::path lockfile_path(const std::filesystem::path& config_file);

// nullopt when there is none (or it is empty: the reference's mark for "write one"). Error{ConfigInvalid}
// naming the file when it cannot be read as a lockfile.
std::optional<Lockfile> read_lockfile(const std::filesystem::path& file);

// The file's text: JSON with two-space indents and a final newline, entries sorted by id.
std::string lockfile_text(const Lockfile& lock);

// Writes the lockfile when its content differs from what is there (formatting aside). Returns whether
// it wrote. Error{Internal} naming the file when it cannot be written.
bool write_lockfile(const std::filesystem::path& file, const Lockfile& lock);

}  // namespace dlc::config
