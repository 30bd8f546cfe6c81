// core/doctor's verdicts and core/verify's judgement, from measured facts (no GPU, no daemon).
#include <gtest/gtest.h>

#include "core/doctor.h"
#include "core/verify.h"

namespace dlc::core {
namespace {

using json = nlohmann::json;
constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;

const DoctorCheck& check(const DoctorReport& r, const std::string& id) {
  for (const auto& c : r.checks) {
    if (c.id == id) return c;
  }
  static DoctorCheck missing{"missing"};
  ADD_FAILURE() << "no check " << id;
  return missing;
}

gpu::HostFacts h100() {
  gpu::HostFacts f;
  f.driver_present = true;
  f.driver_version = "580.65.06";
  f.cuda_version = "13.0";
  f.source = "nvml";
  f.gpus = {gpu::GpuDevice{.index = 0, .name = "NVIDIA H100 80GB HBM3", .uuid = "GPU-a", .memory_total = 80 * kGiB, .compute_major = 9}};
  return f;
}

gpu::AttachEnvironment direct_files() {
  gpu::AttachEnvironment e;
  e.driver.control_nodes = {"/dev/nvidia-uvm", "/dev/nvidiactl"};
  e.driver.gpu_nodes = {{0, "/dev/nvidia0"}};
  e.driver.libraries = {"/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"};
  e.driver.binaries = {"/usr/bin/nvidia-smi"};
  e.engine_known = true;
  e.engine_runtimes = {"runc"};
  e.cdi_spec_dirs = {"/etc/cdi", "/var/run/cdi"};
  return e;
}

DoctorInputs healthy() {
  DoctorInputs in;
  in.facts = h100();
  in.attach = direct_files();
  in.engine_program = "/usr/bin/dockerd";
  in.engine_socket = "/var/run/docker.sock";
  in.engine_socket_exists = true;
  engine::SystemInfo info;
  info.server_version = "27.5.1";
  info.api_version = "1.43";
  info.docker_root_dir = "/var/lib/docker";
  in.info = info;
  in.disk_path = "/var/lib/docker";
  in.disk_free = 200 * kGiB;
  in.user = "ada";
  return in;
}

TEST(Doctor, AHealthyHostWithoutTheToolkitIsOkWithTheDirectMethod) {
  auto r = evaluate(healthy());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.method, "direct");
  EXPECT_EQ(check(r, "driver").status, "ok");
  EXPECT_NE(check(r, "driver").result.find("580.65.06"), std::string::npos);
  EXPECT_NE(check(r, "gpus").result.find("NVIDIA H100 80GB HBM3 (80.0 GiB, sm 9.0, GPU-a)"), std::string::npos) << check(r, "gpus").result;
  EXPECT_EQ(check(r, "cuda").result.substr(0, 9), "CUDA 13.0");
  EXPECT_EQ(check(r, "toolkit").status, "info");
  EXPECT_EQ(check(r, "attach").status, "ok");
  EXPECT_EQ(check(r, "disk").status, "ok");
  json j = r;
  EXPECT_EQ(j["checks"].size(), r.checks.size());
  EXPECT_EQ(j["method"], "direct");
}

TEST(Doctor, NoGpuFailsWithTheReasonAndWhatToDo) {
  auto in = healthy();
  in.facts = gpu::HostFacts{.source = "none", .why_none = "no NVIDIA GPU on this host: no NVIDIA device on the PCI bus"};
  in.attach = gpu::AttachEnvironment{};
  auto r = evaluate(in);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.method, "none");
  EXPECT_EQ(check(r, "driver").status, "fail");
  EXPECT_NE(check(r, "driver").fix.find("CPU workspaces work here"), std::string::npos);
  EXPECT_EQ(check(r, "attach").status, "fail");
  EXPECT_EQ(check(r, "docker-running").status, "ok");
}

TEST(Doctor, EachMissingDriverPieceGetsItsOwnFix) {
  auto in = healthy();
  in.facts = gpu::HostFacts{.source = "none", .why_none = "an NVIDIA GPU is on the PCI bus but the NVIDIA driver is not loaded"};
  EXPECT_NE(check(evaluate(in), "driver").fix.find("ubuntu-drivers install"), std::string::npos);
  in.facts.why_none = "the NVIDIA kernel module 580.65.06 is loaded but its user-space libraries cannot be used: ...";
  EXPECT_NE(check(evaluate(in), "driver").fix.find("libnvidia-compute"), std::string::npos);
  in.facts.why_none = "NVML could not start: the driver's libraries and its loaded kernel module are different versions";
  EXPECT_NE(check(evaluate(in), "driver").fix.find("reboot"), std::string::npos);
}

TEST(Doctor, ADaemonThatDoesNotRunSaysHowToStartIt) {
  auto in = healthy();
  in.info.reset();
  in.disk_free.reset();
  in.disk_path.clear();
  in.engine_error = Error(ErrorCode::EngineUnavailable, "the Docker daemon is not running (no socket at /var/run/docker.sock)",
                          "start it: sudo systemctl start docker");
  auto r = evaluate(in);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(check(r, "docker-installed").status, "ok");
  EXPECT_EQ(check(r, "docker-running").status, "fail");
  EXPECT_EQ(check(r, "docker-running").fix, "start it: sudo systemctl start docker");
  EXPECT_EQ(check(r, "docker-access").status, "info");
  EXPECT_EQ(check(r, "disk").status, "info");
}

TEST(Doctor, NoDockerAtAllSaysHowToInstallIt) {
  auto in = healthy();
  in.info.reset();
  in.engine_program.clear();
  in.engine_socket_exists = false;
  in.engine_error = Error(ErrorCode::EngineUnavailable, "no socket");
  auto r = evaluate(in);
  EXPECT_EQ(check(r, "docker-installed").status, "fail");
  EXPECT_NE(check(r, "docker-installed").fix.find("apt-get install -y docker.io"), std::string::npos);
}

TEST(Doctor, ASocketThisUserMayNotUseSaysToJoinTheDockerGroup) {
  auto in = healthy();
  in.info.reset();
  in.engine_error = Error(ErrorCode::EnginePermission, "permission denied on the Docker socket /var/run/docker.sock");
  auto r = evaluate(in);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(check(r, "docker-running").status, "ok");
  EXPECT_EQ(check(r, "docker-access").status, "fail");
  EXPECT_NE(check(r, "docker-access").fix.find("sudo usermod -aG docker ada"), std::string::npos);
}

TEST(Doctor, TheLdconfigRealFailureIsNamedWithItsExactFix) {
  auto in = healthy();
  in.attach.toolkit_hook = "/usr/bin/nvidia-container-runtime-hook";
  in.attach.toolkit_config = "/etc/nvidia-container-runtime/config.toml";
  in.attach.toolkit_ldconfig = "@/sbin/ldconfig.real";
  in.attach.toolkit_ldconfig_missing = true;
  auto r = evaluate(in);
  const auto& c = check(r, "ldconfig");
  EXPECT_EQ(c.status, "warn");  // up still works: it attaches directly
  EXPECT_NE(c.result.find("ldcache error: open failed: /sbin/ldconfig.real"), std::string::npos) << c.result;
  EXPECT_NE(c.fix.find("sudo sed -i 's|ldconfig = \"@/sbin/ldconfig.real\"|ldconfig = \"@/"), std::string::npos) << c.fix;
  EXPECT_NE(c.fix.find("/etc/nvidia-container-runtime/config.toml"), std::string::npos);
  EXPECT_EQ(r.method, "direct");
  EXPECT_TRUE(r.ok);

  in.attach.driver = {};  // nothing to fall back to: now it blocks
  r = evaluate(in);
  EXPECT_EQ(check(r, "ldconfig").status, "fail");
  EXPECT_FALSE(r.ok);
}

TEST(Doctor, TheToolkitIsPreferredWhenInstalled) {
  auto in = healthy();
  in.attach.toolkit_hook = "/usr/bin/nvidia-container-runtime-hook";
  in.attach.toolkit_config = "/etc/nvidia-container-runtime/config.toml";
  in.attach.toolkit_ldconfig = "@/sbin/ldconfig";
  auto r = evaluate(in);
  EXPECT_EQ(r.method, "toolkit");
  EXPECT_EQ(check(r, "toolkit").status, "ok");
  EXPECT_EQ(check(r, "ldconfig").status, "ok");
}

TEST(Doctor, LittleDiskWarnsThenFails) {
  auto in = healthy();
  in.disk_free = 10 * kGiB;
  EXPECT_EQ(check(evaluate(in), "disk").status, "warn");
  EXPECT_TRUE(evaluate(in).ok);
  in.disk_free = kGiB;
  EXPECT_EQ(check(evaluate(in), "disk").status, "fail");
  EXPECT_NE(check(evaluate(in), "disk").fix.find("docker system prune"), std::string::npos);
  EXPECT_FALSE(evaluate(in).ok);
}

TEST(Doctor, MirrorsAreListedOrSuggested) {
  auto in = healthy();
  EXPECT_EQ(check(evaluate(in), "mirrors").status, "info");
  EXPECT_NE(check(evaluate(in), "mirrors").fix.find("registry-mirrors"), std::string::npos);
  in.info->registry_mirrors = {"https://mirror.example"};
  EXPECT_EQ(check(evaluate(in), "mirrors").result, "https://mirror.example");
}

// --- verify's judgement

VerifyResult probed(json probe, gpu::Method method = gpu::Method::None) {
  VerifyResult r;
  r.gpu.method = method;
  r.gpu.reason = "the workspace does not ask for a GPU";
  r.probe = std::move(probe);
  return r;
}

json trained(bool on_gpu, double first = 2.3, double last = 0.01) {
  return json{{"framework", "pytorch"}, {"frameworkVersion", "2.5.1"}, {"device", on_gpu ? "NVIDIA H100 80GB HBM3" : "CPU (EPYC)"},
              {"onGpu", on_gpu}, {"steps", 300}, {"stepsPerSecond", 900.0}, {"firstLoss", first}, {"lastLoss", last},
              {"lossFell", last < first / 2}, {"problems", json::array()}};
}

TEST(VerifyJudge, CpuTrainingPassesAndSaysCpu) {
  auto r = probed(trained(false));
  judge(r, false);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.summary.rfind("CPU only", 0), 0u) << r.summary;
}

TEST(VerifyJudge, GpuTrainingPassesAndSaysGpu) {
  auto r = probed(trained(true), gpu::Method::Direct);
  judge(r, true);
  EXPECT_TRUE(r.passed);
  EXPECT_NE(r.summary.find("GPU works: pytorch 2.5.1 trained on NVIDIA H100 80GB HBM3"), std::string::npos) << r.summary;
}

TEST(VerifyJudge, AttachedGpusTheFrameworkCannotSeeFail) {
  auto r = probed(trained(false), gpu::Method::Toolkit);
  judge(r, false);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.summary.find("GPUs were attached (toolkit) but pytorch does not see one"), std::string::npos) << r.summary;
}

TEST(VerifyJudge, RequireGpuFailsOnTheCpu) {
  auto r = probed(trained(false));
  judge(r, true);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.summary.find("--require-gpu"), std::string::npos);
}

TEST(VerifyJudge, ALossThatDoesNotFallFails) {
  auto r = probed(trained(true, 2.3, 2.2), gpu::Method::Direct);
  judge(r, false);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.summary.find("loss did not fall"), std::string::npos);
}

TEST(VerifyJudge, NoPythonNoFrameworkNoResult) {
  auto r = probed(json{{"noPython", true}});
  judge(r, false);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.summary.find("--python"), std::string::npos);
  r = probed(json{{"framework", nullptr}, {"problems", {"no deep-learning framework in this container"}}});
  judge(r, false);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.summary.find("no deep-learning framework"), std::string::npos);
  r = probed(json::object());
  r.exit_code = 139;
  judge(r, false);
  EXPECT_NE(r.summary.find("status 139"), std::string::npos);
}

}  // namespace
}  // namespace dlc::core

namespace dlc::core {
namespace {

TEST(Doctor, AStaleCdiSpecIsAWarningWithTheCommandThatRewritesIt) {
  auto in = healthy();
  in.cdi_checks = {gpu::CdiSpecCheck{.file = "/etc/cdi/nvidia.yaml", .ours = true, .driver_version = "570.10.01", .stale = true,
                                     .reason = "it was written for driver 570.10.01, and driver 580.65.06 runs now"},
                   gpu::CdiSpecCheck{.file = "/etc/cdi/other.yaml", .ours = false, .stale = true, .reason = "x"},
                   gpu::CdiSpecCheck{.file = "/etc/cdi/fresh.yaml", .ours = true, .driver_version = "580.65.06"}};
  auto r = evaluate(in);
  EXPECT_TRUE(r.ok);  // a warning: the direct method still works
  std::vector<DoctorCheck> stale;
  for (const auto& c : r.checks) if (c.id == "cdi-stale") stale.push_back(c);
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].status, "warn");
  EXPECT_NE(stale[0].result.find("written for driver 570.10.01"), std::string::npos);
  EXPECT_EQ(stale[0].fix, "rewrite it: sudo dlcontainer gpus --cdi --output /etc/cdi/nvidia.yaml");
  EXPECT_NE(stale[1].fix.find("nvidia-ctk cdi generate --output=/etc/cdi/other.yaml"), std::string::npos);
}

TEST(Doctor, WithoutACdiSpecItSaysHowToWriteOne) {
  auto r = evaluate(healthy());
  EXPECT_NE(check(r, "cdi").fix.find("dlcontainer gpus --cdi --output /etc/cdi/nvidia.yaml"), std::string::npos);
}

}  // namespace
}  // namespace dlc::core
