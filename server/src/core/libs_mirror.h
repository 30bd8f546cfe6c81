// The container's Python libraries, visible to the host's tools: what its sys.path imports from
// outside the workspace (installed packages, the standard library) copied read-only into a per-image
// cache on the host, $XDG_CACHE_HOME/dlcontainer/libs/<image id>/, shared by every workspace of that
// image. Only source and stub files (.py, .pyi, py.typed) are kept, read out of the engine's archive
// stream as it arrives. An editor's analyser (pyright's extraPaths, PyCharm's interpreter paths) then
// resolves `import torch` though torch is only in the container.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/libs_probe.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

// The cap when neither the command nor config.json gives one.
inline constexpr std::uint64_t kDefaultLibsMaxBytes = std::uint64_t{1} << 30;

struct LibsOptions {
  bool refresh = false;                    // mirror again even when the mirror is there
  std::optional<std::uint64_t> max_bytes;  // the cap; unset: config.json's libs.maxSize, else 1 GiB
};

// Where the mirror is asked for: the container and how its Python runs (as the wrapper runs it).
struct LibsTarget {
  std::string container_id;
  std::string image_id;                 // the key: another image, another mirror
  std::string python;                   // the command
  std::string user;                     // the remote user
  std::vector<std::string> env;         // the remote environment, KEY=VALUE
  std::string working_dir;              // the workspace folder in the container
  // container folder -> host folder: the workspace's folders, never mirrored.
  std::vector<std::pair<std::string, std::string>> workspace;
};

struct LibsMirror {
  std::string root;                 // the image's folder in the cache
  std::string image_id;
  std::vector<LibsPath> paths;      // each sys.path folder with its host path
  bool refreshed = false;           // (re)made by this call
  bool stale = false;               // packages changed in the container since it was made
  bool partial = false;             // stopped at the cap
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t needed_bytes = 0;   // what all of it takes
  std::uint64_t max_bytes = 0;      // the cap it was made under
  std::string created;              // when (UTC, ISO 8601)
  std::vector<std::string> notes;   // said plainly: stale, partial, entries left out
};
void to_json(nlohmann::json& j, const LibsMirror& m);

// The mirror for the target's image: made when there is none (or it was made for another Python, or
// under a smaller cap that cut it short), made again when asked, else reused; a reused one whose
// packages changed since is reported stale, with the command that refreshes it. Concurrent calls for
// one image wait for each other (a lock file); a mirror appears whole or not at all (built in a
// temporary folder, then renamed into place).
LibsMirror ensure_libs_mirror(const engine::Engine& engine, const LibsTarget& target, const LibsOptions& options,
                              ProgressSink& progress = no_progress(), const CancelToken& cancel = {});

// $XDG_CACHE_HOME/dlcontainer/libs.
std::filesystem::path libs_cache_dir();
// config.json's {"libs": {"maxSize": "2GiB"}} (or a number of bytes); nullopt when not set.
// Error{ConfigInvalid} naming the file for a value that is not a size.
std::optional<std::uint64_t> configured_libs_max_bytes();

}  // namespace dlc::core
