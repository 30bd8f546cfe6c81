#include "inspect/repo.h"

#include <git2.h>

#include <ctime>
#include <memory>

#include "support/error.h"
#include "support/hash.h"

namespace dlc::inspect {

namespace fs = std::filesystem;

namespace {

void init_libgit2() {
  static const int once = git_libgit2_init();
  (void)once;
}

std::string last_git_error() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using RepoPtr = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using RemotePtr = std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;

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

fs::path checkout(const std::string& url, const fs::path& root) {
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
  if (git_clone(&repo, url.c_str(), dest.c_str(), &opts) != 0) {
    std::string why = last_git_error();
    fs::remove_all(dest, ec);  // ours: created by this failed clone
    throw Error(ErrorCode::PathNotFound, "cannot clone " + url + ": " + why,
                "check the URL and the network; for a private repository, clone it yourself and pass its folder");
  }
  git_repository_free(repo);
  return dest;
}

std::optional<GitInfo> git_info(const fs::path& folder) {
  init_libgit2();
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, folder.c_str(), 0, nullptr) != 0) return std::nullopt;
  RepoPtr repo(raw);
  git_object* head_raw = nullptr;
  if (git_revparse_single(&head_raw, repo.get(), "HEAD^{commit}") != 0) return std::nullopt;
  ObjectPtr head(head_raw);
  const auto* commit = reinterpret_cast<const git_commit*>(head.get());
  GitInfo info;
  char id[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(id, sizeof id, git_commit_id(commit));
  info.commit = id;
  std::time_t t = static_cast<std::time_t>(git_commit_time(commit));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  info.date = date;
  git_remote* remote_raw = nullptr;
  if (git_remote_lookup(&remote_raw, repo.get(), "origin") == 0) {
    RemotePtr remote(remote_raw);
    if (const char* u = git_remote_url(remote.get())) info.origin = u;
  }
  return info;
}

}  // namespace dlc::inspect
