#include "core/container_settings.h"

#include <filesystem>

#include "core/workspace.h"
#include "support/error.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string label(const std::map<std::string, std::string>& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

// Where the workspace is in a container that says nothing of it (made by another tool): the target
// of the mount of its host folder, else the spec's default.
std::string folder_from_mounts(const engine::ContainerInfo& info, const std::string& local_folder) {
  for (const auto& m : info.mounts)
    if (m.type == "bind" && !local_folder.empty() && m.source == local_folder) return m.target;
  return local_folder.empty() ? "/" : config::default_workspace_folder(local_folder);
}

// Containers made by dlcontainer before the label held every entry kept the folder in its own entry.
std::string folder_from_entries(const std::vector<config::MetadataEntry>& entries) {
  std::string folder;
  for (const auto& e : entries)
    if (auto w = e.find("workspaceFolder"); w != e.end() && w->is_string()) folder = w->get<std::string>();
  return folder;
}

}  // namespace

config::Substitution substitution_for(const WorkspaceContext& ws) {
  config::Substitution vars;
  vars.local_workspace_folder = ws.folder.string();
  vars.container_workspace_folder = ws.remote_workspace_folder;
  vars.devcontainer_id = ws.devcontainer_id;
  return vars;
}

ContainerSettings summary_settings(const std::map<std::string, std::string>& labels) {
  ContainerSettings s;
  std::string problem;
  auto entries = config::parse_metadata_label(label(labels, config::kMetadataLabel), &problem);
  if (!problem.empty()) s.warnings.push_back(problem);
  config::Substitution vars;
  vars.local_workspace_folder = label(labels, kLocalFolderLabel);
  try {
    s.merged = config::merge_metadata(entries, vars);
  } catch (const Error& e) {
    s.warnings.push_back(e.what());
  }
  s.config_file = label(labels, kConfigFileLabel);
  s.remote_user = !s.merged.remote_user.empty() ? s.merged.remote_user : label(labels, kRemoteUserLabel);
  s.workspace_folder = label(labels, kRemoteFolderLabel);
  if (s.workspace_folder.empty()) s.workspace_folder = folder_from_entries(entries);
  s.user_env_probe = s.merged.user_env_probe.empty() ? "loginInteractiveShell" : s.merged.user_env_probe;
  return s;
}

ContainerSettings container_settings(const engine::ContainerInfo& info, const WorkspaceContext* ws) {
  ContainerSettings s;
  std::string problem;
  auto entries = config::parse_metadata_label(label(info.labels, config::kMetadataLabel), &problem);
  if (!problem.empty()) s.warnings.push_back(problem);
  const std::string local_folder = label(info.labels, kLocalFolderLabel);
  s.config_file = label(info.labels, kConfigFileLabel);

  // The config as it is now: the caller's, or the one the container names (when it still parses).
  std::optional<WorkspaceContext> loaded;
  if (!ws && !s.config_file.empty() && !local_folder.empty()) {
    try {
      loaded = load_workspace(local_folder, s.config_file);
      ws = &*loaded;
    } catch (const Error& e) {
      s.warnings.push_back("the container's devcontainer.json (" + s.config_file + ") cannot be used now (" + e.what() +
                           "); the container's own metadata decides");
    }
  }
  s.workspace_folder = label(info.labels, kRemoteFolderLabel);
  if (s.workspace_folder.empty()) s.workspace_folder = ws ? ws->remote_workspace_folder : folder_from_entries(entries);
  if (s.workspace_folder.empty()) s.workspace_folder = folder_from_mounts(info, local_folder);

  // Both tools label their containers with the Dev Containers labels: those take the updateable
  // properties from the file as it is now (a container without them keeps what it was made with).
  if (ws && !ws->config.document.is_null() && !local_folder.empty())
    entries.push_back(config::config_entry(ws->config.document, config::updateable_properties()));
  config::Substitution vars;
  if (ws) {
    vars = substitution_for(*ws);
  } else {
    vars.local_workspace_folder = local_folder;
    vars.container_workspace_folder = s.workspace_folder;
    vars.devcontainer_id = config::devcontainer_id(local_folder, s.config_file);
  }
  try {
    s.merged = config::merge_metadata(entries, vars, "the container's devcontainer.metadata");
  } catch (const Error& e) {
    s.warnings.push_back(e.what());
  }
  s.remote_user = s.merged.remote_user;
  if (s.remote_user.empty()) s.remote_user = info.user.empty() ? "root" : info.user;
  s.user_env_probe = s.merged.user_env_probe.empty() ? "loginInteractiveShell" : s.merged.user_env_probe;
  return s;
}

}  // namespace dlc::core
