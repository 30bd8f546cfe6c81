#include "engine/build_context.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <memory>

#include "support/error.h"
#include "support/archive.h"

namespace dlc::engine {

namespace fs = std::filesystem;

namespace {

// libarchive, loaded when a build context is written (support/library.h says why).
#define AR(f) DLC_CALL(::dlc::libarchive(), f)

// libarchive's writer, sending every block it produces to a sink.
class TarWriter {
 public:
  explicit TarWriter(const DataSink& sink) : sink_(sink), a_(AR(archive_write_new)()) {
    AR(archive_write_set_format_pax_restricted)(a_);
    AR(archive_write_set_bytes_in_last_block)(a_, 1);
    AR(archive_write_open)(a_, this, nullptr, &TarWriter::on_write, nullptr);
  }
  ~TarWriter() { AR(archive_write_free)(a_); }

  void add_file(const std::string& path, std::string_view content, int mode) {
    Entry e(path);
    AR(archive_entry_set_filetype)(e.get(), AE_IFREG);
    AR(archive_entry_set_perm)(e.get(), mode);
    AR(archive_entry_set_size)(e.get(), static_cast<la_int64_t>(content.size()));
    header(e.get());
    data(content);
  }

  // Entries added from disk get this owner (a workspace copied for the user the container maps to).
  void set_owner(unsigned uid, unsigned gid) { owner_ = {uid, gid}; }

  void add_from_disk(const std::string& path, const fs::path& file, const struct stat& st) {
    Entry e(path);
    if (owner_) {
      AR(archive_entry_set_uid)(e.get(), owner_->first);
      AR(archive_entry_set_gid)(e.get(), owner_->second);
    }
    AR(archive_entry_set_mtime)(e.get(), st.st_mtim.tv_sec, 0);
    AR(archive_entry_set_perm)(e.get(), st.st_mode & 07777);
    if (S_ISDIR(st.st_mode)) {
      AR(archive_entry_set_filetype)(e.get(), AE_IFDIR);
      header(e.get());
    } else if (S_ISLNK(st.st_mode)) {
      AR(archive_entry_set_filetype)(e.get(), AE_IFLNK);
      AR(archive_entry_set_symlink)(e.get(), fs::read_symlink(file).c_str());
      header(e.get());
    } else if (S_ISREG(st.st_mode)) {
      AR(archive_entry_set_filetype)(e.get(), AE_IFREG);
      AR(archive_entry_set_size)(e.get(), st.st_size);
      header(e.get());
      std::ifstream in(file, std::ios::binary);
      if (!in) throw Error(ErrorCode::BuildFailed, "cannot read " + file.string() + " for the build context");
      char buf[64 * 1024];
      while (in) {
        in.read(buf, sizeof buf);
        if (in.gcount() > 0) data(std::string_view(buf, static_cast<std::size_t>(in.gcount())));
      }
    }
    // sockets, fifos and devices have no place in a build context
  }

  void finish() {
    if (AR(archive_write_close)(a_) != ARCHIVE_OK) fail();
  }

 private:
  struct Entry {
    explicit Entry(const std::string& path) : e(AR(archive_entry_new)()) {
      AR(archive_entry_set_pathname)(e, path.c_str());
      AR(archive_entry_set_uid)(e, 0);
      AR(archive_entry_set_gid)(e, 0);
    }
    ~Entry() { AR(archive_entry_free)(e); }
    archive_entry* get() { return e; }
    archive_entry* e;
  };

  void header(archive_entry* e) {
    if (AR(archive_write_header)(a_, e) != ARCHIVE_OK) fail();
  }
  void data(std::string_view d) {
    if (!d.empty() && AR(archive_write_data)(a_, d.data(), d.size()) < 0) fail();
  }
  [[noreturn]] void fail() {
    throw Error(ErrorCode::BuildFailed, std::string("cannot write the build context: ") + AR(archive_error_string)(a_));
  }
  static la_ssize_t on_write(struct archive*, void* self, const void* buf, size_t n) {
    static_cast<TarWriter*>(self)->sink_(std::string_view(static_cast<const char*>(buf), n));
    return static_cast<la_ssize_t>(n);
  }

  const DataSink& sink_;
  struct archive* a_;
  std::optional<std::pair<unsigned, unsigned>> owner_;
};

// Every path under root that `keep` keeps (relative, '/'-separated), sorted so that an unchanged
// folder gives the same stream; a folder not kept is not walked into unless `descend` says so.
template <class Keep>
std::vector<fs::path> walk(const fs::path& root, const Keep& keep, bool descend_into_dropped) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) throw Error(ErrorCode::PathNotFound, "cannot read " + root.string() + ": " + ec.message());
  std::vector<fs::path> paths;
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    auto rel = it->path().lexically_relative(root).generic_string();
    if (!keep(rel)) {
      if (it->is_directory() && !it->is_symlink() && !descend_into_dropped) it.disable_recursion_pending();
      continue;
    }
    paths.push_back(it->path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// One path segment against one pattern segment: *, ?, [...] and \ escapes.
bool match_segment(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    char c = p.front();
    if (c == '*') {
      p.remove_prefix(1);
      for (std::size_t i = 0; i <= s.size(); ++i) {
        if (match_segment(p, s.substr(i))) return true;
      }
      return false;
    }
    if (s.empty()) return false;
    if (c == '?') {
      p.remove_prefix(1);
      s.remove_prefix(1);
      continue;
    }
    if (c == '[') {
      auto close = p.find(']', 1);
      if (close == std::string_view::npos) return false;
      std::string_view set = p.substr(1, close - 1);
      bool negate = !set.empty() && (set.front() == '^' || set.front() == '!');
      if (negate) set.remove_prefix(1);
      bool hit = false;
      for (std::size_t i = 0; i < set.size(); ++i) {
        if (i + 2 < set.size() && set[i + 1] == '-') {
          hit = hit || (s.front() >= set[i] && s.front() <= set[i + 2]);
          i += 2;
        } else {
          hit = hit || s.front() == set[i];
        }
      }
      if (hit == negate) return false;
      p.remove_prefix(close + 1);
      s.remove_prefix(1);
      continue;
    }
    if (c == '\\' && p.size() > 1) {
      p.remove_prefix(1);
      c = p.front();
    }
    if (c != s.front()) return false;
    p.remove_prefix(1);
    s.remove_prefix(1);
  }
  return s.empty();
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    auto slash = s.find('/');
    auto part = s.substr(0, slash);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string_view::npos) break;
    s.remove_prefix(slash + 1);
  }
  return out;
}

bool match_parts(const std::vector<std::string_view>& p, std::size_t pi, const std::vector<std::string_view>& s,
                 std::size_t si) {
  if (pi == p.size()) return si == s.size();
  if (p[pi] == "**") {
    for (std::size_t k = si; k <= s.size(); ++k) {
      if (match_parts(p, pi + 1, s, k)) return true;
    }
    return false;
  }
  if (si == s.size()) return false;
  return match_segment(p[pi], s[si]) && match_parts(p, pi + 1, s, si + 1);
}

std::string clean_pattern(std::string_view raw) {
  std::string p(raw);
  while (p.starts_with("./")) p.erase(0, 2);
  while (p.starts_with('/')) p.erase(0, 1);
  while (p.size() > 1 && p.ends_with('/')) p.pop_back();
  return p;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  return match_parts(split(pattern), 0, split(path), 0);
}

IgnoreRules::IgnoreRules(std::string_view text) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    bool exception = line.front() == '!';
    if (exception) line.remove_prefix(1);
    std::string p = clean_pattern(line);
    if (p.empty()) continue;
    has_exceptions_ = has_exceptions_ || exception;
    rules_.push_back({std::move(p), exception});
  }
}

bool IgnoreRules::excluded(std::string_view path) const {
  // The last matching rule wins; a pattern that matches a parent folder matches what is inside it.
  bool out = false;
  auto parts = split(path);
  for (const auto& rule : rules_) {
    auto pp = split(rule.pattern);
    bool hit = false;
    for (std::size_t n = 1; n <= parts.size() && !hit; ++n) {
      std::vector<std::string_view> prefix(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(n));
      hit = match_parts(pp, 0, prefix, 0);
    }
    if (hit) out = !rule.exception;
  }
  return out;
}

BodyProducer folder_context(fs::path root, std::vector<ArchiveFile> extra) {
  return [root = std::move(root), extra = std::move(extra)](const DataSink& sink) {
    std::string ignore_text;
    if (std::ifstream in(root / ".dockerignore"); in) ignore_text.assign(std::istreambuf_iterator<char>(in), {});
    IgnoreRules rules(ignore_text);
    std::map<std::string, const ArchiveFile*> replaced;
    for (const auto& f : extra) replaced[f.path] = &f;

    TarWriter tar(sink);
    // Sorted so that an unchanged folder gives the same stream (and the same build cache keys).
    auto paths = walk(root, [&](const std::string& rel) { return rel == "Dockerfile" || rel == ".dockerignore" || !rules.excluded(rel); },
                      rules.has_exceptions());
    for (const auto& p : paths) {
      auto rel = p.lexically_relative(root).generic_string();
      if (replaced.count(rel)) continue;
      struct stat st {};
      if (::lstat(p.c_str(), &st) != 0) continue;
      tar.add_from_disk(rel, p, st);
    }
    for (const auto& f : extra) tar.add_file(f.path, f.content, f.mode);
    tar.finish();
  };
}

BodyProducer folder_archive(fs::path root, unsigned uid, unsigned gid) {
  return [root = std::move(root), uid, gid](const DataSink& sink) {
    TarWriter tar(sink);
    tar.set_owner(uid, gid);
    for (const auto& p : walk(root, [](const std::string&) { return true; }, false)) {
      struct stat st {};
      if (::lstat(p.c_str(), &st) != 0) continue;
      tar.add_from_disk(p.lexically_relative(root).generic_string(), p, st);
    }
    tar.finish();
  };
}

std::string tar_files(const std::vector<ArchiveFile>& files) {
  std::string out;
  DataSink sink = [&](std::string_view d) { out.append(d); };
  TarWriter tar(sink);
  for (const auto& f : files) tar.add_file(f.path, f.content, f.mode);
  tar.finish();
  return out;
}

}  // namespace dlc::engine
