// resolve/: RepoFacts + HostFacts + configuration -> Plan. Pure: no I/O beyond the catalog it is given.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gpu/host_facts.h"
#include "inspect/facts.h"
#include "resolve/catalog.h"

namespace dlc::resolve {

// One choice the plan makes, why, and what it turned down.
struct Decision {
  std::string topic;   // framework | cuda | python | image | flavor | apt | pip | gpu | source
  std::string choice;  // "torch 1.11.0"
  std::string reason;  // "requirements.txt:3 pins torch==1.11.0+cu113"
  std::vector<std::string> rejected;  // "pytorch/pytorch:1.12.1-cuda11.3-cudnn8-runtime: ..."
  std::vector<inspect::Source> facts;  // the repository facts it rests on
  std::vector<std::string> citations;  // catalog sources ("title <url>")
};

struct Plan {
  // image: build FROM base_image (apt/pip extras, a user for the host uid);
  // dockerfile: the repository's own Dockerfile, as written; devcontainer: its devcontainer.json.
  std::string mode = "image";
  std::string base_image;
  std::string framework;          // pytorch | tensorflow | paddlepaddle | "" (none)
  std::string framework_version;
  bool gpu = false;               // CUDA in the container
  std::string cuda;               // "11.3"; "" without CUDA
  std::string cudnn;
  std::string python;             // "3.8"; "" when the image's own and not recorded
  std::string flavor;             // runtime | devel | base | cpu
  std::string driver_required;    // the lowest driver that runs it ("465.19.01"); "" without CUDA
  bool minor_version_compatibility = false;  // runs only through CUDA minor-version compatibility
  bool base_has_python = true;
  std::vector<std::string> apt_packages;
  std::vector<std::string> pip_packages;     // requirement strings for pip install
  std::vector<std::string> pip_constraints;  // keep what the base image provides ("torch==1.11.0.*")
  std::vector<std::string> pip_options;      // "--extra-index-url", "URL", ... in order
  std::map<std::string, std::string> env;    // in the image (NVIDIA_DISABLE_REQUIRE when relying on minor-version compatibility)
  std::string apt_mirror;                    // from the user's config: root of Debian/Ubuntu mirrors
  std::string pip_index_url;
  std::string dockerfile;                    // mode dockerfile: the repository's Dockerfile (relative)
  std::string host;                          // the host planned for, in words
  std::string commit_date;
  std::vector<std::string> catalog;          // catalog origins
  std::vector<Decision> decisions;
  std::vector<std::string> warnings;
};

// What the repository's devcontainer.json says, when it has one (it wins over inference).
struct DevcontainerInput {
  std::string file;
  std::string image;             // "image", or the FROM of its build.dockerfile
  std::string dockerfile;        // build.dockerfile, when it builds
  nlohmann::json customizations = nlohmann::json::object();  // customizations.dlcontainer
};

struct ResolveOptions {
  std::string framework;  // "torch==1.11.0", "tensorflow", "paddlepaddle-gpu==2.0.1": overrides the repository
  std::string cuda;       // "11.3": only images of this CUDA
  std::string python;     // "3.8": this Python where the base lets us choose
  bool cpu = false;       // plan for the CPU even on a GPU host
  bool devel = false;     // a -devel image even without CUDA code
  std::string apt_mirror;
  std::string pip_index_url;
  std::optional<DevcontainerInput> devcontainer;
};

// Throws Error{Conflict} (requirements that exclude each other), Error{DriverTooOld} (the driver
// cannot run any image of what is pinned), Error{UnknownVersion} (a version the catalog does not
// know); each with a hint that names a way out.
Plan resolve(const inspect::RepoFacts& facts, const gpu::HostFacts& host, const Catalog& catalog,
             const ResolveOptions& options = {});

// The plan's identity for tagging and config hashes: what the built image depends on, nothing else.
std::string plan_fingerprint(const Plan& plan);

void to_json(nlohmann::json& j, const Decision& d);
void from_json(const nlohmann::json& j, Decision& d);
void to_json(nlohmann::json& j, const Plan& p);
void from_json(const nlohmann::json& j, Plan& p);

}  // namespace dlc::resolve
