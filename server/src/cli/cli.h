// The command line front end: parses flags, calls core/, renders results. No logic of its own.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/placement.h"
#include "core/workspace.h"

namespace dlc::cli {

// What every command shares: the engine connection (made when first needed, so that commands
// that do not need the daemon work without one) and the exit status to return.
class Context {
 public:
  core::Workspaces& workspaces();
  // The engine of a command on an existing workspace (services, forwards, debuggers, verify): --host,
  // else the running Slurm job recorded for the folder (core::engine_for), else the default engine.
  core::Workspaces& workspaces_for(const std::string& workspace) {
    host = core::engine_for(workspace, host);
    return workspaces();
  }
  // The engine's workspace service by URL, for core's placed commands (core/placed.h): sets host.
  std::function<core::Workspaces&(const std::string&)> workspaces_at() {
    return [this](const std::string& url) -> core::Workspaces& {
      host = url;
      return workspaces();
    };
  }
  int exit_status = 0;
  // --host: the engine to use ("" : DOCKER_HOST, the docker context, the user config, the default socket).
  std::string host;

  // CLI11 2.1 hands words after `--` in a subcommand to the parent app, so main() cuts them off
  // first. A command that takes a trailing command joins them back: `exec python -- x` keeps its `--`.
  std::vector<std::string> after_dashes;
  bool after_dashes_used = false;
  std::vector<std::string> trailing_command(std::vector<std::string> before_dashes);

 private:
  std::unique_ptr<core::Workspaces> workspaces_;
};

// A command whose words after its own options are a command line of their own (`exec python -c X`):
// those words are never read as dlcontainer's options (`-c` is python's), so it takes --host itself,
// before them. Sets CLI11's prefix_command.
void takes_command_line(CLI::App* cmd, Context& ctx);

// What --version prints: the version, the commit and the build (build_info.h).
std::string version_text();

// Prints a result: JSON on stdout with --json, else the human rendering.
void print_json(const nlohmann::json& j);

// Each file of cli/ adds its commands.
void add_workspace_commands(CLI::App& app, Context& ctx);
void add_gpu_commands(CLI::App& app, Context& ctx);

// One line on a container's GPUs: "direct: 0 NVIDIA H100 80GB HBM3", or "none (why)".
std::string gpu_summary(const gpu::Attachment& attachment);
void add_serve_commands(CLI::App& app, Context& ctx);
void add_service_commands(CLI::App& app, Context& ctx);
void add_plan_commands(CLI::App& app, Context& ctx);

void add_pycharm_commands(CLI::App& app, Context& ctx);
// The hidden __spec command: the definition of every command, for the man page and completions.
void add_spec_command(CLI::App& app);

// Runs a command in the workspace's container with this terminal's streams, passing ^C, TERM, HUP
// and window changes on; returns its exit status (workspace_commands.cpp).
int run_exec(Context& ctx, core::ExecParams params, bool force_tty, bool no_tty);

}  // namespace dlc::cli
