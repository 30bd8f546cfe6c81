#include "core/cdi.h"

#include <algorithm>
#include <filesystem>

#include "core/placement.h"
#include "gpu/cdi.h"
#include "support/error.h"
#include "support/files.h"

namespace dlc::core {

namespace fs = std::filesystem;

namespace {

// Folders every glibc loader searches without a cache entry (Debian's multiarch ones included); a
// driver elsewhere (/usr/local/nvidia/lib64) is found in a container only through LD_LIBRARY_PATH.
bool default_loader_dir(const std::string& dir) {
  for (const char* d : {"/lib", "/usr/lib", "/lib64", "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                        "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu"}) {
    if (dir == d) return true;
  }
  return false;
}

}  // namespace

void to_json(nlohmann::json& j, const CdiResult& r) {
  j = {{"output", r.output}, {"replaced", r.replaced}, {"driverVersion", r.driver_version},
       {"devices", r.devices}, {"notes", r.notes}};
}

CdiResult write_cdi_spec(const CdiParams& params, const gpu::ProbeOptions& probe, const gpu::DiscoveryOptions& discovery) {
  if (auto engine = engine_endpoint(params.host); !engine.local()) {
    throw Error(ErrorCode::InvalidArgument,
                "gpus --cdi makes a CDI spec from this machine's GPUs, but the engine (" + engine.origin + ") is " + engine.url() +
                    ", on another machine: a spec made here would not describe its GPUs",
                "run it on that machine: `ssh " + (engine.user.empty() ? "" : engine.user + "@") + engine.host +
                    " sudo dlcontainer gpus --cdi --output /etc/cdi/nvidia.yaml`; for this machine's engine, pass --host unix:///var/run/docker.sock");
  }
  auto facts = gpu::read_host_facts(probe);
  auto env = gpu::discover(facts, std::nullopt, discovery);
  auto spec = gpu::make_cdi_spec(facts, env.driver);
  if (auto problems = gpu::cdi_spec_problems(spec); !problems.empty()) {
    throw Error(ErrorCode::Internal, "the CDI spec made for this host is not valid: " + problems.front());
  }
  CdiResult r;
  r.driver_version = facts.driver_version;
  r.text = gpu::cdi_spec_text(spec, facts);
  for (const auto& d : spec["devices"]) r.devices.push_back(std::string(gpu::kCdiKind) + "=" + d["name"].get<std::string>());
  std::vector<std::string> outside;
  for (const auto& lib : env.driver.libraries) {
    auto dir = fs::path(lib).parent_path().string();
    if (!default_loader_dir(dir) && std::find(outside.begin(), outside.end(), dir) == outside.end()) outside.push_back(dir);
  }
  for (const auto& dir : outside) {
    r.notes.push_back("the driver's libraries in " + dir + " are outside the loader's default folders: a container "
                      "started by another tool with this spec needs LD_LIBRARY_PATH=" + dir + " (dlcontainer sets it)");
  }
  for (const auto& n : env.driver.notes) r.notes.push_back(n);
  if (params.output.empty()) return r;

  std::error_code ec;
  if (fs::exists(params.output, ec)) {
    auto existing = read_file(params.output);
    if (!existing || !existing->starts_with(gpu::kCdiHeader)) {
      throw Error(ErrorCode::InvalidArgument, params.output + " exists and was not written by dlcontainer; it is left as it is",
                  "choose another file (--output /etc/cdi/dlcontainer-nvidia.yaml), or move that one away yourself");
    }
    r.replaced = true;
  }
  auto parent = fs::path(params.output).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (!write_file_atomically(params.output, r.text, 0644)) {
    throw Error(ErrorCode::Internal, "cannot write the CDI spec to " + params.output,
                "CDI's folders (/etc/cdi, /var/run/cdi) belong to root: run it with sudo, or choose a folder you can write");
  }
  r.output = params.output;
  return r;
}

}  // namespace dlc::core
