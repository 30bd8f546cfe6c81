// Where a workspace's files are when its engine runs on another machine, said plainly in up's output
// (docs/remote.md):
//   shared  the same folder exists there (a shared home): bind-mounted, as on a local engine;
//   copy    a local folder copied once into a volume there (PUT .../archive): a copy, not kept in sync;
//   clone   a git URL cloned there into a volume, by a helper container on that engine (never here).
// Remote engines are shared by people and laptops: labels hold the machine dlcontainer ran on (origin)
// and the engine, so that status, list and down find the workspace again, and only this machine's.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <vector>
#include <nlohmann/json.hpp>
#include <string>

#include "core/image.h"
#include "core/workspace.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

inline constexpr const char* kOriginLabel = "dev.dlcontainer.origin";      // the machine dlcontainer ran on
inline constexpr const char* kLocationLabel = "dev.dlcontainer.location";  // shared | copy | clone
inline constexpr const char* kEngineLabel = "dev.dlcontainer.engine";      // the engine, as that machine reaches it
inline constexpr const char* kVolumeLabel = "dev.dlcontainer.volume";      // copy, clone: the volume that holds it


// This machine's name, as the origin label holds it.
std::string origin_name();

// The workspace's key (the value of its workspace label): its canonical folder, or on a remote
// engine a git URL as given. Error{PathNotFound} for a folder that does not exist.
std::string workspace_key(const engine::Engine& engine, const std::string& path_or_url);

// The label filter that finds a workspace's containers on this engine: the key, and on a remote
// engine this machine as the origin.
engine::LabelFilter workspace_filter(const engine::Engine& engine, const std::string& key);

// The volume that holds a copy or clone of the workspace `key` from this machine.
std::string workspace_volume(const std::string& key);

// Where a local folder's files are for a container on a remote engine: shared when a folder of that
// path exists there with the same modification time (the same folder, seen through a shared file
// system), else a copy in the workspace's volume (reused when a copy is there from before).
WorkspaceLocation locate_folder(const engine::Engine& engine, const std::filesystem::path& folder);

// Copies the folder into the volume mounted at target in the created (not started) container, its
// files owned by `owner`. For a copy that was not reused.
void copy_into(const engine::Engine& engine, const std::string& container_id, const std::filesystem::path& folder,
               const std::string& target, const HostUser& owner, ProgressSink& progress, const CancelToken& cancel);

// Clones `url` into the workspace's volume on the engine (unless it holds the clone already), by a
// helper container of `image` (git and a shell; the user config's "cloneImage"), its files owned by
// `owner`. Nothing is left when the clone fails. Error{CommandFailed} with git's words.
WorkspaceLocation clone_on_engine(const engine::Engine& engine, const std::string& url, const std::string& image,
                                  const HostUser& owner, ProgressSink& progress, const CancelToken& cancel);

// What `up` works from: the workspace's key, the folder its configuration and plan are read from (the
// folder itself, a local clone on a local engine, or a snapshot of a clone on a remote engine), and,
// for a URL on a remote engine, the clone there. A snapshot is removed with this.
struct WorkspaceSource {
  std::string key;
  std::filesystem::path folder;
  std::optional<WorkspaceLocation> clone;
  std::filesystem::path scratch;
  WorkspaceSource() = default;
  WorkspaceSource(WorkspaceSource&&) = default;
  ~WorkspaceSource();
};
WorkspaceSource workspace_source(const engine::Engine& engine, const std::string& path_or_url, const HostUser& owner,
                                 ProgressSink& progress, const CancelToken& cancel);

// A new container's spec for a remote engine: labelled with the key, this machine and the engine,
// and the workspace mounted from its volume (copy, clone) instead of this machine's folder. Bind
// mounts the configuration names are that machine's paths: said in `notes`.
void place_workspace(engine::ContainerSpec& spec, const std::string& key, const std::filesystem::path& config_folder,
                     const WorkspaceLocation& location, const engine::Endpoint& endpoint, std::vector<std::string>& notes);

// Where an existing container's workspace is, from its labels.
WorkspaceLocation location_of(const std::map<std::string, std::string>& labels, const engine::Endpoint& endpoint);

// The clone's files that planning reads (no .git, at most 256 MiB in all), unpacked
// into a new folder under dest_parent, which the caller removes when done.
std::filesystem::path snapshot_for_planning(const engine::Engine& engine, const WorkspaceLocation& clone,
                                            const std::filesystem::path& dest_parent, const CancelToken& cancel);

}  // namespace dlc::core
