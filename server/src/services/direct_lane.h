// The host's end of the direct lane (agent/mux_protocol.h): where the host can reach the container's
// own address, a forwarded connection goes straight to the agent's listener there, relayed by
// splice(2) on both sides, instead of as a channel of the exec stream (which moves ~80-150 MB/s).
// The agent session (services/agent_session.h) asks for the lane and falls back to the stream.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace dlc::services {

struct DirectLane {
  std::string address;  // the container's IPv4 address, as its agent found it
  int port = 0;
  std::string secret;   // hex, agent::mux::kSecretBytes of the system's randomness
};

// A new secret for a lane: kSecretBytes from getrandom(2), as hex.
std::string new_lane_secret();

// Whether sessions ask for the lane at all: the engine is on this machine (its bridge addresses are
// routable from here; a remote engine's or a Slurm node's are not), and DLC_FORWARD_LANE is not
// "stream" (the knob that keeps every connection on the exec stream, for benchmarks and diagnosis).
bool direct_lane_wanted(bool engine_local);

// A connection to the lane that has presented the secret and asked for host:port; -1 when the
// lane cannot be reached within timeout_ms (no route, refused, nothing answers).
int dial_direct(const DirectLane& lane, const std::string& host, int port, int timeout_ms = 300);

// The relays of a session's direct connections, each on threads of its own until both directions
// end; ended at once by a forward that stops (close_owner) or a session that ends (close_all).
class DirectRelays : public std::enable_shared_from_this<DirectRelays> {
 public:
  // Takes both descriptors.
  void start(int client, int direct, int owner);
  void close_owner(int owner);
  void close_all();
  int live() const;

 private:
  struct Ends {
    int client, direct, owner;
  };
  void shut(const Ends& e);
  mutable std::mutex mu_;
  std::map<long, Ends> live_;
  long next_ = 0;
};

}  // namespace dlc::services
