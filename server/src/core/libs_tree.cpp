#include "core/libs_tree.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/libs_probe.h"
#include "support/error.h"

namespace dlc::core {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxPath = 4096;
// Empty files pass the byte cap: the count is bounded on its own (torch and its stdlib hold ~10,000).
constexpr std::uint64_t kMaxFiles = 1000000;

[[noreturn]] void write_failed(const fs::path& path, int err) {
  throw Error(ErrorCode::Internal, "cannot write the libraries mirror at " + path.string() + ": " + std::strerror(err),
              "check the free space and permissions of $XDG_CACHE_HOME/dlcontainer/libs");
}

}  // namespace

bool is_source_or_stub(const std::string& name) {
  auto slash = name.rfind('/');
  std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
  return base == "py.typed" || (base.size() > 3 && base.ends_with(".py")) || (base.size() > 4 && base.ends_with(".pyi"));
}

std::string container_path_of(const std::string& root, const std::string& entry_path) {
  if (entry_path.empty() || entry_path.front() == '/' || entry_path.size() > kMaxPath) return {};
  std::string name = fs::path(root).filename().string();
  if (name.empty()) return {};
  std::string rest;
  int depth = 0;
  std::size_t start = 0;
  bool first = true;
  while (start <= entry_path.size()) {
    auto end = entry_path.find('/', start);
    if (end == std::string::npos) end = entry_path.size();
    std::string part = entry_path.substr(start, end - start);
    start = end + 1;
    if (part.empty() && end == entry_path.size()) break;  // a trailing '/' (a folder entry)
    if (part.empty() || part == "." || part == ".." || ++depth > kMaxDepth) return {};
    if (first) {
      if (part != name) return {};
      first = false;
      continue;
    }
    rest += "/" + part;
  }
  return root + rest;
}

engine::TarVisitor LibsTreeWriter::visitor(const std::string& root, std::vector<std::string> excluded) {
  return [this, root, excluded = std::move(excluded)](const engine::TarEntry& entry, engine::TarData& data) {
    std::string path = container_path_of(root, entry.path);
    if (path.empty()) return true;
    for (const auto& x : excluded)
      if (path_within(path, x)) return true;
    return keep(entry, root, path, data);
  };
}

bool LibsTreeWriter::keep(const engine::TarEntry& entry, const std::string& root, const std::string& path,
                          engine::TarData& data) {
  using Type = engine::TarEntry::Type;
  if (entry.type == Type::Symlink) {
    if (is_source_or_stub(path)) ++links_left_out_;
    return true;
  }
  if (!is_source_or_stub(path) || (entry.type != Type::File && entry.type != Type::Hardlink)) return true;
  fs::path out = tree_ / path.substr(1);
  std::error_code ec;
  fs::create_directories(out.parent_path(), ec);
  if (ec) write_failed(out.parent_path(), ec.value());
  if (entry.type == Type::Hardlink) {
    // The archive names the file it shares data with by its archive path; kept once, linked here.
    std::string target = container_path_of(root, entry.link);
    if (target.empty() || !written_.count(target)) return true;
    if (::link((tree_ / target.substr(1)).c_str(), out.c_str()) != 0 && errno != EEXIST) write_failed(out, errno);
    written_.insert(path);
    return true;
  }
  auto size = static_cast<std::uint64_t>(std::max<std::int64_t>(entry.size, 0));
  if (files_ >= kMaxFiles) {
    throw Error(ErrorCode::CommandFailed, "the container's Python libraries hold over 1,000,000 source files under " + root,
                "that folder is not a library folder one can mirror: take it off sys.path (PYTHONPATH), or use "
                "`dlcontainer interpreter --no-libs`");
  }
  if (bytes_ + size > max_bytes_) {
    capped_ = true;
    return false;
  }
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
  if (fd < 0) {
    if (errno == EEXIST) return true;  // the same file reached through two sys.path entries
    write_failed(out, errno);
  }
  char buffer[64 * 1024];
  std::uint64_t got = 0;
  for (;;) {
    std::size_t n = data.read(buffer, sizeof buffer);
    if (n == 0) break;
    for (std::size_t off = 0; off < n;) {
      ssize_t w = ::write(fd, buffer + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        int err = errno;
        ::close(fd);
        write_failed(out, err);
      }
      off += static_cast<std::size_t>(w);
    }
    got += n;
  }
  ::close(fd);
  ++files_;
  bytes_ += got;
  written_.insert(path);
  if (on_progress && files_ - reported_ >= 500) {
    reported_ = files_;
    on_progress(files_, bytes_);
  }
  return true;
}

void make_read_only(const fs::path& folder) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    bool dir = it->is_directory(ec) && !it->is_symlink(ec);
    fs::permissions(it->path(), dir ? fs::perms(0755) : fs::perms(0444), fs::perm_options::replace | fs::perm_options::nofollow, ec);
    ec.clear();
  }
}

void remove_tree(const fs::path& folder) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(folder, ec))) return;
  fs::permissions(folder, fs::perms(0755), ec);
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) fs::permissions(it->path(), fs::perms(0755), ec);
    ec.clear();
  }
  fs::remove_all(folder, ec);
}

void swap_into_place(const fs::path& built, const fs::path& target) {
  if (::renameat2(AT_FDCWD, built.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) return;
  if (errno != EEXIST && errno != ENOTEMPTY) write_failed(target, errno);
  if (::renameat2(AT_FDCWD, built.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) write_failed(target, errno);
  remove_tree(built);  // now the old mirror
}

}  // namespace dlc::core
