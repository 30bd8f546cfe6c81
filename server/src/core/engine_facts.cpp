#include "core/engine_facts.h"

#include <sys/statvfs.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/helper_container.h"
#include "core/placement.h"
#include "core/slurm_job.h"
#include "engine/build_context.h"
#include "engine/podman.h"
#include "gpu/cdi.h"
#include "services/agent_inject.h"
#include "support/files.h"
#include "support/hash.h"
#include "support/nesting.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto kCacheLife = 10min;
constexpr auto kProbeLimit = 60s;

fs::path cache_file(const std::string& url) {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = cache && *cache == '/' ? fs::path(cache) : fs::path(home && *home ? home : "/tmp") / ".cache";
  return base / "dlcontainer" / "engines" / (sha256_hex(url).substr(0, 16) + ".json");
}

long long now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The words read_host_facts uses of the host it runs on, said of the machine they describe.
void name_machine(gpu::HostFacts& f, const std::string& machine) {
  f.machine = machine;
  for (auto at = f.why_none.find("this host"); at != std::string::npos; at = f.why_none.find("this host", at)) {
    f.why_none.replace(at, 9, machine);
  }
}

struct Probed {
  gpu::HostFacts facts;
  gpu::AttachEnvironment attach;
  std::string disk_path;
  std::optional<std::int64_t> disk_free;
};

json to_cache(const Probed& p) {
  json j = {{"time", now_seconds()}, {"facts", p.facts}, {"attach", p.attach}, {"diskPath", p.disk_path}};
  if (p.disk_free) j["diskFree"] = *p.disk_free;
  return j;
}

std::optional<Probed> from_cache(const json& j) {
  if (!j.is_object() || now_seconds() - j.value("time", 0LL) > std::chrono::seconds(kCacheLife).count()) return std::nullopt;
  try {
    Probed p;
    j.at("facts").get_to(p.facts);
    j.at("attach").get_to(p.attach);
    p.disk_path = j.value("diskPath", "");
    if (j.contains("diskFree")) p.disk_free = j["diskFree"].get<std::int64_t>();
    return p;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// Runs the probe on the engine's host; a probe that cannot run is said in facts.why_none.
Probed probe(const engine::Engine& engine, const engine::SystemInfo& info, const CancelToken& cancel) {
  Probed p;
  const std::string machine = engine.endpoint().machine();
  p.disk_path = info.docker_root_dir;
  try {
    engine::ContainerSpec spec;
    spec.image = ensure_probe_image(engine);
    spec.entrypoint = std::vector<std::string>{"/dlcontainer-agent"};
    spec.cmd = std::vector<std::string>{"gpu-facts", "--root", "/host"};
    if (!info.docker_root_dir.empty()) spec.cmd->insert(spec.cmd->end(), {"--disk", "/host" + info.docker_root_dir});
    spec.user = "0";
    spec.mounts.push_back(engine::Mount{.type = "bind", .source = "/", .target = "/host", .read_only = true});
    spec.device_cgroup_rules = {"c 195:* rmw"};  // /dev/nvidiactl and /dev/nvidiaN, for NVML
    spec.network_mode = "none";
    spec.labels = {{kProbeLabel, "gpu-facts"}};
    auto run = run_helper(engine, spec, cancel, kProbeLimit);
    const std::string& out = run.out;
    const std::string& err = run.err;
    auto j = parse_json_within(out);
    if (!j.is_object() || !j.contains("facts")) {
      throw Error(ErrorCode::EngineError, "the probe said " + (err.empty() ? out.substr(0, 200) : err.substr(0, 400)));
    }
    j.at("facts").get_to(p.facts);
    j.at("attach").get_to(p.attach);
    if (auto d = j.find("disk"); d != j.end() && d->is_object()) p.disk_free = d->value("free", std::int64_t{0});
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Cancelled || e.code() == ErrorCode::EngineUnavailable) throw;
    p.facts = gpu::HostFacts{};
    p.facts.source = "probe";
    p.facts.why_none = "the GPUs of " + machine + " could not be read by a probe container there: " + e.what();
  } catch (const json::exception& e) {
    p.facts = gpu::HostFacts{};
    p.facts.source = "probe";
    p.facts.why_none = std::string("the probe's answer from ") + machine + " cannot be read: " + e.what();
  }
  name_machine(p.facts, machine);
  return p;
}

}  // namespace

gpu::AllocatedGpus slurm_job_gpus(const std::string& job_id) {
  // A job's GPUs do not change while it runs.
  static std::mutex mu;
  static std::map<std::string, gpu::AllocatedGpus> known;
  {
    std::lock_guard lock(mu);
    if (auto it = known.find(job_id); it != known.end()) return it->second;
  }
  auto given = gpu::allocated_gpus(slurm_gpu_environment(job_id), "Slurm job " + job_id);
  std::lock_guard lock(mu);
  return known[job_id] = given;
}

std::string ensure_probe_image(const engine::Engine& engine) {
  std::string ref = "dlcontainer/probe:" + services::agent_hash();
  if (engine.inspect_image(ref)) return ref;
  engine.import_image(ref, engine::tar_files({{.path = "dlcontainer-agent", .content = services::agent_bytes(), .mode = 0755}}));
  return ref;
}

EngineHostFacts engine_host_facts(const engine::Engine& engine, Freshness freshness, const CancelToken& cancel) {
  EngineHostFacts out;
  out.local = engine.endpoint().local();
  if (out.local) {
    out.facts = gpu::read_host_facts();
    try {
      out.info = engine.info(cancel);
    } catch (const Error& e) {
      if (e.code() == ErrorCode::Cancelled) throw;
    }
    try {
      out.podman = engine::podman_facts(engine).podman;
    } catch (const Error& e) {
      if (e.code() == ErrorCode::Cancelled) throw;
    }
    out.attach = out.podman ? gpu::discover_for_podman(out.facts, out.info) : gpu::discover(out.facts, out.info);
    out.disk_path = out.info ? out.info->docker_root_dir : "";
    struct statvfs st {};
    if (!out.disk_path.empty() && ::statvfs(out.disk_path.c_str(), &st) == 0) {
      out.disk_free = static_cast<std::int64_t>(st.f_bavail) * static_cast<std::int64_t>(st.f_frsize);
    }
    return out;
  }

  out.info = engine.info(cancel);  // a remote engine that does not answer is an error, not "no GPU"
  const std::string url = engine.endpoint().url();
  static std::mutex mu;
  static std::map<std::string, Probed> memory;
  std::optional<Probed> probed;
  if (freshness == Freshness::Cached) {
    std::lock_guard lock(mu);
    if (auto it = memory.find(url); it != memory.end()) probed = it->second;
    if (!probed) {
      auto text = read_file(cache_file(url).string(), 1 << 20);
      if (text) probed = from_cache(json::parse(*text, nullptr, false));
    }
  }
  if (!probed) {
    probed = probe(engine, *out.info, cancel);
    std::lock_guard lock(mu);
    memory[url] = *probed;
    auto file = cache_file(url);
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (probed->facts.source != "probe") write_file_atomically(file.string(), to_cache(*probed).dump(), 0600);
  }
  out.facts = probed->facts;
  out.attach = probed->attach;
  out.disk_path = probed->disk_path;
  out.disk_free = probed->disk_free;
  gpu::apply_engine_info(out.attach, *out.info);
  if (!out.info->cdi_spec_dirs.empty()) out.attach.cdi_spec_dirs = out.info->cdi_spec_dirs;
  if (engine.endpoint().transport == engine::Transport::Slurm) out.allocated = slurm_job_gpus(engine.endpoint().host);
  return out;
}

gpu::HostFacts gpu_facts_for_host(const std::string& host) {
  auto endpoint = engine_endpoint(host);
  if (endpoint.local()) return gpu::read_host_facts();
  return engine_host_facts(engine::Engine::connect(endpoint), Freshness::Fresh).facts;
}

}  // namespace dlc::core
