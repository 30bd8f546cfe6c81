// Dialling a slurm:// engine's connections one ahead, for a flow that makes many. Public: core/ holds
// one around `up`; the spares themselves live with the kept connections (dial.cpp).
#pragma once

#include <string>

#include "engine/endpoint.h"

namespace dlc::engine {

// While one is alive, connections to a slurm:// engine are dialled one ahead: each taken starts the
// next (an srun step launch takes ~1 s before the first byte), so a flow that makes many (up) waits
// for few. The spare left over is ended with the last DialAhead of its engine. Other transports: no effect.
class DialAhead {
 public:
  explicit DialAhead(const Endpoint& endpoint);
  ~DialAhead();
  DialAhead(const DialAhead&) = delete;
  DialAhead& operator=(const DialAhead&) = delete;

 private:
  std::string key_;
};

}  // namespace dlc::engine
