// What installed Features contribute to their container, read from the devcontainer.metadata entries
// that carry an "id" (the reference CLI marks Features' entries so): init and privileged when any asks,
// capAdd and securityOpt joined, mounts added (a later one for the same target wins), entrypoints run
// before the container's command, and lifecycle commands run before devcontainer.json's own.
// Interim: the devcontainer branch's image-metadata merge takes this over when it lands.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/devcontainer.h"
#include "engine/types.h"

namespace dlc::core {

// The Features' entries of a label set, with ${devcontainerId} and the other variables expanded.
std::vector<nlohmann::json> feature_entries(const std::map<std::string, std::string>& labels, const config::Substitution& vars);

// Edits the container's spec. image: the image it is made from (its entrypoint and command run after
// the Features' entrypoints when overrideCommand is false).
void apply_feature_entries(const std::vector<nlohmann::json>& entries, bool override_command, const engine::ImageInfo& image,
                           engine::ContainerSpec& spec);

// The container's devcontainer.metadata label: the image's entries (its own, then its Features'), then
// the one dlcontainer writes for devcontainer.json.
std::string container_metadata_label(const std::map<std::string, std::string>& image_labels, const std::string& own_label);

// One lifecycle hook's commands from the Features, in install order, each named by its Feature's id.
struct FeatureCommand {
  std::string feature;
  config::LifecycleCommand command;
};
std::vector<FeatureCommand> feature_commands(const std::vector<nlohmann::json>& entries, std::string_view hook);

}  // namespace dlc::core
