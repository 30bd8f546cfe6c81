// What a workspace's container runs with, read back from the container itself: its
// devcontainer.metadata label (every entry it was made with), merged with the properties that
// devcontainer.json may change without a rebuild (remoteUser, remoteEnv, userEnvProbe), as the
// reference does. The same for containers dlcontainer made and for those another tool made.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/metadata.h"
#include "core/container_plan.h"
#include "engine/types.h"

namespace dlc::core {

// Our own labels beside the Dev Containers ones: what was decided when the container was made.
inline constexpr const char* kRemoteFolderLabel = "dev.dlcontainer.remote-workspace-folder";
inline constexpr const char* kRemoteUserLabel = "dev.dlcontainer.remote-user";

struct ContainerSettings {
  config::MergedConfiguration merged;
  std::string remote_user;       // merged remoteUser, else the container's user, else root
  std::string workspace_folder;  // in the container
  std::string user_env_probe;    // the merged value, or the default (loginInteractiveShell)
  std::string config_file;       // the devcontainer.json it came from ("" when none)
  std::vector<std::string> warnings;  // a label that could not be read, a config that no longer parses
};

// The variables devcontainer.json's (and its metadata's) strings expand with, for a workspace.
config::Substitution substitution_for(const WorkspaceContext& ws);

// Settings from the container's labels. With `ws`, its devcontainer.json supplies the updateable
// properties; without it, the file named by the container's devcontainer.config_file label does,
// when it still parses (else the label alone decides, and a warning says so).
ContainerSettings container_settings(const engine::ContainerInfo& info, const WorkspaceContext* ws = nullptr);

// What a list row's labels say, without inspecting the container or reading any file (for `list`).
ContainerSettings summary_settings(const std::map<std::string, std::string>& labels);

}  // namespace dlc::core
