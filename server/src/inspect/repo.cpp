#include "inspect/repo.h"

#include <git2.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "inspect/stamp.h"
#include "inspect/text.h"
#include "support/error.h"
#include "support/files.h"
#include "support/hash.h"
#include "support/library.h"

namespace dlc::inspect {

namespace fs = std::filesystem;

namespace {

// libgit2, loaded when a clone or an uncached HEAD needs it (support/library.h says why).
const Library& libgit2() {
  static const Library lib(DLC_LIBGIT2_SONAME, "libgit2-1.5");
  return lib;
}
#define GIT(f) DLC_CALL(libgit2(), f)

void init_libgit2() {
  static const int once = GIT(git_libgit2_init)();
  (void)once;
}

std::string last_git_error() {
  const git_error* e = GIT(git_error_last)();
  return e && e->message ? e->message : "unknown libgit2 error";
}

struct Free {
  void operator()(git_repository* p) const { GIT(git_repository_free)(p); }
  void operator()(git_object* p) const { GIT(git_object_free)(p); }
  void operator()(git_remote* p) const { GIT(git_remote_free)(p); }
};
using RepoPtr = std::unique_ptr<git_repository, Free>;
using ObjectPtr = std::unique_ptr<git_object, Free>;
using RemotePtr = std::unique_ptr<git_remote, Free>;

bool is_hex_id(std::string_view id) {
  if (id.size() != 40 && id.size() != 64) return false;  // SHA-1, SHA-256
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// HEAD's commit id, read where git keeps it in files: .git/HEAD, then the branch's loose ref or its
// line in packed-refs. Only to find what libgit2 said before; what this reading does not know (a
// worktree's .git file, reftable, a ref naming another ref) is nullopt, and libgit2 answers.
std::optional<std::string> head_id(const fs::path& folder) {
  std::string git = (folder / ".git").string();
  auto head = read_file(git + "/HEAD", 4096);
  if (!head) return std::nullopt;
  std::string_view h = trim(*head);
  if (!starts_with(h, "ref: ")) return is_hex_id(h) ? std::optional<std::string>(h) : std::nullopt;  // detached
  std::string_view ref = trim(h.substr(5));
  if (!starts_with(ref, "refs/") || ref.find("..") != std::string_view::npos) return std::nullopt;
  if (auto loose = read_file(git + "/" + std::string(ref), 4096)) {
    std::string_view id = trim(*loose);
    return is_hex_id(id) ? std::optional<std::string>(id) : std::nullopt;
  }
  auto packed = read_file(git + "/packed-refs");
  if (!packed) return std::nullopt;
  std::optional<std::string> found;
  for_each_line(*packed, [&](std::string_view line) {
    auto space = line.find(' ');
    if (!found && space != std::string_view::npos && trim(line.substr(space + 1)) == ref && is_hex_id(line.substr(0, space))) {
      found = std::string(line.substr(0, space));
    }
  });
  return found;
}

// What git_info said for a repository, remembered in <cache>/<hash of folder>.head as one line
// "<commit>\t<stamp of .git/config>\t<date>\t<origin>": a commit's date never changes, and the origin
// is re-read when .git/config changes (one set in an included file or the user's global config is not
// seen until then).
class HeadCache {
 public:
  HeadCache(const fs::path& dir, const fs::path& folder)
      : file_(dir.empty() ? "" : (dir / (sha256_hex(folder.string()).substr(0, 16) + ".head")).string()),
        config_stamp_(Stamp::of((folder / ".git" / "config").string())) {}

  std::optional<GitInfo> find(const std::string& commit) const {
    if (file_.empty()) return std::nullopt;
    auto text = read_file(file_, 64 << 10);
    if (!text) return std::nullopt;
    std::string_view line = *text;
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);  // not trim: the origin may be empty
    auto fields = split(line, '\t');
    char buf[128];
    if (fields.size() != 4 || fields[0] != commit || fields[1] != config_stamp_.text(buf)) return std::nullopt;
    return GitInfo{commit, std::string(fields[2]), std::string(fields[3])};
  }

  void save(const GitInfo& info) const {
    if (file_.empty() || (info.commit + info.date + info.origin).find_first_of("\t\n") != std::string::npos) return;
    std::error_code ec;
    fs::create_directories(fs::path(file_).parent_path(), ec);
    char buf[128];
    // A cache that cannot be written is only slower next time.
    write_file_atomically(file_, info.commit + "\t" + std::string(config_stamp_.text(buf)) + "\t" + info.date + "\t" + info.origin + "\n", 0600);
  }

 private:
  std::string file_;
  Stamp config_stamp_;
};

}  // namespace

bool is_remote(std::string_view spec) {
  if (spec.find("://") != std::string_view::npos) {
    for (std::string_view scheme : {"http://", "https://", "ssh://", "git://", "file://", "git+ssh://", "ssh+git://"}) {
      if (spec.substr(0, scheme.size()) == scheme) return true;
    }
    return false;
  }
  // scp-like: user@host:path (a local path may hold '@' or ':', but not "x@y:" before any '/').
  auto at = spec.find('@'), colon = spec.find(':'), slash = spec.find('/');
  return at != std::string_view::npos && colon != std::string_view::npos && at < colon &&
         (slash == std::string_view::npos || colon < slash);
}

fs::path clone_folder(const std::string& url, const fs::path& root) {
  std::string_view u = url;
  while (!u.empty() && u.back() == '/') u.remove_suffix(1);
  std::string_view name = u.substr(u.find_last_of("/:") == std::string_view::npos ? 0 : u.find_last_of("/:") + 1);
  if (name.size() > 4 && name.substr(name.size() - 4) == ".git") name.remove_suffix(4);
  std::string clean;
  for (char c : name) clean += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '-';
  if (clean.empty() || clean[0] == '.') clean = "repo" + clean;
  return root / (clean + "-" + sha256_hex(url).substr(0, 8));
}

fs::path checkout(const std::string& url, const fs::path& root, const CancelToken& cancel) {
  init_libgit2();
  fs::path dest = clone_folder(url, root);
  std::error_code ec;
  if (fs::exists(dest / ".git", ec)) return dest;  // cloned before: the user's working copy now, left as it is
  if (fs::exists(dest, ec) && !fs::is_empty(dest, ec)) {
    throw Error(ErrorCode::PathNotFound, dest.string() + " exists and is not a clone of " + url,
                "move that folder away, or clone the repository yourself and pass its folder");
  }
  fs::create_directories(root, ec);
  git_repository* repo = nullptr;
  git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
  // libgit2 asks these as data arrives and as files are written: a cancel stops the clone there.
  opts.fetch_opts.callbacks.transfer_progress = [](const git_indexer_progress*, void* token) {
    return static_cast<const CancelToken*>(token)->cancelled() ? -1 : 0;
  };
  opts.fetch_opts.callbacks.payload = const_cast<CancelToken*>(&cancel);
  opts.checkout_opts.notify_flags = GIT_CHECKOUT_NOTIFY_ALL;
  opts.checkout_opts.notify_cb = [](git_checkout_notify_t, const char*, const git_diff_file*, const git_diff_file*,
                                    const git_diff_file*, void* token) {
    return static_cast<const CancelToken*>(token)->cancelled() ? -1 : 0;
  };
  opts.checkout_opts.notify_payload = const_cast<CancelToken*>(&cancel);
  if (GIT(git_clone)(&repo, url.c_str(), dest.c_str(), &opts) != 0) {
    const git_error* e = GIT(git_error_last)();
    int klass = e ? e->klass : GIT_ERROR_NONE;
    std::string why = last_git_error();
    fs::remove_all(dest, ec);  // ours: created by this failed clone
    cancel.throw_if_cancelled();
    // A socket's failure is an OS error ("failed to connect to HOST: Connection refused") in libgit2.
    bool socket_failed = klass == GIT_ERROR_OS && url.rfind("file:", 0) != 0 &&
                         (why.find("connect") != std::string::npos || why.find("resolve") != std::string::npos ||
                          why.find("timed out") != std::string::npos);
    if (klass == GIT_ERROR_NET || klass == GIT_ERROR_SSL || klass == GIT_ERROR_SSH || klass == GIT_ERROR_HTTP || socket_failed) {
      throw Error(ErrorCode::NetworkUnavailable, "cannot reach " + url + ": " + why,
                  "check the network (a proxy is set with https_proxy); for a private repository, clone it yourself "
                  "and pass its folder");
    }
    throw Error(ErrorCode::PathNotFound, "cannot clone " + url + ": " + why,
                "check the URL; for a private repository, clone it yourself and pass its folder");
  }
  GIT(git_repository_free)(repo);
  return dest;
}

std::optional<GitInfo> git_info(const fs::path& folder, const fs::path& cache_dir) {
  std::optional<std::string> id = cache_dir.empty() ? std::nullopt : head_id(folder);
  HeadCache cache(id ? cache_dir : fs::path(), folder);
  if (id) {
    if (auto known = cache.find(*id)) return known;
  }
  auto info = git_info(folder);
  if (info && id && info->commit == *id) cache.save(*info);
  return info;
}

std::optional<GitInfo> git_info(const fs::path& folder) {
  init_libgit2();
  git_repository* raw = nullptr;
  if (GIT(git_repository_open_ext)(&raw, folder.c_str(), 0, nullptr) != 0) return std::nullopt;
  RepoPtr repo(raw);
  git_object* head_raw = nullptr;
  if (GIT(git_revparse_single)(&head_raw, repo.get(), "HEAD^{commit}") != 0) return std::nullopt;
  ObjectPtr head(head_raw);
  const auto* commit = reinterpret_cast<const git_commit*>(head.get());
  GitInfo info;
  char id[GIT_OID_HEXSZ + 1] = {};
  GIT(git_oid_tostr)(id, sizeof id, GIT(git_commit_id)(commit));
  info.commit = id;
  std::time_t t = static_cast<std::time_t>(GIT(git_commit_time)(commit));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  info.date = date;
  git_remote* remote_raw = nullptr;
  if (GIT(git_remote_lookup)(&remote_raw, repo.get(), "origin") == 0) {
    RemotePtr remote(remote_raw);
    if (const char* u = GIT(git_remote_url)(remote.get())) info.origin = u;
  }
  return info;
}

}  // namespace dlc::inspect
