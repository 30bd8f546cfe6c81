// The other direction: programs in the container connect to a port on the container's own loopback
// and reach a port on the host, without --network host. One long exec of `agent listen` carries every
// such connection, multiplexed (agent/protocol.h). PyCharm's debugger needs this: pydevd connects
// back to the IDE at 127.0.0.1:PORT, which inside a container is the container itself.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "engine/engine.h"

namespace dlc::services {

class ReverseForwarder {
 public:
  struct Options {
    std::string container_id;
    int container_port = 0;              // where programs in the container connect (its 127.0.0.1)
    std::string host_ip = "127.0.0.1";   // what they reach on the host
    int host_port = 0;                   // 0: the same number as container_port
    std::string user;                    // who runs the agent ("" : the container's user)
  };

  // Puts the agent in the container if needed and returns once it listens there.
  // Error{PortUnavailable} when the container port is taken.
  ReverseForwarder(engine::Engine engine, Options options);
  ~ReverseForwarder();  // stop()
  ReverseForwarder(const ReverseForwarder&) = delete;
  ReverseForwarder& operator=(const ReverseForwarder&) = delete;

  // Ends the agent (so the port closes in the container) and every connection it carried.
  void stop();
  // Whether the agent still runs (it ends with the container).
  bool running() const;
  // Connections carried so far.
  int connections() const;
  const Options& options() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::thread exec_;
};

}  // namespace dlc::services
