// Finding a workspace's container, whoever made it: dlcontainer labels its own with the folder, and
// the devcontainer CLI and VS Code label theirs with devcontainer.local_folder and
// devcontainer.config_file (dlcontainer's carry those too). Adopting theirs is what lets `up` reuse a
// container instead of making a second one with the same labels.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "engine/engine.h"

namespace dlc::core {

// The newest container of the folder: dlcontainer's first; else one with the Dev Containers labels
// for config_file (for "" : the devcontainer.json the spec's search finds now), else one with only
// the folder label (made before the config-file label existed). Containers being removed are not.
// On a remote engine `folder` is the workspace's key and only this machine's containers count.
std::optional<engine::ContainerSummary> find_workspace_container(const engine::Engine& engine,
                                                                 const std::filesystem::path& folder,
                                                                 const std::string& config_file = "");

}  // namespace dlc::core
