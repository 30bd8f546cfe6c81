// One agent session per container: a single exec of `agent mux` carries every forwarded connection
// as a channel with its own flow control (agent/mux_protocol.h, the shape of SSH's channels), so a
// new connection costs a frame, not an exec (an exec costs tens of milliseconds: the engine makes a
// process in the container each time). A session that ends (the agent killed, the container
// restarted) takes its connections with it; the next connection starts a new one.
// Where the host can reach the container's address, connections take the session's direct lane
// instead (services/direct_lane.h): the agent listens there, and the stream only carries the secret.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "services/direct_lane.h"

namespace dlc::services {

class AgentSession {
 public:
  // Puts the agent into the container when needed, starts `agent mux` and waits for its hello.
  // Error (the engine's, or CommandFailed with what the agent said) when it cannot start.
  // mux_args go to `agent mux` (tests: "--no-direct" answers as an agent from before the lane).
  AgentSession(engine::Engine engine, std::string container_id, std::vector<std::string> mux_args = {});
  ~AgentSession();  // stop()
  AgentSession(const AgentSession&) = delete;
  AgentSession& operator=(const AgentSession&) = delete;

  // Carries a connected socket to host:port in the container, and takes the descriptor: through the
  // direct lane when it is up, else (and from the first time it cannot be reached on) as a new
  // channel. False, with the descriptor still the caller's, when the session has ended.
  // `owner` tags the connection for close_owner().
  bool open(int client_fd, const std::string& host, int port, int owner = 0);
  // Ends the channels opened with this owner (a forward that stops).
  void close_owner(int owner);
  // Ends the agent (its stdin closes) and every channel.
  void stop();

  bool alive() const;
  int agent_pid() const;  // in the container's pid namespace
  int open_channels() const;  // connections carried now, either way
  // Where the direct lane listens in the container while new connections take it.
  std::optional<std::pair<std::string, int>> direct_lane() const;
  int direct_connections() const;  // carried through it so far

 private:
  bool open_direct(int client_fd, const std::string& host, int port, int owner);
  struct State;
  std::unique_ptr<State> state_;
  std::thread exec_, loop_;
};

// The live session of a container in this process, or a new one when there is none or it has ended.
// Sessions are shared by whoever holds them and end with the last holder.
std::shared_ptr<AgentSession> agent_session(const engine::Engine& engine, const std::string& container_id);
// Sessions this process has started (each is one exec), for tests and diagnostics.
int agent_sessions_started();

}  // namespace dlc::services
