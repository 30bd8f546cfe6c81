#include "core/gpu.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "core/engine_facts.h"
#include "support/error.h"

namespace dlc::core {

GpuPlan plan_gpus(const engine::Engine& engine, const WorkspaceContext& ws, const UpParams& params) {
  GpuPlan plan;
  auto request = gpu::gpu_request(ws.config, params.gpus, params.gpu_attach);
  const auto& endpoint = engine.endpoint();
  if (request.need == config::GpuRequirement::Need::None && request.source.empty() &&
      endpoint.transport == engine::Transport::Slurm && !slurm_job_gpus(endpoint.host).ids.empty()) {
    // The workspace says nothing of GPUs and the job was given some (--slurm-gpus): they are what the
    // user asked the scheduler for, so the container gets them where the node can attach them.
    request.need = config::GpuRequirement::Need::Optional;
    request.source = "the GPUs Slurm job " + endpoint.host + " was given";
  }
  if (request.need == config::GpuRequirement::Need::None) {
    plan.attachment = gpu::plan_attachment(request, {}, {});
    return plan;
  }
  // The GPUs of where the engine runs: this machine's, or a remote host's read by its probe.
  auto host = engine_host_facts(engine);
  const auto& facts = host.facts;
  const auto& info = host.info;
  const bool podman = host.podman;
  plan.environment = host.attach;
  plan.host_memory = info && info->mem_total > 0 ? info->mem_total
                                                 : static_cast<std::int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
  if (host.allocated) {
    // A scheduler's job: only the GPUs it was given, whatever else the node has.
    auto within = gpu::within_allocation(request, *host.allocated, facts.gpus);
    if (within.need == config::GpuRequirement::Need::None) {
      plan.attachment.selection = request.selection.text();
      plan.attachment.reason = within.source;
      return plan;
    }
    request = within;
  }
  plan.attachment = gpu::plan_attachment(request, facts, plan.environment);
  if (plan.attachment.method == gpu::Method::Cdi && podman) {
    // Resolved now, so that a name no spec holds stops `up` before anything is made.
    plan.cdi_edits = gpu::resolve_cdi_devices(plan.attachment.engine_ids, plan.environment.cdi_spec_dirs);
    std::string files;
    for (const auto& f : plan.cdi_edits->spec_files) files += (files.empty() ? "" : ", ") + f;
    for (const auto& what : plan.cdi_edits->skipped) {
      spdlog::warn("{} in {} is not run: Podman's compatible API leaves CDI to dlcontainer, which applies device nodes, "
                   "mounts and environment only (`dlcontainer gpus --cdi` writes a spec without hooks)",
                   what, files);
    }
  }
  return plan;
}

void attach_gpus(const GpuPlan& plan, engine::ContainerSpec& spec, const engine::ImageInfo& image) {
  gpu::apply_attachment(plan.attachment, plan.environment, spec, image.env, plan.host_memory);
  if (plan.cdi_edits) {
    // Podman's compatible API ignores DeviceRequests: the spec's edits go in as devices and mounts.
    std::erase_if(spec.device_requests, [](const engine::DeviceRequest& r) { return r.driver == "cdi"; });
    gpu::apply_cdi_edits(*plan.cdi_edits, spec);
  }
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
