#include "core/verify.h"

#include <sstream>

#include "gpu/verify_probe.h"
#include "support/error.h"

namespace dlc::core {

using json = nlohmann::json;

namespace {

// Finds an interpreter and runs the script from stdin; says so in the result line when there is none.
constexpr const char* kRunner =
    "py=\"$DLC_VERIFY_PYTHON\"; "
    "if [ -z \"$py\" ]; then for c in python3 python; do "
    "if command -v \"$c\" >/dev/null 2>&1; then py=$c; break; fi; done; fi; "
    "if [ -z \"$py\" ]; then echo '@@DLC_VERIFY {\"noPython\": true}'; exit 127; fi; "
    "exec \"$py\" - \"$@\"";

template <class T>
T value_or(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

}  // namespace

void judge(VerifyResult& r, bool require_gpu) {
  const json& p = r.probe;
  if (!p.is_object() || p.empty()) {
    r.problems.push_back("the probe gave no result (it exited with status " + std::to_string(r.exit_code) + ")");
  } else if (value_or(p, "noPython", false)) {
    r.problems.push_back("no python3 or python on the remote user's PATH in the container (pass --python PATH)");
  } else {
    for (const auto& text : value_or(p, "problems", std::vector<std::string>{})) r.problems.push_back(text);
    bool on_gpu = value_or(p, "onGpu", false);
    std::string framework = value_or<std::string>(p, "framework", "");
    if (r.gpu.attached() && !on_gpu && !framework.empty()) {
      std::string how = gpu::to_string(r.gpu.method);
      r.problems.push_back("GPUs were attached (" + how + ") but " + framework + " does not see one" +
                           (value_or<std::string>(p, "device", "").empty() ? "" : "; it trained on " + p.value("device", "")) +
                           ": is the framework built for CUDA, and does its CUDA fit the driver?");
    } else if (require_gpu && !on_gpu) {
      r.problems.push_back("training ran on the CPU and --require-gpu asks for a GPU (" +
                           (r.gpu.attached() ? "the container has GPUs" : "the container has no GPU: " + r.gpu.reason) + ")");
    }
    if (!framework.empty() && !value_or(p, "lossFell", false) && value_or(p, "steps", 0) > 0 &&
        std::none_of(r.problems.begin(), r.problems.end(), [](const std::string& s) { return s.find("loss") != std::string::npos; })) {
      r.problems.push_back("the loss did not fall");
    }
  }
  r.passed = r.problems.empty() && value_or(p, "lossFell", false);

  std::ostringstream s;
  if (r.passed) {
    s << (value_or(p, "onGpu", false) ? "GPU works: " : "CPU only (no GPU in this container): ");
    s << value_or<std::string>(p, "framework", "") << " " << value_or<std::string>(p, "frameworkVersion", "") << " trained on "
      << value_or<std::string>(p, "device", "") << " at " << value_or(p, "stepsPerSecond", 0.0) << " steps/s, loss "
      << value_or(p, "firstLoss", 0.0) << " -> " << value_or(p, "lastLoss", 0.0);
  } else {
    s << "verify failed: ";
    for (std::size_t i = 0; i < r.problems.size(); ++i) s << (i ? "; " : "") << r.problems[i];
    if (r.problems.empty()) s << "the loss did not fall";
  }
  r.summary = s.str();
}

VerifyResult verify(Workspaces& workspaces, const VerifyParams& params, const engine::OutputSink& output) {
  auto status = workspaces.status(StatusParams{.workspace = params.workspace});
  if (status.state == "none") {
    throw Error(ErrorCode::ContainerNotFound, "no container for " + status.workspace,
                "run `dlcontainer up " + status.workspace + "` first");
  }
  if (status.state != "running") {
    throw Error(ErrorCode::ContainerNotRunning, "the container for " + status.workspace + " is " + status.state,
                "start it with `dlcontainer up " + status.workspace + "`");
  }
  VerifyResult r;
  r.workspace = status.workspace;
  r.container_name = status.container_name;
  r.gpu = status.gpu;

  ExecParams exec;
  exec.workspace = status.workspace;
  exec.command = {"/bin/sh", "-c", kRunner, "dlcontainer-verify", "--steps", std::to_string(params.steps)};
  if (!params.framework.empty()) exec.command.insert(exec.command.end(), {"--framework", params.framework});
  if (!params.python.empty()) exec.env["DLC_VERIFY_PYTHON"] = params.python;
  exec.env["PYTHONUNBUFFERED"] = "1";
  exec.attach_stdin = true;

  engine::LineSplitter lines([&](std::string_view line) {
    if (line.starts_with(gpu::kVerifyResultMarker)) {
      r.probe = json::parse(line.substr(gpu::kVerifyResultMarker.size()), nullptr, false);
      if (r.probe.is_discarded()) r.probe = json::object();
      return;
    }
    if (output) output(std::string(line) + "\n");
  });
  engine::ExecIO io;
  io.stdin_data = std::string(gpu::verify_probe_script());
  io.on_stdout = [&](std::string_view d) { lines.feed(d); };
  io.on_stderr = [&](std::string_view d) {
    if (output) output(d);
  };
  r.exit_code = workspaces.exec(exec, io);
  lines.finish();
  judge(r, params.require_gpu);
  return r;
}

void from_json(const json& j, VerifyParams& p) {
  p.workspace = j.value("workspace", p.workspace);
  p.require_gpu = j.value("requireGpu", p.require_gpu);
  p.steps = j.value("steps", p.steps);
  p.framework = j.value("framework", p.framework);
  p.python = j.value("python", p.python);
}

void to_json(json& j, const VerifyResult& r) {
  j = {{"passed", r.passed},     {"workspace", r.workspace}, {"containerName", r.container_name}, {"gpu", r.gpu},
       {"exitCode", r.exit_code}, {"probe", r.probe},         {"problems", r.problems},            {"summary", r.summary}};
}

}  // namespace dlc::core
