// The agent's one-connection commands, kept for what still runs them:
//   agent connect HOST PORT           stdin/stdout <-> one TCP connection to HOST:PORT in the container
//   agent listen [--bind ADDR] PORT   accept on ADDR:PORT (127.0.0.1) in the container; every connection
//                                     travels multiplexed over stdin/stdout to the host (protocol.h);
//                                     what reverse forwards run
#pragma once

namespace dlc::agent {

int cmd_connect(int argc, char** argv);
int cmd_listen(int argc, char** argv);

}  // namespace dlc::agent
