#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <cstdio>
#include <random>
#include <thread>

#include <boost/asio/error.hpp>

#include "engine/engine.h"
#include "engine/stream.h"
#include "support/error.h"

namespace dlc::engine {

using json = nlohmann::json;

namespace {

// Marks an exec's processes in their environment: unique per exec, and inherited by what it starts.
std::string new_marker() {
  std::random_device rd;
  char buf[64];
  std::snprintf(buf, sizeof buf, "DLCONTAINER_EXEC=%08x%08x%08x", rd(), rd(), rd());
  return buf;
}

}  // namespace

std::string Engine::create_exec(const std::string& container, const ExecSpec& spec) const {
  json body = {{"AttachStdin", spec.attach_stdin}, {"AttachStdout", true}, {"AttachStderr", true},
               {"Tty", spec.tty},                   {"Cmd", spec.cmd},     {"Privileged", spec.privileged}};
  if (!spec.env.empty()) body["Env"] = spec.env;
  if (!spec.user.empty()) body["User"] = spec.user;
  if (!spec.working_dir.empty()) body["WorkingDir"] = spec.working_dir;
  auto r = call("POST", "/containers/" + url_encode(container) + "/exec", body.dump());
  if (r.status == 404) {
    throw Error(ErrorCode::ContainerNotFound, "container " + container + " does not exist",
                "run `dlcontainer up` to create it");
  }
  if (r.status == 409) {
    throw Error(ErrorCode::ContainerNotRunning, "the container is not running: " + error_message(r),
                "start it with `dlcontainer up`");
  }
  check(r, "starting a command in " + container);
  return read_reply(r.body, "starting a command", [](const json& j) { return j.at("Id").get<std::string>(); });
}

ExecState Engine::inspect_exec(const std::string& exec_id) const {
  auto r = call("GET", "/exec/" + url_encode(exec_id) + "/json");
  check(r, "inspecting exec " + exec_id);
  return read_reply(r.body, "inspecting exec " + exec_id, [](const json& j) {
    ExecState s;
    s.container_id = j.value("ContainerID", "");
    s.running = j.value("Running", false);
    s.pid = j.value("Pid", 0);
    if (auto code = j.find("ExitCode"); code != j.end() && code->is_number()) s.exit_code = code->get<int>();
    return s;
  });
}

void Engine::resize_exec(const std::string& exec_id, int rows, int cols) const {
  auto r = call("POST", "/exec/" + url_encode(exec_id) + "/resize?h=" + std::to_string(rows) + "&w=" + std::to_string(cols));
  (void)r;  // a resize that races the process's exit is harmless
}

int Engine::run_exec(const std::string& container, const ExecSpec& spec, ExecIO& io, const CancelToken& cancel) const {
  cancel.throw_if_cancelled();
  // A remote engine's connection is dear to open (an ssh channel and a dial-stdio, a TLS handshake):
  // the one the command's streams take over is opened while the exec is created on a kept one.
  std::future<std::unique_ptr<Connection>> early;
  if (!endpoint_.local()) early = std::async(std::launch::async, [&] { return std::make_unique<Connection>(endpoint_, cancel); });
  io.marker = exec_control_ ? new_marker() : "";
  ExecSpec marked = spec;
  if (!io.marker.empty()) marked.env.push_back(io.marker);
  std::string exec_id = create_exec(container, marked);
  if (io.on_created) io.on_created(exec_id);

  // Closing the stream does not stop the process: the ExecControl does, or says why it could not.
  auto stop_if_cancelled = [&] {
    if (!cancel.cancelled()) return;
    if (!exec_control_) {
      throw Error(ErrorCode::Cancelled, "cancelled; the command was not stopped and may still run in the container",
                  "stop it in the container, or restart the container");
    }
    exec_control_->stop(*this, container, io.marker);
    throw Error(ErrorCode::Cancelled, "cancelled");
  };
  auto owned = early.valid() ? early.get() : std::make_unique<Connection>(endpoint_, cancel);
  Connection& conn = *owned;
  json start = {{"Detach", false}, {"Tty", spec.tty}};
  Response r;
  try {
    r = conn.hijack(path("/exec/" + url_encode(exec_id) + "/start"), start.dump());
  } catch (const Error&) {
    stop_if_cancelled();  // a cancel while it starts: the command may have started all the same
    throw;
  }
  if (r.status >= 400) check(r, "starting the command");
  if (spec.tty && io.initial_size) resize_exec(exec_id, io.initial_size->first, io.initial_size->second);

  ByteStream& stream = conn.raw();
  Demuxer demux(io.on_stdout, io.on_stderr);
  auto deliver = [&](std::string_view data) {
    if (spec.tty) {
      if (io.on_stdout) io.on_stdout(data);
    } else {
      demux.feed(data);
    }
  };
  deliver(conn.take_leftover());
  auto send = [&](std::string_view data) {
    error_code ec;
    stream.write_all(data.data(), data.size(), ec);
    if (ec && ec != boost::asio::error::operation_aborted) {
      throw Error(ErrorCode::EngineUnavailable, "lost the exec stream: " + ec.message());
    }
  };

  bool stdin_open = spec.attach_stdin;
  if (stdin_open && io.stdin_fd < 0) {
    if (io.stdin_data) send(*io.stdin_data);
    stream.shutdown_write();
    stdin_open = false;
  }

  char buf[64 * 1024];
  for (;;) {
    pollfd fds[4];
    nfds_t n = 0;
    fds[n++] = {stream.poll_fd(), POLLIN, 0};
    fds[n++] = {stream.interrupt_fd(), POLLIN, 0};
    int stdin_slot = -1, wake_slot = -1;
    if (stdin_open) {
      stdin_slot = static_cast<int>(n);
      fds[n++] = {io.stdin_fd, POLLIN, 0};
    }
    if (io.wake_fd >= 0) {
      wake_slot = static_cast<int>(n);
      fds[n++] = {io.wake_fd, POLLIN, 0};
    }
    // TLS may hold decrypted output that the socket no longer shows: read it before waiting.
    int ready = stream.pending() ? 0 : ::poll(fds, n, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;  // cancelled
    if (stream.pending() || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      error_code ec;
      std::size_t got = stream.read_some(buf, sizeof buf, ec);
      if (ec) break;  // the command ended (or the stream was interrupted by a cancel)
      deliver(std::string_view(buf, got));
    }
    if (stdin_slot >= 0 && (fds[stdin_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = ::read(io.stdin_fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        stream.shutdown_write();  // the command sees end of input
        stdin_open = false;
      } else {
        send(std::string_view(buf, static_cast<std::size_t>(got)));
      }
    }
    if (wake_slot >= 0 && (fds[wake_slot].revents & POLLIN) && io.on_wake) io.on_wake(exec_id);
  }

  // A cancelled command's stream is closed before it is stopped: while it stays open and unread, the
  // engine waits on it, and the exec that stops the command (another exec in the same container) waits
  // behind it.
  if (cancel.cancelled()) owned.reset();
  stop_if_cancelled();

  // The stream closes as the process exits; the engine may record the exit a moment later.
  for (int i = 0; i < 200; ++i) {
    auto state = inspect_exec(exec_id);
    if (!state.running && state.exit_code) return *state.exit_code;
    std::this_thread::sleep_for(std::chrono::milliseconds(i < 20 ? 1 : 10));
  }
  throw Error(ErrorCode::EngineError, "the command's stream ended but the engine still reports it running",
              "check the container with `dlcontainer status`");
}

void Engine::signal_exec(const std::string& exec_id, const std::string& marker, const std::string& signal) const {
  if (!exec_control_ || marker.empty()) {
    throw Error(ErrorCode::Internal, "no way to signal a command in the container was set up");
  }
  auto state = inspect_exec(exec_id);
  if (!state.running) return;
  exec_control_->signal(*this, state.container_id, marker, signal);
}

}  // namespace dlc::engine
