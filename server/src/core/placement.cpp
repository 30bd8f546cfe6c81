#include "core/placement.h"

#include <filesystem>

#include "core/plan.h"
#include "core/slurm_placement.h"

namespace dlc::core {

namespace {

// A plain engine: there already, held by no one.
class EnginePlacement : public Placement {
 public:
  explicit EnginePlacement(std::string host) : host_(std::move(host)) {}
  engine::Endpoint acquire(ProgressSink&, const CancelToken&) override { return engine_endpoint(host_); }
  std::optional<engine::Endpoint> current() override { return engine_endpoint(host_); }
  std::optional<Allocation> allocation() override { return std::nullopt; }
  void release() override {}

 private:
  std::string host_;
};

// The record's key: the folder as the workspace label holds it. A URL is not a folder: no record.
std::string folder_key(const std::string& workspace) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(workspace.empty() ? "." : workspace), ec);
  return ec ? std::string() : p.string();
}

}  // namespace

engine::Endpoint engine_endpoint(const std::string& host) {
  return engine::choose_endpoint(host, host.empty() ? UserPreferences::load().engine_host : std::string());
}

std::unique_ptr<Placement> place(const std::string& workspace, const std::string& host, const SlurmRequest& slurm) {
  if (slurm.enabled) {
    if (!host.empty()) {
      throw Error(ErrorCode::InvalidArgument, "--slurm and --host " + host + " both name where the engine is",
                  "give one: --slurm runs the engine in a Slurm job, --host names an engine that runs already");
    }
    std::string key = folder_key(workspace);
    if (key.empty() || !std::filesystem::is_directory(key)) {
      throw Error(ErrorCode::PathNotFound, "--slurm needs the workspace as a folder on the shared file system: " + workspace,
                  "clone the repository into your home (shared with the nodes) and give its folder");
    }
    return slurm_placement(key, slurm);
  }
  if (slurm.any_field()) {
    throw Error(ErrorCode::InvalidArgument, "Slurm settings (partition, GPUs, CPUs, memory, time, account, wait) were given without --slurm",
                "add --slurm to run the workspace's engine in a Slurm job, or drop those flags");
  }
  if (host.empty()) {
    std::string key = folder_key(workspace);
    if (!key.empty() && load_slurm_record(key)) return slurm_placement(key, slurm);
  }
  return std::make_unique<EnginePlacement>(host);
}

std::string engine_for(const std::string& workspace, const std::string& host) {
  if (!host.empty()) return host;
  auto placement = place(workspace, host);
  auto allocation = placement->allocation();
  if (!allocation) return host;
  if (auto e = placement->current()) return e->url();
  allocation = placement->allocation();
  throw Error(ErrorCode::ContainerNotRunning,
              "the workspace's Slurm job " + allocation->job_id + " is not running: " + allocation->state + " (" + allocation->reason + ")",
              "`dlcontainer up --slurm " + workspace + "` submits a new job");
}

namespace {
constexpr auto kChooseAgain = std::chrono::seconds(1);
}

engine::Endpoint Placements::default_endpoint() {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (default_endpoint_ && now - chosen_at_ < kChooseAgain) return *default_endpoint_;
  }
  auto endpoint = engine_endpoint();  // outside the lock: it reads files
  std::lock_guard lock(mu_);
  default_endpoint_ = endpoint;
  chosen_at_ = now;
  return endpoint;
}

engine::Endpoint Placements::endpoint_of(const std::string& host) {
  if (host.empty() && default_host_.empty()) return default_endpoint();
  return engine_endpoint(host.empty() ? default_host_ : host);
}

Workspaces& Placements::at(const std::string& host) {
  auto endpoint = endpoint_of(host);
  std::lock_guard lock(mu_);
  auto& w = by_url_[endpoint.url()];
  if (!w) w = std::make_unique<Workspaces>(engine::Engine::connect(endpoint));
  return *w;
}

Workspaces* Placements::connected(const std::string& host) {
  // A URL is parsed (and a plain TCP one warned about) on a worker, as before.
  if (!host.empty() || !default_host_.empty()) return nullptr;
  std::lock_guard lock(mu_);
  if (!default_endpoint_ || std::chrono::steady_clock::now() - chosen_at_ >= kChooseAgain) return nullptr;
  auto it = by_url_.find(default_endpoint_->url());
  return it == by_url_.end() ? nullptr : it->second.get();
}

}  // namespace dlc::core
