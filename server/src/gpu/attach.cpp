// Which method attaches the GPUs on this host and which GPUs a container gets: the decision, from
// facts alone (the request's parser is request.cpp, the spec edit attach_spec.cpp).
#include "gpu/attach.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "gpu/strings.h"
#include "support/error.h"
#include "support/json.h"

namespace dlc::gpu {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Need = config::GpuRequirement::Need;

namespace {

bool has_library(const DriverFiles& f, const std::string& name) {
  return std::any_of(f.libraries.begin(), f.libraries.end(), [&](const std::string& p) { return fs::path(p).filename() == name; });
}

bool has_node(const DriverFiles& f, const std::string& path) {
  return std::find(f.control_nodes.begin(), f.control_nodes.end(), path) != f.control_nodes.end();
}

// What the direct method lacks on this host, each with the way to get it.
std::vector<std::string> direct_missing(const AttachEnvironment& env) {
  std::vector<std::string> missing;
  const auto& f = env.driver;
  if (f.gpu_nodes.empty()) missing.push_back("no /dev/nvidiaN device node");
  if (!has_node(f, "/dev/nvidiactl")) missing.push_back("no /dev/nvidiactl");
  if (!has_node(f, "/dev/nvidia-uvm")) missing.push_back("no /dev/nvidia-uvm (create it with `sudo nvidia-modprobe -u -c=0`)");
  if (!has_library(f, "libcuda.so.1")) missing.push_back("libcuda.so.1 not found in the loader's cache or LD_LIBRARY_PATH");
  if (!has_library(f, "libnvidia-ml.so.1")) missing.push_back("libnvidia-ml.so.1 not found in the loader's cache or LD_LIBRARY_PATH");
  return missing;
}

bool toolkit_present(const AttachEnvironment& env) { return env.engine_nvidia_runtime || !env.toolkit_hook.empty(); }

bool cdi_usable(const AttachEnvironment& env) {
  return env.engine_cdi && std::any_of(env.cdi_devices.begin(), env.cdi_devices.end(),
                                       [](const std::string& d) { return d.starts_with("nvidia.com/gpu="); });
}

std::string toolkit_reason(const AttachEnvironment& env) {
  if (env.engine_nvidia_runtime) return "the engine has the nvidia runtime (NVIDIA container toolkit)";
  return "the NVIDIA container toolkit is installed (" + env.toolkit_hook + "), which Docker's GPU support runs";
}

std::string ldconfig_problem(const AttachEnvironment& env) {
  return env.toolkit_config + " sets ldconfig = \"" + env.toolkit_ldconfig + "\", which this host lacks, so the toolkit fails "
         "with `ldcache error: open failed: " + env.toolkit_ldconfig.substr(1) + "`";
}

std::string no_gpu_hint(const std::string& source) {
  std::string how_optional = source.find("runArgs") != std::string::npos
                                 ? "remove --gpus from runArgs and set \"hostRequirements\": {\"gpu\": \"optional\"}"
                                 : "set \"hostRequirements\": {\"gpu\": \"optional\"} in devcontainer.json";
  return "run `dlcontainer doctor` to see what is missing and how to fix it; to start without a GPU, " + how_optional +
         ", or run `dlcontainer up --gpus none`";
}

// Why a GPU request cannot be met, and what to do about it.
struct Refusal {
  std::string why;
  std::string hint;
};
using Refused = std::optional<Refusal>;

// Whether the method the request forces can work on this host.
Refused check_forced(Method method, const AttachEnvironment& env) {
  if (method == Method::Toolkit && !toolkit_present(env)) {
    return Refusal{"the toolkit method was asked for and the NVIDIA container toolkit is not installed",
                   "install nvidia-container-toolkit, or use gpuAttach \"auto\" to let dlcontainer choose"};
  }
  if (method == Method::Cdi && !cdi_usable(env)) {
    return Refusal{env.engine_cdi ? "the cdi method was asked for and no CDI spec describes nvidia.com/gpu devices"
                                  : "the cdi method was asked for and the engine does not support CDI",
                   "generate a spec with `sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml` and enable CDI in "
                   "Docker (25+: \"features\": {\"cdi\": true} in /etc/docker/daemon.json), or use gpuAttach \"auto\""};
  }
  if (method == Method::Direct) {
    auto missing = direct_missing(env);
    if (!missing.empty()) return Refusal{"the direct method lacks " + join(missing, "; "), "run `dlcontainer doctor` for the fix"};
  }
  return std::nullopt;
}

// Which GPUs (host indices) the selection names, each with the memory the request asks for.
Refused pick_gpus(const GpuRequest& request, const HostFacts& facts, std::vector<int>& indices) {
  const int available = static_cast<int>(facts.gpus.size());
  const auto& sel = request.selection;
  if (sel.kind == Selection::Kind::All) {
    for (int i = 0; i < available; ++i) indices.push_back(i);
  } else if (sel.kind == Selection::Kind::Count) {
    if (sel.count > available) {
      return Refusal{"it asks for " + std::to_string(sel.count) + " GPUs and this host has " + std::to_string(available),
                     "ask for fewer (--gpus " + std::to_string(available) + ") or for all"};
    }
    for (int i = 0; i < sel.count; ++i) indices.push_back(i);
  } else {
    for (const auto& id : sel.devices) {
      int found = -1;
      if (all_digits(id)) {
        int i = std::stoi(id);
        if (i < available) found = i;
      } else {
        for (const auto& g : facts.gpus) {
          if (g.uuid == id) found = g.index;
        }
      }
      if (found < 0) {
        std::string have;
        for (const auto& g : facts.gpus) have += (have.empty() ? "" : ", ") + std::to_string(g.index) + " (" + g.uuid + ")";
        return Refusal{"it asks for GPU " + id + ", which this host does not have", "this host's GPUs: " + have};
      }
      if (std::find(indices.begin(), indices.end(), found) == indices.end()) indices.push_back(found);
    }
  }
  for (int i : indices) {
    const auto& g = facts.gpus[i];
    if (request.min_memory > 0 && g.memory_total < request.min_memory) {
      return Refusal{"GPU " + std::to_string(i) + " (" + g.name + ") has " + std::to_string(g.memory_total / (1024 * 1024)) +
                         " MiB and hostRequirements.gpu.memory asks for " + std::to_string(request.min_memory / (1024 * 1024)) + " MiB",
                     "choose a GPU with more memory (--gpus device=N), or lower hostRequirements.gpu.memory"};
    }
  }
  return std::nullopt;
}

// What the engine is told for those GPUs: UUIDs (toolkit; none for all), CDI names, or device nodes.
Refused engine_ids(Method method, const Selection& sel, const std::vector<int>& indices, const HostFacts& facts,
                   const AttachEnvironment& env, std::vector<std::string>& ids) {
  if (method == Method::Toolkit) {
    if (sel.kind != Selection::Kind::All) {
      for (int i : indices) ids.push_back(facts.gpus[i].uuid.empty() ? std::to_string(i) : facts.gpus[i].uuid);
    }
  } else if (method == Method::Cdi) {
    auto has = [&](const std::string& name) { return std::find(env.cdi_devices.begin(), env.cdi_devices.end(), name) != env.cdi_devices.end(); };
    if (sel.kind == Selection::Kind::All && has("nvidia.com/gpu=all")) {
      ids.push_back("nvidia.com/gpu=all");
      return std::nullopt;
    }
    for (int i : indices) {
      std::string by_uuid = "nvidia.com/gpu=" + facts.gpus[i].uuid;
      std::string by_index = "nvidia.com/gpu=" + std::to_string(i);
      if (!facts.gpus[i].uuid.empty() && has(by_uuid)) ids.push_back(by_uuid);
      else if (has(by_index)) ids.push_back(by_index);
      else {
        return Refusal{"no CDI spec names GPU " + std::to_string(i) + " (" + join(env.cdi_spec_files, ", ") + ")",
                       "regenerate the spec: sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml"};
      }
    }
  } else {
    for (int i : indices) {
      int minor = facts.gpus[i].minor >= 0 ? facts.gpus[i].minor : i;
      auto node = env.driver.gpu_nodes.find(minor);
      if (node == env.driver.gpu_nodes.end()) {
        return Refusal{"/dev/nvidia" + std::to_string(minor) + " (GPU " + std::to_string(i) + ") does not exist",
                       "load the driver's device nodes: sudo nvidia-modprobe -c=" + std::to_string(minor)};
      }
      ids.push_back(node->second);
    }
  }
  return std::nullopt;
}

}  // namespace

MethodChoice choose_method(const HostFacts& facts, const AttachEnvironment& env) {
  if (facts.gpus.empty()) {
    return {Method::None, facts.why_none.empty() ? "no NVIDIA GPU found" : facts.why_none};
  }
  if (toolkit_present(env) && !env.toolkit_ldconfig_missing) return {Method::Toolkit, toolkit_reason(env)};
  if (cdi_usable(env)) {
    return {Method::Cdi, "the engine resolves CDI devices and " + join(env.cdi_spec_files, ", ") + " describes the GPUs"};
  }
  auto missing = direct_missing(env);
  std::string before = toolkit_present(env) ? ldconfig_problem(env) + "; so instead: "
                                            : "no NVIDIA container toolkit and no CDI spec the engine uses, so: ";
  if (missing.empty()) {
    return {Method::Direct, before + "the driver's " + std::to_string(env.driver.libraries.size()) + " libraries, " +
                                std::to_string(env.driver.binaries.size()) + " programs and its device nodes, mounted directly"};
  }
  return {Method::None, "no way to attach the GPUs: " + before + "the direct method lacks " + join(missing, "; ")};
}

Attachment plan_attachment(const GpuRequest& request, const HostFacts& facts, const AttachEnvironment& env) {
  Attachment a;
  a.selection = request.selection.text();
  if (request.need == Need::None) {
    a.selection.clear();
    a.reason = request.source.empty() ? "the workspace does not ask for a GPU" : "no GPU asked for (" + request.source + ")";
    return a;
  }
  // An optional request that cannot be met starts without GPUs; a required one stops here.
  auto give_up = [&](const Refusal& refusal) {
    if (request.need == Need::Required) {
      throw Error(ErrorCode::GpuUnavailable, "this workspace needs a GPU (" + request.source + ") but " + refusal.why, refusal.hint);
    }
    Attachment none;
    none.selection = a.selection;
    none.reason = "starting without a GPU (" + request.source + "): " + refusal.why;
    return none;
  };

  MethodChoice choice;
  if (request.method && facts.gpus.empty()) {
    choice = {Method::None, facts.why_none.empty() ? "no NVIDIA GPU found" : facts.why_none};
  } else if (request.method) {
    choice = {*request.method, "asked for (" + to_string(*request.method) + ")"};
    if (auto refused = check_forced(*request.method, env)) return give_up(*refused);
  } else {
    choice = choose_method(facts, env);
  }
  if (choice.method == Method::None) return give_up({choice.reason, no_gpu_hint(request.source)});

  std::vector<int> indices;
  if (auto refused = pick_gpus(request, facts, indices)) return give_up(*refused);
  std::vector<std::string> ids;
  if (auto refused = engine_ids(choice.method, request.selection, indices, facts, env, ids)) return give_up(*refused);

  a.method = choice.method;
  a.reason = choice.reason;
  a.engine_ids = ids;
  for (int i : indices) {
    a.indices.push_back(i);
    a.uuids.push_back(facts.gpus[i].uuid);
    a.names.push_back(facts.gpus[i].name);
  }
  return a;
}

void to_json(json& j, const Attachment& a) {
  j = {{"method", to_string(a.method)}, {"selection", a.selection}, {"indices", a.indices}, {"uuids", a.uuids},
       {"names", a.names},              {"engineIds", a.engine_ids}, {"reason", a.reason}};
}

void from_json(const json& j, Attachment& a) {
  a.method = Method::None;
  if (auto m = j.find("method"); m != j.end() && m->is_string()) {
    try {
      a.method = parse_method(m->get<std::string>()).value_or(Method::None);
    } catch (const Error&) {
    }
  }
  get_if(j, "selection", a.selection);
  get_if(j, "indices", a.indices);
  get_if(j, "uuids", a.uuids);
  get_if(j, "names", a.names);
  get_if(j, "engineIds", a.engine_ids);
  get_if(j, "reason", a.reason);
}

}  // namespace dlc::gpu
