// agent mux: the one session per container that carries every forwarded connection (mux_protocol.h).
// The host opens a channel per connection with a frame instead of a new exec each; this process
// connects in the container and relays, each channel within its own windows. It ends when its stdin
// ends (the host let go: every connection with it), and at a frame it cannot read.
#pragma once

namespace dlc::agent {

int cmd_mux(int argc, char** argv);

}  // namespace dlc::agent
