// serve: the JSON-RPC server that editors start (docs/protocol.md).
#include <signal.h>

#include <cstdio>

#include "cli/cli.h"
#include "rpc/methods.h"
#include "rpc/server.h"
#include "support/error.h"

namespace dlc::cli {

void add_serve_commands(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("serve", "serve JSON-RPC 2.0 (LSP framing) to editors, on stdio or a unix socket");
  auto stdio = std::make_shared<bool>(false);
  auto socket = std::make_shared<std::string>();
  auto no_events = std::make_shared<bool>(false);
  auto* stdio_opt = cmd->add_flag("--stdio", *stdio, "one client on stdin/stdout: how an editor starts it");
  auto* socket_opt = cmd->add_option("--socket", *socket, "listen on a unix socket at PATH (mode 0600, clients of your uid only)");
  stdio_opt->excludes(socket_opt);
  cmd->add_flag("--no-events", *no_events,
                "do not follow engine events: no workspace/didChangeStatus, and status asks the engine every time");
  cmd->footer("docs/protocol.md describes the methods, notifications and error codes.");
  cmd->callback([&ctx, stdio, socket, no_events] {
    if (!*stdio && socket->empty()) {
      throw Error(ErrorCode::InvalidArgument, "serve needs --stdio or --socket PATH",
                  "editors start `dlcontainer serve --stdio`; several clients can share `--socket PATH`");
    }
    // A client that goes away mid-write must cost an error on that write, not the process.
    ::signal(SIGPIPE, SIG_IGN);
    rpc::ServerOptions options;
    options.version = DLC_VERSION;
    options.watch_events = !*no_events;
    options.default_host = ctx.host;
    options.on_listening = [](const std::string& path) { std::fprintf(stderr, "dlcontainer: serving on %s\n", path.c_str()); };
    rpc::Server server(std::move(options), rpc::default_methods());
    ctx.exit_status = *stdio ? server.serve_stdio() : server.serve_socket(*socket);
  });
}

}  // namespace dlc::cli
