#include "core/locate.h"

#include <algorithm>

#include "config/devcontainer.h"
#include "core/remote_workspace.h"
#include "core/workspace.h"
#include "support/error.h"

namespace dlc::core {

namespace fs = std::filesystem;

namespace {

std::optional<engine::ContainerSummary> newest(std::vector<engine::ContainerSummary> found) {
  found.erase(std::remove_if(found.begin(), found.end(), [](const auto& c) { return c.state == "removing"; }), found.end());
  if (found.empty()) return std::nullopt;
  return *std::max_element(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
}

std::string label_of(const engine::ContainerSummary& c, const char* key) {
  auto it = c.labels.find(key);
  return it == c.labels.end() ? "" : it->second;
}

}  // namespace

std::optional<engine::ContainerSummary> find_workspace_container(const engine::Engine& engine, const fs::path& folder,
                                                                 const std::string& config_file) {
  // On a remote engine, only what this machine made for the key (a folder or a git URL): another
  // machine's container of the same path is not this workspace.
  if (auto ours = newest(engine.list_containers(workspace_filter(engine, folder.string())))) return ours;
  if (!engine.endpoint().local()) return std::nullopt;
  auto theirs = engine.list_containers({{kLocalFolderLabel, folder.string()}});
  if (theirs.empty()) return std::nullopt;
  std::string config = config_file;
  if (config.empty()) {
    try {
      if (auto found = config::find_config(folder)) config = found->string();
    } catch (const Error&) {
      // Several configs and none named: any container of the folder will do below.
    }
  }
  std::vector<engine::ContainerSummary> same_config, folder_only;
  for (const auto& c : theirs) {
    std::string labelled = label_of(c, kConfigFileLabel);
    if (labelled.empty()) folder_only.push_back(c);
    else if (config.empty() || fs::path(labelled).lexically_normal() == fs::path(config).lexically_normal()) same_config.push_back(c);
  }
  if (auto c = newest(same_config)) return c;
  return newest(folder_only);
}

}  // namespace dlc::core
