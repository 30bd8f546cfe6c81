// From a workspace's configuration to the container that serves it. Pure: reads the workspace's files,
// talks to no daemon, so it is tested without one.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "config/devcontainer.h"
#include "config/metadata.h"
#include "core/plan.h"
#include "engine/types.h"

namespace dlc::core {

// Everything known about a workspace before the engine is asked anything.
struct WorkspaceContext {
  std::filesystem::path folder;  // canonical host folder
  config::DevcontainerConfig config;
  std::string config_hash;       // changes when devcontainer.json (or its Dockerfile) changes meaningfully
  std::string container_name;
  std::string devcontainer_id;
  std::string remote_workspace_folder;
  // Set when the workspace has no devcontainer.json: the plan that stands in for it (core/plan.h).
  std::shared_ptr<const InferredWorkspace> inferred;
  // Set once the image is known (core/image.h): the container's metadata entries (the image's, the
  // Features', this config's) and their merge; `config` is then the merged one. Empty before: the
  // container is labelled with this config's entry alone.
  std::vector<config::MetadataEntry> metadata;
  config::MergedConfiguration merged;
};

// Reads the workspace's devcontainer.json (explicit_config, or the one the spec's search finds);
// without one, the inferred plan stands in for it, planned for `facts` (a remote engine's host) or,
// when null, for this machine. Error{ConfigInvalid} when it cannot be used.
WorkspaceContext load_workspace(const std::filesystem::path& folder, const std::string& explicit_config,
                                const gpu::HostFacts* facts = nullptr);

// The name a workspace's container gets: readable, unique per folder.
std::string container_name_for(const std::filesystem::path& folder);

// The user commands run as: remoteUser, else containerUser, else the image's user, else root.
std::string remote_user_of(const config::DevcontainerConfig& config, const std::string& image_user);

// Chooses the host port for a container port: the same number when free on 127.0.0.1, else the next
// free one. Injected so that tests decide.
using PortPicker = std::function<int(const std::string& host_ip, int preferred)>;
int pick_free_port(const std::string& host_ip, int preferred);

// The container to create for the workspace from `image` (whose own user, entrypoint and command
// image_info holds). With customizations.dlcontainer.gui on, it also writes the X11 cookie file that
// the spec mounts. Labelled with every metadata entry (ws.metadata), as the reference labels its own.
engine::ContainerSpec container_spec(const WorkspaceContext& ws, const std::string& image, const engine::ImageInfo& image_info,
                                     const PortPicker& pick_port = pick_free_port);
inline engine::ContainerSpec container_spec(const WorkspaceContext& ws, const std::string& image, const std::string& image_user,
                                            const PortPicker& pick_port = pick_free_port) {
  engine::ImageInfo info;
  info.user = image_user;
  return container_spec(ws, image, info, pick_port);
}

// What the metadata label of an existing container says (remoteUser, workspace folder, remoteEnv),
// from its labels alone (core/container_settings.h reads the rest).
struct ContainerMetadata {
  std::string remote_user;
  std::string workspace_folder;
  std::map<std::string, std::string> remote_env;
};
ContainerMetadata read_metadata(const std::map<std::string, std::string>& labels);

// The environment for a command in the container: remoteEnv with ${containerEnv:VAR} resolved
// against the container's own environment, as KEY=VALUE strings.
std::vector<std::string> remote_environment(const std::map<std::string, std::string>& remote_env,
                                            const std::vector<std::string>& container_env);

// The command that keeps a container alive when overrideCommand is true (the spec's default):
// it runs the metadata's entrypoints (Features'), then `"$@"` (the image's own entrypoint and command
// when overrideCommand is false), then sleeps, and exits at once on SIGTERM so that `down` is quick.
// Before the entrypoints it says "dlcontainer: container started" (in the container's log).
std::vector<std::string> keep_alive_command(const std::vector<std::string>& entrypoints = {});

// Makes a spec whose entrypoint is keep_alive_command's run `setup` (shell lines) first, before it says
// it started, so that the line in the log tells that `setup` is done. False (nothing changed) when the
// spec runs another entrypoint.
bool run_before_started(engine::ContainerSpec& spec, const std::string& setup);

}  // namespace dlc::core
