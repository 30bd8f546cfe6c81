// Setting a container up for its user, as the reference does at every `up`: the system's shell
// files patched so that login shells keep the image's PATH, the user's environment probed through
// their shell (userEnvProbe), and the lifecycle commands run at their moments.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/container_settings.h"
#include "core/lifecycle.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

// Once per container (markers in /var/devcontainer, the reference's): appends the container's
// environment to /etc/environment (for PAM sessions) and makes /etc/profile keep a PATH it is given
// instead of resetting it, so that `bash -l` as a non-root user still finds the image's tools.
void patch_system_files(const engine::Engine& engine, const engine::ContainerInfo& info);
// The patch's shell script: run as root, its standard input the /etc/environment lines to append.
std::string system_patch_script();

// The environment `user`'s shell starts with, as userEnvProbe asks ("none": empty). Probed once per
// container start, user and kind, then remembered on this host (under $XDG_CACHE_HOME/dlcontainer/env):
// a shell that takes over 10 s is given up on, with a warning.
std::map<std::string, std::string> probe_user_env(const engine::Engine& engine, const engine::ContainerInfo& info,
                                                  const std::string& user, const std::string& probe,
                                                  std::vector<std::string>* warnings, const CancelToken& cancel = {});

// What commands run with: the probed environment, then remoteEnv (with ${containerEnv:VAR} taken
// from the container's environment; null removes a variable), as KEY=VALUE.
std::vector<std::string> command_environment(const std::map<std::string, std::string>& probed,
                                             const std::map<std::string, std::optional<std::string>>& remote_env,
                                             const std::vector<std::string>& container_env);

struct HookOptions {
  bool skip_post_attach = false;   // --skip-post-attach
  bool skip_non_blocking = false;  // --skip-non-blocking-commands: stop after waitFor
  bool patched_at_start = false;   // the container's own start patched the system files (core/start_patch.h)
};

// Runs the lifecycle commands the container is due, in the spec's order, each entry's in turn:
// onCreate, updateContent and postCreate once per container, postStart once per start, postAttach at
// every call. Appends the names of the hooks that ran to `ran`.
//
// The system files are patched first (patch_system_files). What costs an exec is done only when needed,
// since each is ~50 ms of a cold start that is otherwise the engine's create and start:
// - `fresh` (this call made the container): no marker is read, as none can hold its new stamps;
// - `probe` (fills ctx.env with the user's environment) is called only before a command runs;
// - the patch and the markers of hooks with nothing to run share one exec when the user is root;
// - a `fresh` container whose start patched the system files and that has nothing to run costs no exec:
//   its markers (every hook due, none with a command) are written by the next `up`, which reads them
//   in an exec it makes anyway, finds them due and writes them with the patch's (a no-op by then).
void run_user_commands(const engine::Engine& engine, const engine::ContainerInfo& info, const ContainerSettings& settings,
                       CommandContext& ctx, const HookOptions& options, bool fresh,
                       const std::function<void(CommandContext&)>& probe, std::vector<std::string>& ran,
                       std::vector<std::string>& warnings, ProgressSink& progress, const CancelToken& cancel);

}  // namespace dlc::core
