// `doctor`: can this host make a GPU container, and if not, exactly what to run. The measuring is
// apart from the verdicts, so that every verdict (and its fix) is tested without a GPU or a daemon.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/types.h"
#include "gpu/attach.h"
#include "gpu/cdi.h"
#include "gpu/discovery.h"
#include "gpu/host_facts.h"
#include "support/error.h"

namespace dlc::core {

struct DoctorCheck {
  std::string id;      // stable: driver, gpus, cuda, docker-installed, docker-running, docker-access, toolkit,
                       // cdi, cdi-stale, ldconfig, attach, disk, mirrors
  std::string title;   // "NVIDIA driver"
  std::string status;  // ok | warn | fail | info
  std::string result;  // what was found, in words
  std::string fix;     // for warn/fail: the exact thing to run or change
};

struct DoctorReport {
  bool ok = false;  // a GPU container can be made: no check failed
  std::string machine;  // the machine checked: "" for this one, else the remote engine's host
  std::string engine;   // the engine's URL
  std::string method;  // the attach method `up` would use: toolkit | cdi | direct | none
  std::string method_reason;
  std::vector<DoctorCheck> checks;
  gpu::HostFacts facts;
};
void to_json(nlohmann::json& j, const DoctorCheck& c);
void to_json(nlohmann::json& j, const DoctorReport& r);

// Everything measured on the host.
struct DoctorInputs {
  gpu::HostFacts facts;
  gpu::AttachEnvironment attach;
  std::vector<gpu::CdiSpecCheck> cdi_checks;  // each NVIDIA CDI spec against the running driver
  std::string engine_program;  // dockerd (or docker) found on the host; "" when neither is
  std::string engine_socket;   // the socket the engine is reached through
  bool engine_socket_exists = false;
  std::optional<Error> engine_error;  // connecting failed: EngineUnavailable, EnginePermission, ...
  std::optional<engine::SystemInfo> info;
  std::string disk_path;  // where the engine keeps images
  std::optional<std::int64_t> disk_free;  // bytes available there
  std::string user;       // this user's name, for the docker group fix
  std::string machine;    // "" : this machine; else the remote engine's host (its files read by the probe)
  std::string engine;     // the engine's URL
};

DoctorReport evaluate(const DoctorInputs& in);

// Measures the host of the engine `host` names ("" : the default engine, core/placement.h) and
// evaluates it.
DoctorReport doctor(const std::string& host = {});

}  // namespace dlc::core
