// interpreter, python: the container's Python as a local interpreter for PyCharm (or any IDE).
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli/cli.h"
#include "cli/terminal.h"
#include "core/interpreter.h"
#include "core/ssh.h"
#include "support/error.h"

extern char** environ;

namespace dlc::cli {

namespace {

void print_libs(const core::LibsMirror& m) {
  std::printf("  libraries  %s (%s, %llu files, read-only%s)\n", m.root.c_str(), core::format_size(m.bytes).c_str(),
              static_cast<unsigned long long>(m.files), m.refreshed ? "; copied now" : "");
  for (const auto& p : m.paths) {
    std::printf("    %-9s %s -> %s\n", p.kind.c_str(), p.container.c_str(), p.host.c_str());
  }
  for (const auto& n : m.notes) std::printf("  %s %s\n", paint(1, "!", "33").c_str(), n.c_str());
}

void print_interpreter(const core::InterpreterResult& r) {
  std::printf("%s interpreter %s\n", paint(1, "✔", "32").c_str(), r.interpreter.c_str());
  std::printf("  python     %s %s (container %s)\n", r.python.c_str(), r.python_version.c_str(), r.container_id.substr(0, 12).c_str());
  if (r.mirror_host_path) {
    std::printf("  workspace  %s (at the same path in the container)\n", r.workspace.c_str());
  } else {
    std::printf("  workspace  %s -> %s (paths are mapped)\n", r.workspace.c_str(), r.remote_workspace_folder.c_str());
    if (!r.mirror_note.empty()) std::printf("  %s not mirrored: %s\n", paint(1, "!", "33").c_str(), r.mirror_note.c_str());
  }
  for (const auto& h : r.helpers) std::printf("  helpers    %s (read-only)\n", h.c_str());
  if (r.recreated) std::printf("  the container was re-created to add these mounts\n");
  if (r.libs) print_libs(*r.libs);
  std::printf("  PyCharm: Settings > Python Interpreter > Add Interpreter > Local > Existing: %s\n", r.interpreter.c_str());
}

std::map<std::string, std::string> host_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

}  // namespace

void add_pycharm_commands(CLI::App& app, Context& ctx) {
  {
    auto* cmd = app.add_subcommand("interpreter", "bring the workspace up and write a python wrapper an IDE can use as its interpreter");
    auto params = std::make_shared<core::InterpreterParams>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
    cmd->add_option("--config", params->config, "the devcontainer.json to use (default: found in the folder)");
    cmd->add_option("--helpers", params->helpers, "an IDE helpers folder to mount read-only now (PyCharm's <install>/plugins/python-ce/helpers)");
    auto no_libs = std::make_shared<bool>(false);
    auto max_size = std::make_shared<std::string>();
    cmd->add_flag("--refresh", params->libs_options.refresh,
                  "copy the container's libraries for the editor again (after a pip install in the container)");
    cmd->add_flag("--no-libs", *no_libs, "do not copy the container's libraries for the editor");
    cmd->add_option("--libs-max-size", *max_size,
                    "the cap on that copy, e.g. 2GiB (default: config.json's libs.maxSize, else 1GiB)");
    cmd->add_flag("--json", *json, "print one JSON result object");
    cmd->callback([&ctx, params, json, no_libs, max_size] {
      if (*no_libs && (params->libs_options.refresh || !max_size->empty())) {
        throw Error(ErrorCode::InvalidArgument, "--no-libs contradicts --refresh and --libs-max-size", "give one or the other");
      }
      params->libs = !*no_libs;
      if (!max_size->empty()) {
        params->libs_options.max_bytes = core::parse_size(*max_size);
        if (!params->libs_options.max_bytes) {
          throw Error(ErrorCode::InvalidArgument, "--libs-max-size " + *max_size + " is not a size",
                      "give it with a unit, e.g. --libs-max-size 2GiB (or 512MiB)");
        }
      }
      TerminalProgress progress(/*quiet=*/*json && !::isatty(2));
      auto r = core::setup_interpreter(ctx.workspaces_for(params->workspace), *params, progress);
      if (*json) print_json(r); else print_interpreter(r);
    });
  }
  {
    auto* cmd = app.add_subcommand("python", "run the container's python as if it were this machine's (what the wrapper runs)");
    auto workspace = std::make_shared<std::string>(".");
    cmd->add_option("-w,--workspace", *workspace, "the repository folder (default: .)");
    takes_command_line(cmd, ctx);
    cmd->footer("usage: dlcontainer python [-w WORKSPACE] [--] [PYTHON ARGS...]");
    cmd->callback([&ctx, cmd, workspace] {
      core::PythonParams params;
      params.workspace = *workspace;
      params.args = ctx.trailing_command(cmd->remaining());
      if (!params.args.empty() && params.args.front() == "--") params.args.erase(params.args.begin());
      std::error_code ec;
      params.cwd = std::filesystem::current_path(ec).string();
      params.env = host_environment();
      // An IDE reads the helpers' output: progress only where a person watches.
      TerminalProgress progress(/*quiet=*/!::isatty(2));
      auto launch = core::prepare_python(ctx.workspaces_for(params.workspace), params, progress);
      ctx.exit_status = run_exec(ctx, launch.exec, false, false);
    });
  }
  {
    auto* cmd = app.add_subcommand("ssh-config", "start SSH in the container (customizations.dlcontainer.ssh) and print its ssh_config Host entry");
    auto params = std::make_shared<core::SshConfigParams>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
    cmd->add_option("--config", params->config, "the devcontainer.json to use (default: found in the folder)");
    cmd->add_flag("--json", *json, "print one JSON result object");
    cmd->footer("usage: ssh -F <(dlcontainer ssh-config) HOST, or append it to ~/.ssh/config");
    cmd->callback([&ctx, params, json] {
      // stdout is the config itself (ssh -F <(...) reads it): progress goes to a terminal only.
      TerminalProgress progress(/*quiet=*/!::isatty(2));
      auto r = core::ssh_config(ctx.workspaces_for(params->workspace), *params, progress);
      if (*json) print_json(r); else std::fputs(r.config_text.c_str(), stdout);
    });
  }
}

}  // namespace dlc::cli
