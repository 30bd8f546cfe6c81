// Planning a workspace: inspect the repository, resolve a Plan for a host, and (for `up` on a
// repository without devcontainer.json) build the planned image, tagged by its content.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "config/devcontainer.h"
#include "engine/engine.h"
#include "gpu/host_facts.h"
#include "inspect/facts.h"
#include "resolve/dockerfile.h"
#include "resolve/plan.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

struct PlanParams {
  std::string workspace = ".";  // a folder, or a git URL (cloned under $XDG_DATA_HOME/dlcontainer/clones)
  std::string driver;           // plan for this NVIDIA driver instead of this host's
  bool no_gpu = false;          // plan for a host without a GPU (a CPU image)
  std::string gpu_arch;         // plan for GPUs of this compute capability ("9.0", "sm_90") instead of this host's
  std::string catalog;          // a catalog file merged over the built-in one
  std::string framework;        // "torch==1.11.0": overrides the repository
  std::string cuda;
  std::string python;
  bool devel = false;
  std::string host;             // the engine whose host is planned for (as --host); "" : the running Slurm job
                                // recorded for the workspace (core/placement.h's engine_for), else the default engine
  // The host's facts when the caller has them (not on the wire): a remote engine's, from its probe.
  std::optional<gpu::HostFacts> facts;
  bool strict = false;          // a devcontainer.json property dlcontainer does not use is an error, not a warning
};

struct PlanResult {
  std::string workspace;   // the local folder
  resolve::Plan plan;
  inspect::RepoFacts facts;
  std::string dockerfile;  // mode image: the Dockerfile `up` builds (for this user's uid)
  std::string image;       // mode image: the tag it gets
};

struct InitParams {
  PlanParams plan;
  bool force = false;  // overwrite .devcontainer/devcontainer.json and .devcontainer/Dockerfile
};

struct InitResult {
  std::string workspace;
  std::vector<std::string> written;
  resolve::Plan plan;
};

void from_json(const nlohmann::json& j, PlanParams& p);
void to_json(nlohmann::json& j, const PlanParams& p);
void to_json(nlohmann::json& j, const PlanResult& r);
void to_json(nlohmann::json& j, const InitResult& r);

// The user's preferences that a plan uses: $XDG_CONFIG_HOME/dlcontainer/config.json's
// {"mirrors": {"apt": "https://mirror.example/", "pip": "https://mirror.example/pypi/simple",
//              "registries": {"ghcr.io": "https://mirror.example"}}}.
// Also the default engine ({"host": "ssh://gpu1"}, below --host, DOCKER_HOST and docker contexts) and
// the image that clones a git URL on a remote engine ({"cloneImage": "alpine/git:2.45.2"}).
struct UserPreferences {
  std::string apt_mirror;
  std::string pip_index_url;
  std::map<std::string, std::string> registry_mirrors;  // registry host -> mirror base URL (Features)
  std::string engine_host;
  std::string clone_image;
  static UserPreferences load();  // Error{ConfigInvalid} when the file exists but cannot be used
};

// $XDG_CACHE_HOME (variable) or ~/.cache (fallback_under_home), and the like.
std::filesystem::path xdg_dir(const char* variable, const char* fallback_under_home);

// The host's GPU facts as a plan sees them: --driver or --no-gpu when given, else params.facts, else
// those of the host where the engine runs (this machine's, read through NVML; a remote one's, by its
// probe), with facts.machine naming a remote host. --gpu-arch sets the GPUs' compute capability (of
// the given driver's GPU, or of that host's GPUs).
gpu::HostFacts host_facts_for(const PlanParams& params);
// "9.0", "sm_90", "90" -> {9, 0}; nullopt when it is not a compute capability.
std::optional<std::pair<int, int>> parse_compute_capability(std::string text);

// A folder as given, or the clone of a URL (made on first use, reused after; `cancel` stops the clone).
std::filesystem::path materialize_workspace(const std::string& path_or_url, const CancelToken& cancel = {});
// Where a URL is (or will be) cloned, without cloning it.
std::filesystem::path clone_folder_for(const std::string& url);

// inspect + resolve; reads files (and clones a URL), runs nothing. Reports its steps; `cancel` stops
// the walk of a big repository with Error{Cancelled}.
PlanResult plan_workspace(const PlanParams& params, ProgressSink& progress = no_progress(), const CancelToken& cancel = {});

// Writes .devcontainer/devcontainer.json (and .devcontainer/Dockerfile for a built image). Refuses,
// changing nothing, when either exists and force is false; never deletes a file.
InitResult init_workspace(const InitParams& params);

// What `up` uses for a repository without devcontainer.json: the plan, the Dockerfile for the
// current user and its tag, and the devcontainer configuration that stands in for the file.
struct InferredWorkspace {
  resolve::Plan plan;
  std::string dockerfile;  // "" when the plan builds the repository's own Dockerfile
  std::string image;       // the content tag
  config::DevcontainerConfig config;
};
InferredWorkspace infer_workspace(const std::filesystem::path& folder, const gpu::HostFacts* facts = nullptr);

// Builds the inferred image unless an image of that tag exists (or no_cache). Returns the tag.
std::string ensure_plan_image(const engine::Engine& engine, const InferredWorkspace& inferred, const std::string& folder,
                              bool no_cache, ProgressSink& progress, const CancelToken& cancel);

inline constexpr const char* kPlanLabel = "dev.dlcontainer.plan";

}  // namespace dlc::core
