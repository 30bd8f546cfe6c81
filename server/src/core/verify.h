// `verify`: inside a workspace's running container, prove that the GPU works: nvidia-smi, the
// framework sees the GPU, and a short training run's loss falls. On a container without GPUs the same
// run happens on the CPU, and the result says so.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/workspace.h"
#include "engine/engine.h"

namespace dlc::core {

struct VerifyParams {
  std::string workspace = ".";
  bool require_gpu = false;  // fail unless the training ran on a GPU
  int steps = 300;
  std::string framework;     // pytorch | tensorflow | paddlepaddle; "" : the first one installed
  std::string python;        // the interpreter; "" : python3, else python, on the remote user's PATH
};

struct VerifyResult {
  bool passed = false;
  std::string workspace;
  std::string container_name;
  gpu::Attachment gpu;          // what the container was given (its label)
  int exit_code = 0;            // the probe's
  nlohmann::json probe;         // what the probe reported: framework, device, stepsPerSecond, losses, nvidiaSmi
  std::vector<std::string> problems;
  std::string summary;          // one line
};
void from_json(const nlohmann::json& j, VerifyParams& p);
void to_json(nlohmann::json& j, const VerifyResult& r);

// Runs the probe (shipped in the binary, fed to Python on stdin) as the workspace's remote user;
// its output goes to `output` as it comes. Error{ContainerNotFound|ContainerNotRunning} without a
// running container.
VerifyResult verify(Workspaces& workspaces, const VerifyParams& params, const engine::OutputSink& output);

// The verdict from the probe's report (pure, so it is tested without a container).
void judge(VerifyResult& r, bool require_gpu);

}  // namespace dlc::core
