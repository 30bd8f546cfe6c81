// gpus, doctor, verify, and GPU workspaces through the real binary and the real engine. This machine
// has no GPU: the tests pin down that this is said clearly, that a GPU-required workspace is refused
// before anything is made, and that verify trains on the CPU. On a GPU host the no-GPU tests skip
// (tests/gpu/run.sh is the end-to-end run there).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/container_plan.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kTorchImage = "dlc-test/torch:latest";

// An NVIDIA GPU with its driver is here when the driver's control node is (independent of the code under test).
bool host_has_nvidia_gpu() { return fs::exists("/dev/nvidiactl"); }

#define SKIP_ON_A_GPU_HOST() \
  if (host_has_nvidia_gpu()) GTEST_SKIP() << "this host has an NVIDIA GPU; tests/gpu/run.sh covers it"

// Debian's CPU PyTorch on the python image, built once by tests/images/build.sh and kept.
void require_torch_image(const engine::Engine& engine) {
  if (engine.inspect_image(kTorchImage)) return;
  auto r = run({std::string(DLC_SOURCE_DIR) + "/tests/images/build.sh", "torch"}, RunOptions{.timeout_seconds = 1800});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  ASSERT_TRUE(engine.inspect_image(kTorchImage)) << "build.sh did not make " << kTorchImage;
}

json parse(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

const json& check_of(const json& report, const std::string& id) {
  for (const auto& c : report["checks"]) {
    if (c["id"] == id) return c;
  }
  static json none = json::object();
  ADD_FAILURE() << "no check " << id << " in " << report.dump(2);
  return none;
}

TEST(Gpus, OnAHostWithoutAGpuSayNoneAndWhy) {
  SKIP_ON_A_GPU_HOST();
  auto r = dlc({"gpus"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("no GPU: no NVIDIA GPU on this host"), std::string::npos) << r.out;
  auto j = dlc({"gpus", "--json"});
  EXPECT_EQ(j.status, 1);
  auto facts = parse(j.out);
  EXPECT_EQ(facts["driverPresent"], false);
  EXPECT_EQ(facts["source"], "none");
  EXPECT_TRUE(facts["gpus"].empty());
  EXPECT_NE(facts["whyNone"].get<std::string>().find("libnvidia-ml.so.1 not found"), std::string::npos) << facts.dump();
}

TEST(Doctor, OnAHostWithoutAGpuFailsTheDriverCheckAndExitsNonZero) {
  DLC_REQUIRE_ENGINE();
  SKIP_ON_A_GPU_HOST();
  auto r = dlc({"doctor", "--json"});
  EXPECT_EQ(r.status, 1) << r.err;
  auto report = parse(r.out);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["method"], "none");
  EXPECT_EQ(check_of(report, "driver")["status"], "fail");
  EXPECT_NE(check_of(report, "driver")["fix"].get<std::string>().find("no NVIDIA GPU"), std::string::npos);
  EXPECT_EQ(check_of(report, "attach")["status"], "fail");
  // The engine here works, and doctor says so.
  EXPECT_EQ(check_of(report, "docker-installed")["status"], "ok");
  EXPECT_EQ(check_of(report, "docker-running")["status"], "ok");
  EXPECT_EQ(check_of(report, "docker-access")["status"], "ok");
  EXPECT_NE(check_of(report, "docker-running")["result"].get<std::string>().find(engine.api_version()), std::string::npos);
  EXPECT_NE(check_of(report, "disk")["result"].get<std::string>().find("GiB free in "), std::string::npos);
  for (const char* id : {"gpus", "cuda", "toolkit", "cdi", "ldconfig", "mirrors"}) EXPECT_FALSE(check_of(report, id).empty()) << id;

  auto table = dlc({"doctor"});
  EXPECT_EQ(table.status, 1);
  EXPECT_NE(table.out.find("[FAIL] NVIDIA driver"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("fix: this host has no NVIDIA GPU"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("[ ok ] Docker running"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("no GPU container can be made here yet"), std::string::npos) << table.out;
}

TEST(Doctor, AnEngineItCannotReachIsAFailedCheckWithItsFixNotACrash) {
  fs::path dir = fs::temp_directory_path() / ("dlc-doctor-" + std::to_string(::getpid()));
  RunOptions o;
  o.env["DOCKER_HOST"] = "unix://" + (dir / "no-daemon.sock").string();
  auto r = dlc({"doctor", "--json"}, o);
  EXPECT_EQ(r.status, 1) << r.err;
  auto report = parse(r.out);
  EXPECT_EQ(check_of(report, "docker-running")["status"], "fail");
  EXPECT_NE(check_of(report, "docker-running")["result"].get<std::string>().find("no-daemon.sock"), std::string::npos)
      << report.dump(2);
  EXPECT_FALSE(check_of(report, "docker-running")["fix"].get<std::string>().empty());
  EXPECT_EQ(check_of(report, "disk")["status"], "info");
}

TEST(Doctor, AUserOutsideTheDockerGroupIsToldToJoinIt) {
  DLC_REQUIRE_ENGINE();
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the binary as another user";
  struct stat st {};
  ASSERT_EQ(::stat("/var/run/docker.sock", &st), 0);
  if ((st.st_mode & 0006) != 0) GTEST_SKIP() << "the socket is open to everyone here";
  RunOptions o;
  o.uid = 4321;
  o.gid = 4321;
  o.unset_env = {"DOCKER_HOST"};
  auto r = dlc({"doctor", "--json"}, o);
  EXPECT_EQ(r.status, 1) << r.err;
  auto report = parse(r.out);
  EXPECT_EQ(check_of(report, "docker-access")["status"], "fail");
  EXPECT_NE(check_of(report, "docker-access")["fix"].get<std::string>().find("usermod -aG docker"), std::string::npos);
}

TEST(GpuWorkspace, ThatRequiresAGpuIsRefusedBeforeAnythingIsMade) {
  DLC_REQUIRE_ENGINE();
  SKIP_ON_A_GPU_HOST();
  Workspace ws("needs-gpu");
  ws.write(".devcontainer/Dockerfile", "FROM dlc-test/python:latest\nRUN touch /built\n");
  ws.devcontainer(R"({"build": {"dockerfile": "Dockerfile"}, "hostRequirements": {"gpu": true}})");
  auto before = snapshot(ws.path());
  auto r = dlc({"up", ws.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("error: this workspace needs a GPU (hostRequirements.gpu) but no NVIDIA GPU on this host"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("hint: run `dlcontainer doctor`"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"optional\""), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Building"), std::string::npos) << "an image was built before the refusal:\n" << r.err;
  EXPECT_TRUE(ws.containers(engine).empty());
  EXPECT_FALSE(engine.inspect_image("dlcontainer/" + core::container_name_for(fs::weakly_canonical(ws.path()))));
  EXPECT_EQ(snapshot(ws.path()), before);
}

TEST(GpuWorkspace, RunArgsGpusIsRequiredAndGpusNoneStartsItWithout) {
  DLC_REQUIRE_ENGINE();
  SKIP_ON_A_GPU_HOST();
  Workspace ws("runargs-gpus");
  ws.devcontainer(R"({"image": "dlc-test/python:latest", "runArgs": ["--gpus", "all"]})");
  auto refused = dlc({"up", ws.str()});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("needs a GPU (runArgs --gpus all)"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("remove --gpus from runArgs"), std::string::npos) << refused.err;
  EXPECT_TRUE(ws.containers(engine).empty());

  auto r = dlc({"up", ws.str(), "--gpus", "none", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto up = parse(r.out);
  EXPECT_EQ(up["gpu"]["method"], "none");
  EXPECT_EQ(up["gpu"]["reason"], "no GPU asked for (--gpus none)");
  auto info = engine.inspect_container(up["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->device_requests.empty());
  EXPECT_TRUE(info->devices.empty());
}

TEST(GpuWorkspace, ThatTakesAGpuOptionallyStartsWithoutOneAndSaysWhy) {
  DLC_REQUIRE_ENGINE();
  SKIP_ON_A_GPU_HOST();
  Workspace ws("optional-gpu");
  ws.devcontainer(R"({"image": "dlc-test/python:latest", "hostRequirements": {"gpu": "optional"}})");
  auto r = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto up = parse(r.out);
  EXPECT_EQ(up["gpu"]["method"], "none");
  EXPECT_NE(up["gpu"]["reason"].get<std::string>().find("starting without a GPU (hostRequirements.gpu: \"optional\")"),
            std::string::npos)
      << up.dump(2);
  // status reads the same decision back from the container's label.
  auto status = dlc({"status", ws.str(), "--json"});
  ASSERT_EQ(status.status, 0) << status.err;
  EXPECT_EQ(parse(status.out)["gpu"], up["gpu"]);
  auto human = dlc({"status", ws.str()});
  EXPECT_NE(human.out.find("gpu        none (starting without a GPU"), std::string::npos) << human.out;
}

TEST(Verify, TrainsOnTheCpuInATorchContainerAndSaysSo) {
  DLC_REQUIRE_ENGINE();
  SKIP_ON_A_GPU_HOST();
  require_torch_image(engine);
  Workspace ws("torch-cpu");
  ws.devcontainer(std::string(R"({"image": ")") + kTorchImage + R"(", "hostRequirements": {"gpu": "optional"}})");
  auto up = dlc({"up", ws.str()});
  ASSERT_EQ(up.status, 0) << up.err;

  auto r = dlc({"verify", ws.str(), "--json", "--steps", "100"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  auto v = parse(r.out);
  EXPECT_EQ(v["passed"], true) << v.dump(2);
  const auto& p = v["probe"];
  EXPECT_EQ(p["framework"], "pytorch");
  EXPECT_EQ(p["onGpu"], false);
  EXPECT_EQ(p["gpuVisible"], false);
  EXPECT_EQ(p["nvidiaSmi"]["present"], false);
  EXPECT_EQ(p["steps"], 100);
  EXPECT_GT(p["stepsPerSecond"].get<double>(), 0.0);
  EXPECT_LT(p["lastLoss"].get<double>(), p["firstLoss"].get<double>() / 2);
  EXPECT_EQ(p["device"].get<std::string>().rfind("CPU", 0), 0u) << p["device"];
  EXPECT_EQ(v["summary"].get<std::string>().rfind("CPU only", 0), 0u) << v["summary"];
  // The probe's own progress went to stderr, leaving stdout to the JSON.
  EXPECT_NE(r.err.find("== PyTorch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("step    0  loss"), std::string::npos) << r.err;

  auto human = dlc({"verify", ws.str(), "--steps", "30"});
  EXPECT_EQ(human.status, 0) << human.out << human.err;
  EXPECT_NE(human.out.find("no GPU visible to PyTorch"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("✔ CPU only (no GPU in this container): pytorch"), std::string::npos) << human.out;
  EXPECT_EQ(human.out.find("@@DLC_VERIFY"), std::string::npos) << "the result line leaked into the output";

  auto strict = dlc({"verify", ws.str(), "--steps", "20", "--require-gpu"});
  EXPECT_EQ(strict.status, 1);
  EXPECT_NE(strict.out.find("--require-gpu asks for a GPU"), std::string::npos) << strict.out;
}

TEST(Verify, AContainerWithoutAFrameworkFailsAndSaysWhatIsMissing) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("no-framework");
  ws.devcontainer(R"({"image": "dlc-test/python:latest"})");
  ASSERT_EQ(dlc({"up", ws.str()}).status, 0);
  auto r = dlc({"verify", ws.str(), "--json"});
  EXPECT_EQ(r.status, 1);
  auto v = parse(r.out);
  EXPECT_EQ(v["passed"], false);
  EXPECT_NE(v["summary"].get<std::string>().find("no deep-learning framework in this container"), std::string::npos) << v.dump(2);
}

TEST(Verify, AContainerWithoutPythonSaysSo) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("no-python");
  ws.devcontainer(std::string(R"({"image": ")") + kBaseImage + R"("})");
  ASSERT_EQ(dlc({"up", ws.str()}).status, 0);
  auto r = dlc({"verify", ws.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("no python3 or python"), std::string::npos) << r.out << r.err;
}

TEST(Verify, WithoutAContainerSaysToRunUp) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("no-container");
  ws.devcontainer(R"({"image": "dlc-test/python:latest"})");
  auto r = dlc({"verify", ws.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("error: no container for"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dlcontainer up"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dlc::testing
