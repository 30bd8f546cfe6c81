#include "core/gpu.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "core/engine_facts.h"
#include "support/error.h"

namespace dlc::core {

GpuPlan plan_gpus(const engine::Engine& engine, const WorkspaceContext& ws, const UpParams& params) {
  GpuPlan plan;
  auto request = gpu::gpu_request(ws.config, params.gpus, params.gpu_attach);
  if (request.need == config::GpuRequirement::Need::None) {
    plan.attachment = gpu::plan_attachment(request, {}, {});
    return plan;
  }
  // The GPUs of where the engine runs: this machine's, or a remote host's read by its probe.
  auto host = engine_host_facts(engine);
  const auto& facts = host.facts;
  const auto& info = host.info;
  plan.environment = host.attach;
  plan.host_memory = info && info->mem_total > 0 ? info->mem_total
                                                 : static_cast<std::int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
  plan.attachment = gpu::plan_attachment(request, facts, plan.environment);
  return plan;
}

void attach_gpus(const GpuPlan& plan, engine::ContainerSpec& spec, const engine::ImageInfo& image) {
  gpu::apply_attachment(plan.attachment, plan.environment, spec, image.env, plan.host_memory);
  spec.labels[kGpuLabel] = nlohmann::json(plan.attachment).dump();
}

gpu::Attachment gpu_attachment_of(const std::map<std::string, std::string>& labels) {
  gpu::Attachment a;
  auto it = labels.find(kGpuLabel);
  if (it == labels.end()) {
    a.reason = "the container was made without GPUs";
    return a;
  }
  auto j = nlohmann::json::parse(it->second, nullptr, false);
  if (j.is_object()) j.get_to(a);
  return a;
}

}  // namespace dlc::core
