// Reaching a container's ports from the host without publishing them: a listener on the host whose
// every connection becomes a channel of the container's agent session (services/agent_session.h: one
// exec of `agent mux` for all of them, the way the editors' own port forwarding works), so that a
// service started long after `up` needs no new container.
#pragma once

#include <memory>
#include <mutex>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "support/cancel.h"

namespace dlc::services {

// One host address that reaches one port of a container.
struct Forward {
  std::string container_id;
  int container_port = 0;
  std::string host_ip = "127.0.0.1";
  int host_port = 0;
  int pid = 0;                     // the host process that serves it
  unsigned long long started = 0;  // that process's start time (tells a reused pid apart)
};
void to_json(nlohmann::json& j, const Forward& f);
void from_json(const nlohmann::json& j, Forward& f);

class PortForwarder {
 public:
  struct Options {
    std::string container_id;
    int container_port = 0;
    std::string container_host = "127.0.0.1";  // where the port is, seen from inside the container
    std::string host_ip = "127.0.0.1";
    int host_port = 0;   // the one wanted; 0: the container port's number. Taken: the next free one.
    bool exact = false;  // refuse to move to another port
  };

  // Joins (or starts) the container's agent session, binds now (so the port is known when this
  // returns) and accepts on a thread of its own. Error{PortUnavailable} when no port can be had.
  PortForwarder(engine::Engine engine, Options options);
  ~PortForwarder();  // stop()
  PortForwarder(const PortForwarder&) = delete;
  PortForwarder& operator=(const PortForwarder&) = delete;

  const Forward& forward() const { return forward_; }
  // Stops accepting and ends the connections in flight.
  void stop();
  // Connections carried so far (finished or not).
  int connections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  Forward forward_;
  std::thread acceptor_;
};

// Forwards that live on this host, whichever process serves them, recorded in
// $XDG_RUNTIME_DIR/dlcontainer-UID/forwards/ so that a second command finds the first one's.
namespace registry {
void add(const Forward& f);
void remove(const Forward& f);
// The live forwards of a container (all containers when id is ""); records of dead processes are dropped.
std::vector<Forward> list(const std::string& container_id = {});
std::optional<Forward> find(const std::string& container_id, int container_port);
}  // namespace registry

// How a front end keeps forwards alive while the user works.
class Forwarders {
 public:
  virtual ~Forwarders() = default;
  // A host port that reaches container_port: the live forward there is already, or a new one.
  virtual Forward ensure(const engine::Engine& engine, const std::string& container_id, int container_port,
                         int preferred_host_port = 0) = 0;
};

// Forwards served by this process for as long as it lives (the JSON-RPC server, a foreground
// command). They are registered, so other commands see and reuse them.
class InProcessForwarders : public Forwarders {
 public:
  InProcessForwarders() = default;
  ~InProcessForwarders() override;  // stop_all()
  Forward ensure(const engine::Engine& engine, const std::string& container_id, int container_port,
                 int preferred_host_port = 0) override;
  // Stops this process's forwards to one container (it stopped: its ports are gone); how many.
  int stop(const std::string& container_id);
  void stop_all();

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, int>, std::unique_ptr<PortForwarder>> forwarders_;
};

// The command line's way: each forward is served by a detached process of its own (forked from this
// one, in its own session) that ends when the container stops or when it is sent SIGTERM.
class DetachedForwarders : public Forwarders {
 public:
  Forward ensure(const engine::Engine& engine, const std::string& container_id, int container_port,
                 int preferred_host_port = 0) override;
};

// Serves one forward in this process until the container stops or `cancel` is cancelled; calls
// on_ready once it listens. What `dlcontainer forward` runs in the foreground.
void serve_forward(const engine::Engine& engine, const PortForwarder::Options& options,
                   const std::function<void(const Forward&)>& on_ready, const CancelToken& cancel);

// Ends the detached process that serves a forward (SIGTERM); false when none serves it.
bool stop_forward(const std::string& container_id, int container_port);

}  // namespace dlc::services
