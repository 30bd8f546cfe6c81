// `dlcontainer gpus --cdi`: a CDI spec for this host's GPUs without the NVIDIA container toolkit, from
// the facts NVML gives and the files discovery finds (gpu/cdi.h), printed or written to a file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpu/discovery.h"
#include "gpu/host_facts.h"

namespace dlc::core {

struct CdiParams {
  std::string output;  // "" : the text is returned, not written
  std::string host;    // --host: the spec is made from this machine's GPUs, so only a local engine is accepted
};

struct CdiResult {
  std::string output;          // the file written ("" when none)
  bool replaced = false;       // it replaced an earlier spec of ours
  std::string driver_version;  // the driver it describes
  std::vector<std::string> devices;  // nvidia.com/gpu=0, ..., nvidia.com/gpu=all
  std::vector<std::string> notes;    // what a user of the spec should know
  std::string text;                  // the spec as written
};
void to_json(nlohmann::json& j, const CdiResult& r);

// Writes the spec (atomically). Error{InvalidArgument} when the engine (params.host, DOCKER_HOST, the
// docker context) is on another machine: the spec describes this machine's GPUs, read here, and a spec
// for that machine is made there. An existing file that this program did not write is never replaced:
// Error{InvalidArgument} naming it. Error{GpuUnavailable} without a driver or GPU; Error{Internal}
// when the file cannot be written (with the hint to run as root for /etc/cdi).
CdiResult write_cdi_spec(const CdiParams& params, const gpu::ProbeOptions& probe = {},
                         const gpu::DiscoveryOptions& discovery = {});

}  // namespace dlc::core
