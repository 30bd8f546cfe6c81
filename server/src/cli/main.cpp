#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <iostream>

#include "cli/build_info.h"
#include "cli/cli.h"
#include "cli/terminal.h"
#include "support/error.h"

namespace dlc::cli {

core::Workspaces& Context::workspaces() {
  if (!workspaces_) workspaces_ = std::make_unique<core::Workspaces>(engine::Engine::connect(core::engine_endpoint(host)));
  return *workspaces_;
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

std::string version_text() {
  std::string build = kBuildType;
  if (*kBuildVariant != '\0') build += std::string(", ") + kBuildVariant;
  return std::string("dlcontainer ") + DLC_VERSION + " (commit " + kBuildCommit + ", " + build + ")";
}

namespace {

void print_error(const Error& e) {
  std::fprintf(stderr, "%s %s\n", paint(2, "error:", "1;31").c_str(), e.what());
  if (!e.hint().empty()) std::fprintf(stderr, "%s %s\n", paint(2, "hint:", "1;33").c_str(), e.hint().c_str());
}

}  // namespace

}  // namespace dlc::cli

std::vector<std::string> dlc::cli::Context::trailing_command(std::vector<std::string> before_dashes) {
  after_dashes_used = true;
  if (!before_dashes.empty() && !after_dashes.empty()) before_dashes.push_back("--");
  before_dashes.insert(before_dashes.end(), after_dashes.begin(), after_dashes.end());
  return before_dashes;
}

namespace {
constexpr const char* kHostHelp =
    "the engine: unix:///path, tcp://HOST:2376 (TLS from DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) or "
    "ssh://[user@]HOST[:port]; default: DOCKER_HOST, the docker context, \"host\" in the user config, "
    "the local socket";
}  // namespace

void dlc::cli::takes_command_line(CLI::App* cmd, Context& ctx) {
  cmd->prefix_command();
  // The program's fallthrough would hand the command's own options (`python -c`) to dlcontainer.
  cmd->fallthrough(false);
  cmd->add_option("-H,--host", ctx.host, kHostHelp);
}

int main(int argc, char** argv) {
  using namespace dlc;
  auto logger = spdlog::stderr_color_mt("dlcontainer");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"dlcontainer: open a deep-learning repository in a GPU container that works on the first try"};
  app.require_subcommand(1);
  app.set_version_flag("--version", cli::version_text());
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "log what is done, for debugging");
  std::string engine_kind;
  app.add_option("--engine", engine_kind, "the local engine: docker or podman (default: DLC_ENGINE, else Docker's socket, "
                                          "else Podman's)")
      ->check(CLI::IsMember({"docker", "podman"}));
  app.parse_complete_callback([&] {
    if (verbose) spdlog::set_level(spdlog::level::debug);
    // Read where the endpoint is chosen (engine/podman.h), for every command and the server alike.
    if (!engine_kind.empty()) ::setenv("DLC_ENGINE", engine_kind.c_str(), 1);
  });

  cli::Context ctx;
  app.add_option("-H,--host", ctx.host, kHostHelp);
  // Options of the program are accepted after the command too: `dlcontainer up --host ssh://gpu1 .`
  app.fallthrough();
  cli::add_workspace_commands(app, ctx);
  cli::add_gpu_commands(app, ctx);
  cli::add_pycharm_commands(app, ctx);
  cli::add_serve_commands(app, ctx);
  cli::add_service_commands(app, ctx);
  cli::add_plan_commands(app, ctx);
  cli::add_spec_command(app);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (auto dashes = std::find(args.begin(), args.end(), "--"); dashes != args.end()) {
    ctx.after_dashes.assign(dashes + 1, args.end());
    args.erase(dashes, args.end());
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
  try {
    app.name(argv[0]);
    app.parse(args);
    if (!ctx.after_dashes.empty() && !ctx.after_dashes_used)
      throw CLI::ExtrasError(ctx.after_dashes);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const Error& e) {
    cli::print_error(e);
    return 1;
  } catch (const std::exception& e) {
    cli::print_error(Error(ErrorCode::Internal, e.what(), "this is a bug in dlcontainer; please report it with -v output"));
    return 1;
  }
  return ctx.exit_status;
}
