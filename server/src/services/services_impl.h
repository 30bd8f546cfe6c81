// What the starters of services share inside Services (services.cpp, and jupyter.cpp, tensorboard.cpp,
// code_server.cpp, debuggers.cpp): the snapshot of what runs in the container, and the guard that ends
// a start that was cancelled.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "services/exec_control.h"
#include "services/services.h"
#include "support/error.h"

namespace dlc::services {

struct Services::Snapshot {
  struct Record {
    nlohmann::json data;
    std::string kind;
    int port = 0;
    int pid = 0;
  };
  struct Listener {
    int port = 0;
    std::string addr;
    int pid = 0;
    std::string name;
  };
  std::vector<Record> records;  // of processes that still run
  std::vector<Listener> listeners;

  const Listener* listener(int port) const {
    for (const auto& l : listeners)
      if (l.port == port) return &l;
    return nullptr;
  }
  // A service runs when its process does and something listens on its port.
  std::vector<const Record*> live(const std::string& kind = {}) const {
    std::vector<const Record*> out;
    for (const auto& r : records)
      if ((kind.empty() || r.kind == kind) && listener(r.port)) out.push_back(&r);
    return out;
  }
};

template <class Fn>
void Services::stopping_if_cancelled(const int& pid, Fn&& start) {
  try {
    start();
  } catch (const Error&) {
    // A cancelled start leaves nothing behind: the service would otherwise run on unrecorded. One that
    // cannot be ended is said (its error replaces the cancel).
    if (cancel_.cancelled() && pid > 0) signal_process(engine_, target_.container_id, pid, "KILL");
    throw;
  }
}

}  // namespace dlc::services
