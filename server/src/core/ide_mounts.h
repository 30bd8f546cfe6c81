// What an IDE's interpreter needs mounted in the workspace's container: the workspace again at its
// host path (customizations.dlcontainer.mirrorHostPath), so that the paths the IDE passes need no
// mapping, and the IDE's helper scripts (PyCharm's helpers folder) read-only at their host paths.
// Pure apart from reading and writing the workspace's own .dlcontainer/ folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/container_plan.h"
#include "engine/types.h"

namespace dlc::core {

// <workspace>/.dlcontainer/: ours, git-ignored by the .gitignore written into it.
std::filesystem::path dlcontainer_dir(const std::filesystem::path& workspace);
// Creates the folder with its `.gitignore` (which ignores everything in it) when missing.
void ensure_dlcontainer_dir(const std::filesystem::path& workspace);

// What the interpreter asked for, kept in <workspace>/.dlcontainer/ide.json so that every later
// container of the workspace (a rebuild, another `up`) is made with the same mounts.
struct IdeState {
  bool interpreter = false;           // `dlcontainer interpreter` was run: mirrorHostPath defaults on
  std::vector<std::string> helpers;   // host folders of IDE helper scripts, mounted read-only

  bool operator==(const IdeState&) const = default;
};
IdeState read_ide_state(const std::filesystem::path& workspace);  // a missing or broken file: {}
void write_ide_state(const std::filesystem::path& workspace, const IdeState& state);

// Whether the workspace is mirrored: customizations.dlcontainer.mirrorHostPath when it is a boolean,
// else on exactly when the interpreter was requested. Error{ConfigInvalid} for a non-boolean value.
bool mirror_host_path(const config::DevcontainerConfig& config, const IdeState& state);

// Why a host folder cannot be mirrored at the same path (it would shadow the image's system
// folders), or nullopt when it can.
std::optional<std::string> mirror_refusal(const std::filesystem::path& folder);

// The mounts the IDE needs beyond the spec's: the mirror (unless refused, or the workspace is
// already mounted there) and each helpers folder that still exists on the host, read-only.
std::vector<engine::Mount> ide_mounts(const WorkspaceContext& ws, const IdeState& state);

// Adds ide_mounts() to a container about to be made (no-op when the IDE asked for nothing).
void add_ide_mounts(const WorkspaceContext& ws, engine::ContainerSpec& spec);

// The IDE helpers folder that a command-line word or PYTHONPATH entry points into, if any. The rule:
// an absolute path with a component named `helpers` or `helpers-pro`; the folder up to that
// component exists on the host, is not inside the workspace, and its path names a JetBrains product
// (contains, ignoring case, "pycharm", "jetbrains", "intellij" or "python-ce"). PyCharm passes its
// helper scripts this way (`.../plugins/python-ce/helpers/pydev/pydevd.py`,
// `.../helpers/packaging_tool.py`), in both editions and from Toolbox, snap or tarball installs.
std::optional<std::string> ide_helpers_folder(const std::string& word, const std::filesystem::path& workspace);

}  // namespace dlc::core
