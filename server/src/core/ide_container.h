// What an IDE needs of the workspace's container beyond the spec's: the workspace again at its host
// path (customizations.dlcontainer.mirrorHostPath), so that the paths the IDE passes need no mapping;
// the IDE's helper scripts (PyCharm's helpers folder) read-only at their host paths; and the SSH
// port (customizations.dlcontainer.ssh). These are fixed when a container is made, so a container
// that lacks them is re-created, but never under a running command.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/container_plan.h"
#include "core/workspace.h"
#include "engine/types.h"
#include "support/runtime_dir.h"

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

// The port sshd listens on in the container (customizations.dlcontainer.ssh), published on the
// host's loopback only.
inline constexpr int kSshContainerPort = 2222;
// customizations.dlcontainer.ssh; Error{ConfigInvalid} for a non-boolean value.
bool ssh_enabled(const config::DevcontainerConfig& config);

// Adds ide_mounts() and the SSH port to a container about to be made (no-op when nothing is asked).
void add_ide_options(const WorkspaceContext& ws, engine::ContainerSpec& spec, const PortPicker& pick_port);

// A flock on a per-workspace file. Each run of the interpreter wrapper holds it shared for the life
// of its exec; a re-create takes it exclusive, so that it never kills a run that a wrapper started.
class IdeLock {
 public:
  IdeLock(const std::filesystem::path& folder, int flock_operation);
  bool held() const { return lock_.held(); }

 private:
  FileLock lock_;
};

struct EnsuredContainer {
  engine::ContainerInfo info;
  bool recreated = false;
};

// The workspace's container, running (brought up when it is not), with everything above. A container
// that lacks some of it is re-created from its image, but only when no command runs in it: else
// Error{Conflict} with a hint. `shared` is the caller's shared IdeLock (a wrapper run), or null.
EnsuredContainer ensure_ide_container(Workspaces& workspaces, const std::filesystem::path& folder,
                                      const std::string& explicit_config, std::unique_ptr<IdeLock>* shared,
                                      ProgressSink& progress, const CancelToken& cancel);

// Commands running in a container besides its main process ("PID COMMAND LINE" each).
std::vector<std::string> running_execs(const engine::Engine& engine, const std::string& container, const CancelToken& cancel);

// Runs a command in a container and collects its output.
struct Collected {
  int status = -1;
  std::string out, err;
};
Collected run_collected(const engine::Engine& engine, const std::string& container, engine::ExecSpec spec,
                        const CancelToken& cancel = {});

// The IDE helpers folder that a command-line word or PYTHONPATH entry points into, if any. The rule:
// an absolute path with a component named `helpers` or `helpers-pro`; the folder up to that
// component exists on the host, is not inside the workspace, and its path names a JetBrains product
// (contains, ignoring case, "pycharm", "jetbrains", "intellij" or "python-ce"). PyCharm passes its
// helper scripts this way (`.../plugins/python-ce/helpers/pydev/pydevd.py`,
// `.../helpers/packaging_tool.py`), in both editions and from Toolbox, snap or tarball installs.
std::optional<std::string> ide_helpers_folder(const std::string& word, const std::filesystem::path& workspace);

}  // namespace dlc::core
