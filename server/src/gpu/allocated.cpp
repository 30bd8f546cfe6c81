#include "gpu/allocated.h"

#include <algorithm>
#include <cctype>

#include "gpu/strings.h"
#include "support/error.h"

namespace dlc::gpu {

namespace {

using Need = config::GpuRequirement::Need;

constexpr std::size_t kMaxGpus = 1024;
constexpr std::size_t kMaxValue = 64 << 10;

bool is_uuid(const std::string& s) {
  return (s.starts_with("GPU-") || s.starts_with("MIG-")) && s.size() <= 128 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '/'; });
}

Error bad_value(const std::string& var, const std::string& why) {
  return Error(ErrorCode::GpuUnavailable, var + " on the node " + why,
               "the job's GPUs could not be read; `srun --jobid JOB --overlap printenv " + var + "` shows the value");
}

// "0,2-3" -> 0, 2, 3; UUIDs as they are.
std::vector<std::string> parse_ids(const std::string& var, const std::string& value) {
  if (value.size() > kMaxValue) throw bad_value(var, "is " + std::to_string(value.size()) + " bytes long");
  std::vector<std::string> ids;
  for (std::string part : split(value, ',')) {
    part.erase(std::remove_if(part.begin(), part.end(), [](unsigned char c) { return std::isspace(c); }), part.end());
    if (part.empty()) continue;
    auto dash = part.find('-');
    if (all_digits(part) && part.size() <= 6) {
      ids.push_back(std::to_string(std::stoi(part)));
    } else if (dash != std::string::npos && all_digits(part.substr(0, dash)) && all_digits(part.substr(dash + 1)) && dash <= 6 &&
               part.size() - dash - 1 <= 6) {
      int from = std::stoi(part.substr(0, dash)), to = std::stoi(part.substr(dash + 1));
      if (to < from || static_cast<std::size_t>(to - from) >= kMaxGpus) throw bad_value(var, "has the range " + part);
      for (int i = from; i <= to && ids.size() <= kMaxGpus; ++i) ids.push_back(std::to_string(i));
    } else if (is_uuid(part)) {
      ids.push_back(part);
    } else {
      throw bad_value(var, "holds \"" + part.substr(0, 64) + "\", neither a GPU index nor a GPU UUID");
    }
    if (ids.size() > kMaxGpus) throw bad_value(var, "names more than " + std::to_string(kMaxGpus) + " GPUs");
  }
  return ids;
}

// The node's index of a GPU named by index or UUID; -1 when the node's GPUs do not say.
int index_of(const std::string& id, const std::vector<GpuDevice>& gpus) {
  if (all_digits(id)) return std::stoi(id);
  for (const auto& g : gpus) {
    if (g.uuid == id) return g.index;
  }
  return -1;
}

bool among(const std::string& asked, const AllocatedGpus& given, const std::vector<GpuDevice>& gpus) {
  int want = index_of(asked, gpus);
  return std::any_of(given.ids.begin(), given.ids.end(), [&](const std::string& id) {
    if (id == asked) return true;
    int have = index_of(id, gpus);
    return want >= 0 && have == want;
  });
}

std::string ask_slurm_hint(std::size_t count) {
  return "ask Slurm for them: `dlcontainer up --slurm --slurm-gpus " + std::to_string(count) +
         "` (or \"slurm\": {\"gpus\": \"" + std::to_string(count) + "\"} in customizations.dlcontainer); the job has only what it was given";
}

}  // namespace

AllocatedGpus allocated_gpus(const std::map<std::string, std::string>& env, const std::string& holder) {
  AllocatedGpus out;
  out.holder = holder;
  for (const char* var : {"SLURM_STEP_GPUS", "SLURM_JOB_GPUS", "CUDA_VISIBLE_DEVICES"}) {
    auto it = env.find(var);
    if (it == env.end() || it->second == "NoDevFiles") continue;
    auto ids = parse_ids(var, it->second);
    if (ids.empty()) continue;
    out.ids = std::move(ids);
    out.source = var;
    return out;
  }
  return out;
}

GpuRequest within_allocation(const GpuRequest& request, const AllocatedGpus& given, const std::vector<GpuDevice>& gpus) {
  if (request.need == Need::None) return request;
  GpuRequest out = request;
  const std::string gave = given.holder + " was given " +
                           (given.ids.empty() ? std::string("no GPU") : "GPU " + join(given.ids, ",") + " (" + given.source + ")");
  auto refuse = [&](const std::string& why, std::size_t count) -> GpuRequest {
    if (request.need == Need::Required) {
      throw Error(ErrorCode::GpuUnavailable, "this workspace needs a GPU (" + request.source + ") but " + why, ask_slurm_hint(count));
    }
    out.need = Need::None;
    out.source = "starting without a GPU (" + request.source + "): " + why;
    return out;
  };
  const auto& sel = request.selection;
  if (given.ids.empty()) return refuse(gave, static_cast<std::size_t>(std::max(1, sel.kind == Selection::Kind::Count ? sel.count : 1)));
  Selection within;
  within.kind = Selection::Kind::Devices;
  if (sel.kind == Selection::Kind::All) {
    within.devices = given.ids;
  } else if (sel.kind == Selection::Kind::Count) {
    if (static_cast<std::size_t>(sel.count) > given.ids.size()) {
      return refuse("it asks for " + std::to_string(sel.count) + " GPUs and " + gave, static_cast<std::size_t>(sel.count));
    }
    within.devices.assign(given.ids.begin(), given.ids.begin() + sel.count);
  } else {
    for (const auto& id : sel.devices) {
      if (!among(id, given, gpus)) return refuse("it asks for GPU " + id + " and " + gave, sel.devices.size());
    }
    within.devices = sel.devices;
  }
  out.selection = within;
  if (request.source.find(given.holder) == std::string::npos) out.source = request.source + ", within " + given.holder + "'s GPUs";
  return out;
}

}  // namespace dlc::gpu
