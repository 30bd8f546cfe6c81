// A repository on disk, or one to clone (libgit2): its folder and HEAD's commit and date.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "support/cancel.h"

namespace dlc::inspect {

// "https://host/x.git", "ssh://...", "git://...", "file:///path", "git@host:owner/x.git".
bool is_remote(std::string_view spec);

// The folder a URL is cloned into under `root`: "<root>/<name>-<8 hex of the URL>".
std::filesystem::path clone_folder(const std::string& url, const std::filesystem::path& root);

// Clones url into clone_folder(url, root) unless a clone is already there, and returns the folder.
// Throws Error{NetworkUnavailable} when the remote cannot be reached, Error{Cancelled} when cancel
// fires while it clones, and Error{PathNotFound} with libgit2's reason for any other failure. Never
// deletes a folder it did not create.
std::filesystem::path checkout(const std::string& url, const std::filesystem::path& root, const CancelToken& cancel = {});

struct GitInfo {
  std::string commit;  // HEAD's id
  std::string date;    // HEAD's committer date, YYYY-MM-DD (UTC)
  std::string origin;  // remote.origin.url, when set
};
// HEAD of the repository that contains `folder`; nullopt when it is not in one or has no commit.
std::optional<GitInfo> git_info(const std::filesystem::path& folder);
// The same, remembered in cache_dir by HEAD's commit id (read from .git's files) and .git/config's
// stamp, so that an unchanged HEAD costs no libgit2 start (which parses the system's TLS
// certificates: more than the rest of a plan). "" : git_info(folder).
std::optional<GitInfo> git_info(const std::filesystem::path& folder, const std::filesystem::path& cache_dir);

}  // namespace dlc::inspect
