#include "core/placed.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "config/devcontainer.h"
#include "engine/dial_ahead.h"

namespace dlc::core {

namespace fs = std::filesystem;

namespace {

// customizations.dlcontainer.slurm of the workspace's devcontainer.json, as defaults for the flags.
SlurmRequest configured_request(const UpParams& params) {
  std::optional<fs::path> file = params.config.empty() ? config::find_config(params.workspace) : fs::path(params.config);
  if (!file || !fs::exists(*file)) return {};
  auto config = config::load_config(*file, config::Substitution{.local_workspace_folder = fs::absolute(params.workspace).string()});
  auto it = config.dlcontainer.find("slurm");
  if (it == config.dlcontainer.end()) return {};
  try {
    return it->get<SlurmRequest>();
  } catch (const Error& e) {
    throw Error(ErrorCode::ConfigInvalid, file->string() + ": customizations.dlcontainer." + e.what(), e.hint());
  }
}

}  // namespace

UpResult up_placed(UpParams params, const WorkspacesAt& at, ProgressSink& progress, const CancelToken& cancel) {
  if (params.slurm.enabled) params.slurm.fill_from(configured_request(params));
  params.slurm.validate();
  auto placement = place(params.workspace, params.host, params.slurm);
  auto endpoint = placement->acquire(progress, cancel);
  engine::DialAhead ahead(endpoint);  // a Slurm job's engine: a dozen srun steps follow
  try {
    UpParams on_engine = params;
    on_engine.host = endpoint.url();
    auto result = at(on_engine.host).up(on_engine, progress, cancel);
    result.allocation = placement->allocation();
    return result;
  } catch (...) {
    // A job submitted for this up that did not bring the workspace up is not left running.
    if (placement->started_now()) {
      try {
        placement->release();
      } catch (const Error&) {
      }
    }
    throw;
  }
}

DownResult down_placed(const DownParams& params, const WorkspacesAt& at) {
  auto placement = place(params.workspace, params.host);
  auto allocation = placement->allocation();
  if (!allocation) return at(params.host).down(params);
  DownResult result;
  result.workspace = fs::weakly_canonical(fs::absolute(params.workspace)).string();
  result.action = "none";
  if (auto endpoint = placement->current()) {
    // The container lives in the job's Podman storage: it goes with the job.
    DownParams on_engine = params;
    on_engine.host = endpoint->url();
    on_engine.remove = true;
    result = at(on_engine.host).down(on_engine);
  }
  placement->release();
  result.allocation = placement->allocation();
  return result;
}

namespace {

// The status of a workspace whose engine a Slurm job holds (its placement has an allocation).
WorkspaceStatus status_in_job(Placement* placement, const StatusParams& params, const WorkspacesAt& at) {
  if (auto endpoint = placement->current()) {
    StatusParams on_engine = params;
    on_engine.host = endpoint->url();
    try {
      auto status = at(on_engine.host).status(on_engine);
      status.allocation = placement->allocation();
      return status;
    } catch (const Error&) {
      // The job may be ending under us (its time limit): srun refuses a step before squeue stops
      // saying RUNNING. Slurm's word settles it within a few seconds; a job still running then is
      // an engine that fails, said as such.
      bool ended = false;
      for (int i = 0; i < 10 && !ended; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        ended = !placement->current();
      }
      if (!ended) throw;
    }
  }
  WorkspaceStatus status;
  status.workspace = fs::weakly_canonical(fs::absolute(params.workspace)).string();
  auto allocation = placement->allocation();
  bool waiting = allocation->state == "PENDING" || allocation->state == "CONFIGURING";
  status.state = waiting ? "pending" : "exited";
  status.engine = "slurm://" + allocation->job_id;
  status.allocation = allocation;
  return status;
}

}  // namespace

WorkspaceStatus status_placed(const StatusParams& params, const WorkspacesAt& at) {
  auto placement = place(params.workspace, params.host);
  if (!placement->allocation()) return at(params.host).status(params);
  return status_in_job(placement.get(), params, at);
}

JsonText status_placed_text(const StatusParams& params, const WorkspacesAt& at) {
  auto placement = place(params.workspace, params.host);
  if (!placement->allocation()) return at(params.host).status_text(params);
  return JsonText::render(nlohmann::json(status_in_job(placement.get(), params, at)));
}

}  // namespace dlc::core
