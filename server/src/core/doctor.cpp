#include "core/doctor.h"

#include <pwd.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "core/engine_facts.h"
#include "core/placement.h"
#include "engine/engine.h"
#include "engine/podman.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

std::string gib(std::int64_t bytes) {
  std::ostringstream out;
  out.precision(bytes >= 100 * kGiB ? 0 : 1);
  out << std::fixed << static_cast<double>(bytes) / static_cast<double>(kGiB) << " GiB";
  return out.str();
}

std::string join(const std::vector<std::string>& parts, const std::string& sep = ", ") {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

const char* kInstallToolkit =
    "install the NVIDIA container toolkit (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/"
    "install-guide.html): sudo apt-get install -y nvidia-container-toolkit && sudo nvidia-ctk runtime configure "
    "--runtime=docker && sudo systemctl restart docker";

// The fix for a missing driver, from the reason read_host_facts gave.
std::string driver_fix(const gpu::HostFacts& f) {
  const auto& why = f.why_none;
  if (contains(why, "no NVIDIA GPU on this host")) {
    return "this host has no NVIDIA GPU: GPU workspaces need one. CPU workspaces work here "
           "(\"hostRequirements\": {\"gpu\": \"optional\"} starts them without a GPU)";
  }
  if (contains(why, "different versions") || contains(why, "mismatch")) {
    return "reboot: the driver was upgraded and the old kernel module is still loaded";
  }
  if (contains(why, "kernel module") && contains(why, "is loaded but")) {
    return "install the driver's user-space libraries for the loaded kernel module (Ubuntu: sudo apt-get install "
           "libnvidia-compute-<driver major>; Debian: sudo apt-get install libcuda1 libnvidia-ml1), or, if they are "
           "installed in a folder of their own, add it to /etc/ld.so.conf.d/nvidia.conf and run sudo ldconfig";
  }
  if (contains(why, "no permission")) return "add this user to the group that owns /dev/nvidia* (often video), or run as root";
  return "install the NVIDIA driver (Ubuntu: sudo ubuntu-drivers install; Debian: sudo apt-get install nvidia-driver "
         "from non-free), then reboot; `nvidia-smi` should then list the GPU";
}

std::string gpu_line(const gpu::GpuDevice& g) {
  std::string s = std::to_string(g.index) + ": " + g.name;
  std::vector<std::string> extra;
  if (g.memory_total > 0) extra.push_back(gib(g.memory_total));
  if (g.compute_major > 0) extra.push_back("sm " + std::to_string(g.compute_major) + "." + std::to_string(g.compute_minor));
  if (!g.uuid.empty()) extra.push_back(g.uuid);
  if (!extra.empty()) s += " (" + join(extra) + ")";
  return s;
}

}  // namespace

namespace {

// Appends one check to a report's list, in the order the user reads them.
struct CheckList {
  std::vector<DoctorCheck>& checks;
  void operator()(std::string id, std::string title, std::string status, std::string result, std::string fix = {}) {
    checks.push_back(DoctorCheck{std::move(id), std::move(title), std::move(status), std::move(result), std::move(fix)});
  }
};

// CDI: the specs the engine would read, and each NVIDIA spec against the running driver. A stale spec
// mounts another driver's libraries (or files that are gone): CDI containers then fail to start, or
// start with a CUDA that does not match the kernel module.
void add_cdi_checks(const DoctorInputs& in, std::vector<DoctorCheck>& checks) {
  const auto& a = in.attach;
  CheckList add{checks};
  if (!a.cdi_spec_files.empty() && a.engine_cdi) {
    add("cdi", "CDI specs", "ok", join(a.cdi_spec_files) + " (" + std::to_string(a.cdi_devices.size()) + " devices); the engine uses CDI");
  } else if (!a.cdi_spec_files.empty()) {
    add("cdi", "CDI specs", "info", join(a.cdi_spec_files) + ", but this engine does not resolve CDI names",
        "optional: Docker 25+ uses them with \"features\": {\"cdi\": true} in /etc/docker/daemon.json");
  } else {
    add("cdi", "CDI specs", "info", "none in " + join(a.cdi_spec_dirs),
        in.facts.gpus.empty() ? "" : "optional: sudo dlcontainer gpus --cdi --output /etc/cdi/nvidia.yaml writes one (Podman, Docker 25+)");
  }
  for (const auto& c : in.cdi_checks) {
    if (!c.stale) continue;
    add("cdi-stale", "CDI spec " + c.file, "warn", c.file + " is out of date: " + c.reason,
        c.ours ? "rewrite it: sudo dlcontainer gpus --cdi --output " + c.file
               : "regenerate it: sudo nvidia-ctk cdi generate --output=" + c.file +
                     " (without the toolkit: move it away, then sudo dlcontainer gpus --cdi --output " + c.file + ")");
  }
}

// The driver, its GPUs and its CUDA.
void add_driver_checks(const DoctorInputs& in, std::vector<DoctorCheck>& checks) {
  CheckList add{checks};
  const auto& f = in.facts;
  if (f.driver_present) {
    std::string from = f.source == "nvml" ? "NVML" : f.source == "cuda" ? "the CUDA driver API" : f.source;
    add("driver", "NVIDIA driver", "ok",
        (f.driver_version.empty() ? std::string("present") : f.driver_version) + " (read through " + from +
            (f.library_path.empty() ? "" : ", " + f.library_path) + ")");
  } else {
    add("driver", "NVIDIA driver", "fail", f.why_none.empty() ? "not found" : f.why_none, driver_fix(f));
  }
  if (!f.gpus.empty()) {
    std::vector<std::string> lines;
    for (const auto& g : f.gpus) lines.push_back(gpu_line(g));
    add("gpus", "GPUs", "ok", std::to_string(f.gpus.size()) + ": " + join(lines, "; "));
  } else if (f.driver_present) {
    add("gpus", "GPUs", "fail", f.why_none.empty() ? "the driver reports no GPU" : f.why_none,
        "run nvidia-smi; a GPU that fell off the bus (Xid 79) needs a reboot");
  } else {
    add("gpus", "GPUs", "fail", "none (no driver)");
  }
  if (!f.cuda_version.empty()) {
    add("cuda", "Highest CUDA", "ok", "CUDA " + f.cuda_version + ": images built for this CUDA or older run here");
  } else {
    add("cuda", "Highest CUDA", "info", "unknown without a driver");
  }
}

// The engine: installed, running, usable by this user.
void add_engine_checks(const DoctorInputs& in, std::vector<DoctorCheck>& checks) {
  CheckList add{checks};
  bool reached = in.info.has_value();
  bool permission = in.engine_error && in.engine_error->code() == ErrorCode::EnginePermission;
  if (!in.machine.empty()) {
    // A remote engine: there is no program or socket here to look for; reaching it is the test.
    if (reached) add("docker-installed", "Docker installed", "ok", "on " + in.machine + ", reached at " + in.engine);
    else add("docker-installed", "Docker installed", "info", "on " + in.machine + ": unknown until its engine is reached");
  } else if (!in.engine_program.empty() || in.engine_socket_exists) {
    add("docker-installed", "Docker installed", "ok",
        !in.engine_program.empty() ? in.engine_program : "socket " + in.engine_socket + " exists");
  } else {
    add("docker-installed", "Docker installed", "fail", "no dockerd on this host and no socket at " + in.engine_socket,
        "install Docker Engine: sudo apt-get install -y docker.io (Debian/Ubuntu), or see "
        "https://docs.docker.com/engine/install/");
  }
  if (reached) {
    add("docker-running", "Docker running", "ok",
        "Docker " + in.info->server_version + " (API " + in.info->api_version + ") at " + in.engine_socket);
  } else if (permission) {
    add("docker-running", "Docker running", "ok", "its socket " + in.engine_socket + " exists (this user may not use it)");
  } else {
    std::string why = in.engine_error ? in.engine_error->what() : "not reached";
    std::string fix = in.engine_error && !in.engine_error->hint().empty() ? in.engine_error->hint() : "sudo systemctl start docker";
    add("docker-running", "Docker running", "fail", why, fix);
  }
  if (reached) {
    add("docker-access", "Docker usable by " + (in.user.empty() ? std::string("this user") : in.user), "ok",
        "the engine answers this user");
  } else if (permission) {
    add("docker-access", "Docker usable by " + (in.user.empty() ? std::string("this user") : in.user), "fail",
        in.engine_error->what(),
        "sudo usermod -aG docker " + (in.user.empty() ? std::string("$USER") : in.user) +
            ", then log out and in again (or run `newgrp docker`)");
  } else {
    add("docker-access", "Docker usable by this user", "info", "unknown until the engine runs");
  }
}

// How GPUs would reach a container: the toolkit, CDI, the toolkit's ldconfig, the method chosen.
void add_attach_checks(const DoctorInputs& in, DoctorReport& r) {
  const auto& f = in.facts;
  const auto& a = in.attach;
  auto choice = gpu::choose_method(f, a);
  r.method = gpu::to_string(choice.method);
  r.method_reason = choice.reason;
  CheckList add{r.checks};

  std::vector<std::string> toolkit_parts;
  if (!a.toolkit_hook.empty()) toolkit_parts.push_back(a.toolkit_hook);
  if (!a.toolkit_cli.empty()) toolkit_parts.push_back(a.toolkit_cli);
  if (!a.toolkit_ctk.empty()) toolkit_parts.push_back(a.toolkit_ctk);
  std::string runtimes = a.engine_known ? "; engine runtimes: " + join(a.engine_runtimes) : "";
  if (!a.toolkit_hook.empty() || a.engine_nvidia_runtime) {
    add("toolkit", "NVIDIA container toolkit", "ok", "installed: " + join(toolkit_parts) + runtimes);
  } else if (choice.method == gpu::Method::Direct || f.gpus.empty()) {
    add("toolkit", "NVIDIA container toolkit", "info",
        "not installed" + runtimes + (f.gpus.empty() ? "" : " (not needed: up attaches the GPUs directly)"),
        f.gpus.empty() ? "" : std::string("optional: ") + kInstallToolkit);
  } else {
    add("toolkit", "NVIDIA container toolkit", "warn", "not installed" + runtimes, kInstallToolkit);
  }

  add_cdi_checks(in, r.checks);

  if (a.toolkit_config.empty()) {
    add("ldconfig", "Toolkit ldconfig", "info", "no toolkit config (" + std::string("/etc/nvidia-container-runtime/config.toml") + ")");
  } else if (a.toolkit_ldconfig_missing) {
    std::string missing = a.toolkit_ldconfig.substr(1);
    std::string ldconfig = gpu::find_program("ldconfig", {"/sbin", "/usr/sbin", "/usr/bin", "/bin"});
    if (ldconfig.empty()) ldconfig = "/sbin/ldconfig";
    add("ldconfig", "Toolkit ldconfig", choice.method == gpu::Method::None ? "fail" : "warn",
        a.toolkit_config + " names ldconfig \"" + a.toolkit_ldconfig + "\", which this host lacks: `docker run --gpus` fails "
        "with \"ldcache error: open failed: " + missing + ": no such file or directory\"",
        "sudo sed -i 's|ldconfig = \"" + a.toolkit_ldconfig + "\"|ldconfig = \"@" + ldconfig + "\"|' " + a.toolkit_config);
  } else {
    add("ldconfig", "Toolkit ldconfig", "ok",
        a.toolkit_ldconfig.empty() ? a.toolkit_config + " sets no ldconfig (the default works)"
                                   : "ldconfig = \"" + a.toolkit_ldconfig + "\" exists");
  }

  if (choice.method != gpu::Method::None) {
    add("attach", "GPU attach method", "ok", r.method + ": " + choice.reason);
  } else {
    std::string fix = f.gpus.empty() ? "see the NVIDIA driver check above" : kInstallToolkit;
    add("attach", "GPU attach method", "fail", "none: " + choice.reason, fix);
  }
}

// Room for images, and where they come from.
void add_room_checks(const DoctorInputs& in, std::vector<DoctorCheck>& checks) {
  CheckList add{checks};
  if (in.disk_free) {
    std::string where = gib(*in.disk_free) + " free in " + in.disk_path;
    const char* fix = "free space with `docker system prune` (stopped containers, unused networks, dangling images), or "
                      "move the engine's \"data-root\" in /etc/docker/daemon.json to a larger disk";
    if (*in.disk_free < 2 * kGiB) add("disk", "Disk for images", "fail", where, fix);
    else if (*in.disk_free < 20 * kGiB) add("disk", "Disk for images", "warn", where + " (framework images take 5-20 GiB)", fix);
    else add("disk", "Disk for images", "ok", where);
  } else {
    add("disk", "Disk for images", "info", "unknown (" + (in.disk_path.empty() ? std::string("engine not reached") : in.disk_path) + ")");
  }

  if (in.info && !in.info->registry_mirrors.empty()) {
    add("mirrors", "Registry mirrors", "ok", join(in.info->registry_mirrors));
  } else if (in.info) {
    add("mirrors", "Registry mirrors", "info", "none set: images come from their registries directly",
        "optional, where Docker Hub is slow or blocked: add \"registry-mirrors\": [\"https://MIRROR\"] to "
        "/etc/docker/daemon.json, then sudo systemctl restart docker");
  } else {
    add("mirrors", "Registry mirrors", "info", "unknown until the engine runs");
  }
}

}  // namespace

DoctorReport evaluate(const DoctorInputs& in) {
  DoctorReport r;
  r.facts = in.facts;
  r.machine = in.machine;
  r.engine = in.engine;
  add_driver_checks(in, r.checks);
  add_engine_checks(in, r.checks);
  add_attach_checks(in, r);
  add_room_checks(in, r.checks);
  r.ok = std::none_of(r.checks.begin(), r.checks.end(), [](const DoctorCheck& c) { return c.status == "fail"; });
  return r;
}

DoctorReport doctor(const std::string& host) {
  DoctorInputs in;
  in.facts = gpu::read_host_facts();
  auto endpoint = engine_endpoint(host);
  in.engine = endpoint.url();
  if (!endpoint.local()) {
    in.machine = endpoint.machine();
    in.engine_socket = endpoint.url();
    try {
      auto measured = engine_host_facts(engine::Engine::connect(endpoint), Freshness::Fresh);
      in.facts = measured.facts;
      in.attach = measured.attach;
      in.info = measured.info;
      in.disk_path = measured.disk_path;
      in.disk_free = measured.disk_free;
    } catch (const Error& e) {
      in.engine_error = e;
      in.facts.machine = in.machine;
      in.facts.why_none = "unknown: the engine on " + in.machine + " cannot be reached";
    }
    if (passwd* pw = ::getpwuid(::getuid())) in.user = pw->pw_name;
    return evaluate(in);
  }
  in.engine_socket = endpoint.socket_path;
  std::error_code ec;
  in.engine_socket_exists = fs::exists(endpoint.socket_path, ec);
  auto dirs = gpu::program_dirs();
  in.engine_program = gpu::find_program(engine::podman_expected(endpoint.socket_path) ? "podman" : "dockerd", dirs);
  if (in.engine_program.empty()) in.engine_program = gpu::find_program("docker", dirs);
  bool podman = false;
  try {
    auto e = engine::Engine::connect(endpoint);
    in.info = e.info();
    podman = engine::podman_facts(e).podman;
  } catch (const Error& e) {
    in.engine_error = e;
  }
  in.attach = podman ? gpu::discover_for_podman(in.facts, in.info) : gpu::discover(in.facts, in.info);
  if (in.facts.driver_present) in.cdi_checks = gpu::check_cdi_specs(in.attach.cdi_spec_files, in.facts.driver_version);
  in.disk_path = in.info && !in.info->docker_root_dir.empty() ? in.info->docker_root_dir : "";
  if (!in.disk_path.empty()) {
    struct statvfs st {};
    if (::statvfs(in.disk_path.c_str(), &st) == 0) {
      in.disk_free = static_cast<std::int64_t>(st.f_bavail) * static_cast<std::int64_t>(st.f_frsize);
    }
  }
  if (passwd* pw = ::getpwuid(::getuid())) in.user = pw->pw_name;
  return evaluate(in);
}

void to_json(json& j, const DoctorCheck& c) {
  j = {{"id", c.id}, {"title", c.title}, {"status", c.status}, {"result", c.result}};
  if (!c.fix.empty()) j["fix"] = c.fix;
}

void to_json(json& j, const DoctorReport& r) {
  j = {{"ok", r.ok}, {"method", r.method}, {"methodReason", r.method_reason}, {"checks", r.checks}, {"host", r.facts}};
  if (!r.machine.empty()) j["machine"] = r.machine;
  if (!r.engine.empty()) j["engine"] = r.engine;
}

}  // namespace dlc::core
