// gpu/attach: the selection, the request from devcontainer.json and flags, the method chosen from
// what a host has, and the container spec each method gives, all from facts.
#include <gtest/gtest.h>

#include "gpu/attach.h"
#include "support/error.h"

namespace dlc::gpu {
namespace {

using json = nlohmann::json;
using Need = config::GpuRequirement::Need;
using Kind = Selection::Kind;
constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;

HostFacts two_h100() {
  HostFacts f;
  f.driver_present = true;
  f.driver_version = "580.65.06";
  f.cuda_version = "13.0";
  f.source = "nvml";
  f.gpus = {GpuDevice{.index = 0, .name = "NVIDIA H100 80GB HBM3", .uuid = "GPU-aaaa", .memory_total = 80 * kGiB, .compute_major = 9, .minor = 0},
            GpuDevice{.index = 1, .name = "NVIDIA H100 80GB HBM3", .uuid = "GPU-bbbb", .memory_total = 80 * kGiB, .compute_major = 9, .minor = 4}};
  return f;
}

HostFacts no_gpu() {
  HostFacts f;
  f.source = "none";
  f.why_none = "no NVIDIA GPU on this host: nothing on the PCI bus";
  return f;
}

// What the direct method needs, as discovery reports it for a driver in /usr/local/nvidia.
AttachEnvironment direct_only() {
  AttachEnvironment e;
  e.driver.control_nodes = {"/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidiactl"};
  e.driver.gpu_nodes = {{0, "/dev/nvidia0"}, {4, "/dev/nvidia4"}};
  e.driver.libraries = {"/usr/local/nvidia/lib64/libcuda.so.1", "/usr/local/nvidia/lib64/libnvidia-ml.so.1",
                        "/usr/lib/x86_64-linux-gnu/libnvidia-ptxjitcompiler.so.1"};
  e.driver.binaries = {"/usr/local/nvidia/bin/nvidia-smi"};
  e.engine_known = true;
  e.engine_runtimes = {"runc"};
  e.cdi_spec_dirs = {"/etc/cdi", "/var/run/cdi"};
  return e;
}

AttachEnvironment with_toolkit() {
  auto e = direct_only();
  e.toolkit_hook = "/usr/bin/nvidia-container-runtime-hook";
  return e;
}

AttachEnvironment with_cdi() {
  auto e = direct_only();
  e.engine_cdi = true;
  e.cdi_spec_files = {"/etc/cdi/nvidia.yaml"};
  e.cdi_devices = {"nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=GPU-bbbb", "nvidia.com/gpu=all"};
  return e;
}

GpuRequest required(Selection s = {}) { return GpuRequest{.need = Need::Required, .selection = s, .source = "hostRequirements.gpu"}; }

config::DevcontainerConfig config_with(Need need, std::optional<std::string> run_args_gpus = std::nullopt, json custom = json::object()) {
  config::DevcontainerConfig c;
  c.config_file = "/ws/.devcontainer/devcontainer.json";
  c.gpu.need = need;
  c.run_args.gpus = run_args_gpus;
  c.dlcontainer = custom;
  return c;
}

// --- selection

TEST(GpuSelection, ReadsDockersGpusForms) {
  EXPECT_EQ(parse_selection("all").kind, Kind::All);
  EXPECT_EQ(parse_selection("2"), (Selection{.kind = Kind::Count, .count = 2}));
  EXPECT_EQ(parse_selection("count=3"), (Selection{.kind = Kind::Count, .count = 3}));
  EXPECT_EQ(parse_selection("count=all").kind, Kind::All);
  EXPECT_EQ(parse_selection("device=0,1"), (Selection{.kind = Kind::Devices, .devices = {"0", "1"}}));
  EXPECT_EQ(parse_selection("\"device=1,2\""), (Selection{.kind = Kind::Devices, .devices = {"1", "2"}}));
  EXPECT_EQ(parse_selection("'\"device=0,2\",\"capabilities=compute,utility\"'").devices, (std::vector<std::string>{"0", "2"}));
  EXPECT_EQ(parse_selection("device=GPU-aaaa,driver=nvidia").devices, (std::vector<std::string>{"GPU-aaaa"}));
  EXPECT_EQ(parse_selection("0,1"), (Selection{.kind = Kind::Devices, .devices = {"0", "1"}}));
  EXPECT_EQ(parse_selection("GPU-bbbb"), (Selection{.kind = Kind::Devices, .devices = {"GPU-bbbb"}}));
  EXPECT_EQ(parse_selection("device=MIG-1234").devices, (std::vector<std::string>{"MIG-1234"}));
}

TEST(GpuSelection, RefusesWhatItCannotReadWithAHint) {
  for (const char* bad : {"", "0", "-1", "count=0", "device=", "device=first", "driver=amd", "colour=red", "lots"}) {
    try {
      parse_selection(bad);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << bad;
      EXPECT_NE(e.hint().find("device=0,1"), std::string::npos) << bad;
    }
  }
}

TEST(GpuSelection, ReadsTheJsonFormsOfCustomizations) {
  EXPECT_EQ(selection_from_json(2), (Selection{.kind = Kind::Count, .count = 2}));
  EXPECT_EQ(selection_from_json("all").kind, Kind::All);
  EXPECT_EQ(selection_from_json(json::array({0, 1})), (Selection{.kind = Kind::Devices, .devices = {"0", "1"}}));
  EXPECT_EQ(selection_from_json(json::array({"GPU-aaaa"})).devices, (std::vector<std::string>{"GPU-aaaa"}));
  EXPECT_THROW(selection_from_json(json::object()), Error);
  EXPECT_THROW(selection_from_json(0), Error);
  EXPECT_THROW(selection_from_json(json::array({"first"})), Error);
}

// --- the request

TEST(GpuRequestFrom, HostRequirementsAlone) {
  auto r = gpu_request(config_with(Need::Required));
  EXPECT_EQ(r.need, Need::Required);
  EXPECT_EQ(r.selection.kind, Kind::All);
  EXPECT_EQ(r.source, "hostRequirements.gpu");
  EXPECT_EQ(gpu_request(config_with(Need::Optional)).need, Need::Optional);
  EXPECT_EQ(gpu_request(config_with(Need::None)).need, Need::None);
}

TEST(GpuRequestFrom, RunArgsGpusIsRequiredUnlessHostRequirementsSayOptional) {
  auto r = gpu_request(config_with(Need::None, "device=1"));
  EXPECT_EQ(r.need, Need::Required);
  EXPECT_EQ(r.selection.devices, (std::vector<std::string>{"1"}));
  EXPECT_EQ(r.source, "runArgs --gpus device=1");
  r = gpu_request(config_with(Need::Optional, "all"));
  EXPECT_EQ(r.need, Need::Optional);
}

TEST(GpuRequestFrom, TheCommandLineWinsOverRunArgsWhichWinsOverCustomizations) {
  auto c = config_with(Need::None, "2", json{{"gpus", json::array({0})}});
  EXPECT_EQ(gpu_request(c).selection.count, 2);
  EXPECT_EQ(gpu_request(c, "device=GPU-bbbb").selection.devices, (std::vector<std::string>{"GPU-bbbb"}));
  c.run_args.gpus.reset();
  EXPECT_EQ(gpu_request(c).selection.devices, (std::vector<std::string>{"0"}));
  EXPECT_EQ(gpu_request(c).source, "customizations.dlcontainer.gpus");
}

TEST(GpuRequestFrom, NoneTurnsGpusOffWhateverTheFileSays) {
  auto r = gpu_request(config_with(Need::Required, "all"), "none");
  EXPECT_EQ(r.need, Need::None);
  EXPECT_EQ(r.source, "--gpus none");
  r = gpu_request(config_with(Need::Required), "", "none");
  EXPECT_EQ(r.need, Need::None);
  r = gpu_request(config_with(Need::Required, std::nullopt, json{{"gpus", false}}));
  EXPECT_EQ(r.need, Need::None);
}

TEST(GpuRequestFrom, TheAttachMethodFromCustomizationsOrTheFlag) {
  auto c = config_with(Need::Required, std::nullopt, json{{"gpuAttach", "direct"}});
  EXPECT_EQ(gpu_request(c).method, Method::Direct);
  EXPECT_EQ(gpu_request(c, "", "cdi").method, Method::Cdi);
  EXPECT_EQ(gpu_request(c, "", "auto").method, std::nullopt);
  EXPECT_THROW(gpu_request(c, "", "magic"), Error);
  c.dlcontainer = json{{"gpuAttach", 3}};
  try {
    gpu_request(c);
    ADD_FAILURE() << "a number was accepted as gpuAttach";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    EXPECT_NE(std::string(e.what()).find("devcontainer.json"), std::string::npos);
  }
}

TEST(GpuRequestFrom, ABadCustomizationsSelectionNamesTheFile) {
  try {
    gpu_request(config_with(Need::None, std::nullopt, json{{"gpus", "first"}}));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    EXPECT_NE(std::string(e.what()).find("customizations.dlcontainer.gpus"), std::string::npos);
  }
}

// --- the method

TEST(GpuMethod, ToolkitWhenTheHookOrTheNvidiaRuntimeIsThere) {
  auto c = choose_method(two_h100(), with_toolkit());
  EXPECT_EQ(c.method, Method::Toolkit);
  EXPECT_NE(c.reason.find("nvidia-container-runtime-hook"), std::string::npos);
  auto e = direct_only();
  e.engine_runtimes = {"runc", "nvidia"};
  e.engine_nvidia_runtime = true;
  EXPECT_EQ(choose_method(two_h100(), e).method, Method::Toolkit);
}

TEST(GpuMethod, CdiWhenTheEngineUsesItAndASpecNamesGpus) {
  EXPECT_EQ(choose_method(two_h100(), with_cdi()).method, Method::Cdi);
  auto e = with_cdi();
  e.engine_cdi = false;  // specs, but an engine that ignores them
  EXPECT_EQ(choose_method(two_h100(), e).method, Method::Direct);
}

TEST(GpuMethod, DirectWhenNeitherAndItsFilesAreThere) {
  auto c = choose_method(two_h100(), direct_only());
  EXPECT_EQ(c.method, Method::Direct);
  EXPECT_NE(c.reason.find("no NVIDIA container toolkit"), std::string::npos) << c.reason;
}

TEST(GpuMethod, ABrokenToolkitLdconfigFallsBackToDirectAndSaysWhy) {
  auto e = with_toolkit();
  e.toolkit_config = "/etc/nvidia-container-runtime/config.toml";
  e.toolkit_ldconfig = "@/sbin/ldconfig.real";
  e.toolkit_ldconfig_missing = true;
  auto c = choose_method(two_h100(), e);
  EXPECT_EQ(c.method, Method::Direct);
  EXPECT_NE(c.reason.find("ldcache error: open failed: /sbin/ldconfig.real"), std::string::npos) << c.reason;
}

TEST(GpuMethod, NoneListsWhatIsMissing) {
  auto e = direct_only();
  e.driver.control_nodes = {"/dev/nvidiactl"};
  e.driver.libraries.erase(e.driver.libraries.begin());  // no libcuda.so.1
  auto c = choose_method(two_h100(), e);
  EXPECT_EQ(c.method, Method::None);
  EXPECT_NE(c.reason.find("/dev/nvidia-uvm"), std::string::npos) << c.reason;
  EXPECT_NE(c.reason.find("nvidia-modprobe -u"), std::string::npos) << c.reason;
  EXPECT_NE(c.reason.find("libcuda.so.1 not found"), std::string::npos) << c.reason;
  EXPECT_EQ(choose_method(no_gpu(), with_toolkit()).reason, no_gpu().why_none);
}

// --- the plan

TEST(GpuPlan, ARequiredGpuOnAHostWithoutOneIsRefusedWithAHint) {
  try {
    plan_attachment(required(), no_gpu(), direct_only());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::GpuUnavailable);
    EXPECT_NE(std::string(e.what()).find("needs a GPU (hostRequirements.gpu) but no NVIDIA GPU on this host"), std::string::npos)
        << e.what();
    EXPECT_NE(e.hint().find("dlcontainer doctor"), std::string::npos);
    EXPECT_NE(e.hint().find("\"optional\""), std::string::npos);
    EXPECT_NE(e.hint().find("--gpus none"), std::string::npos);
  }
}

TEST(GpuPlan, AnOptionalGpuOnAHostWithoutOneStartsWithoutAndSaysWhy) {
  auto a = plan_attachment(GpuRequest{.need = Need::Optional, .source = "hostRequirements.gpu: \"optional\""}, no_gpu(), {});
  EXPECT_FALSE(a.attached());
  EXPECT_NE(a.reason.find("starting without a GPU"), std::string::npos);
  EXPECT_NE(a.reason.find("no NVIDIA GPU on this host"), std::string::npos);
}

TEST(GpuPlan, NotAskedIsNone) {
  auto a = plan_attachment(GpuRequest{}, two_h100(), with_toolkit());
  EXPECT_FALSE(a.attached());
  EXPECT_EQ(a.reason, "the workspace does not ask for a GPU");
}

TEST(GpuPlan, SelectionsThatTheHostCannotMeet) {
  EXPECT_THROW(plan_attachment(required({.kind = Kind::Count, .count = 3}), two_h100(), direct_only()), Error);
  EXPECT_THROW(plan_attachment(required({.kind = Kind::Devices, .devices = {"2"}}), two_h100(), direct_only()), Error);
  try {
    plan_attachment(required({.kind = Kind::Devices, .devices = {"GPU-cccc"}}), two_h100(), direct_only());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(e.hint().find("0 (GPU-aaaa), 1 (GPU-bbbb)"), std::string::npos) << e.hint();
  }
  auto small = two_h100();
  small.gpus[0].memory_total = 16 * kGiB;
  auto r = required({.kind = Kind::Devices, .devices = {"0"}});
  r.min_memory = 40 * kGiB;
  EXPECT_THROW(plan_attachment(r, small, direct_only()), Error);
  r.selection.devices = {"1"};
  EXPECT_TRUE(plan_attachment(r, small, direct_only()).attached());
}

TEST(GpuPlan, AForcedMethodTheHostLacksIsRefused) {
  auto r = required();
  r.method = Method::Toolkit;
  EXPECT_THROW(plan_attachment(r, two_h100(), direct_only()), Error);
  r.method = Method::Cdi;
  EXPECT_THROW(plan_attachment(r, two_h100(), with_toolkit()), Error);
  r.method = Method::Direct;  // the toolkit is there, but direct was asked for
  auto a = plan_attachment(r, two_h100(), with_toolkit());
  EXPECT_EQ(a.method, Method::Direct);
}

// --- the spec

engine::ContainerSpec base_spec() {
  engine::ContainerSpec s;
  s.image = "pytorch:latest";
  s.env = {"PYTHONUNBUFFERED=1"};
  return s;
}

TEST(GpuSpec, ToolkitAllIsADeviceRequestForEveryGpu) {
  auto a = plan_attachment(required(), two_h100(), with_toolkit());
  ASSERT_EQ(a.method, Method::Toolkit);
  auto s = base_spec();
  apply_attachment(a, with_toolkit(), s, {}, 64 * kGiB);
  ASSERT_EQ(s.device_requests.size(), 1u);
  EXPECT_EQ(s.device_requests[0], (engine::DeviceRequest{.driver = "nvidia", .count = -1, .device_ids = {}, .capabilities = {"gpu"}}));
  EXPECT_TRUE(s.devices.empty());
  EXPECT_EQ(s.mounts.size(), 0u);
  EXPECT_EQ(s.shm_size, 32 * kGiB);
  // What the engine receives: what `docker run --gpus all` sends.
  auto body = engine::to_docker_create_body(s);
  EXPECT_EQ(body["HostConfig"]["DeviceRequests"],
            json::parse(R"([{"Driver": "nvidia", "Count": -1, "DeviceIDs": [], "Capabilities": [["gpu"]]}])"));
  EXPECT_EQ(body["HostConfig"]["ShmSize"], 32 * kGiB);
}

TEST(GpuSpec, ToolkitSomeGpusNamesThemByUuid) {
  auto a = plan_attachment(required({.kind = Kind::Devices, .devices = {"1"}}), two_h100(), with_toolkit());
  auto s = base_spec();
  apply_attachment(a, with_toolkit(), s, {}, 8 * kGiB);
  ASSERT_EQ(s.device_requests.size(), 1u);
  EXPECT_EQ(s.device_requests[0].device_ids, (std::vector<std::string>{"GPU-bbbb"}));
  EXPECT_EQ(s.device_requests[0].count, 0);
  EXPECT_EQ(a.indices, (std::vector<int>{1}));
  EXPECT_EQ(a.uuids, (std::vector<std::string>{"GPU-bbbb"}));
  auto count = plan_attachment(required({.kind = Kind::Count, .count = 1}), two_h100(), with_toolkit());
  EXPECT_EQ(count.engine_ids, (std::vector<std::string>{"GPU-aaaa"}));
}

TEST(GpuSpec, CdiNamesTheDevicesTheSpecsDescribe) {
  auto a = plan_attachment(required(), two_h100(), with_cdi());
  ASSERT_EQ(a.method, Method::Cdi);
  auto s = base_spec();
  apply_attachment(a, with_cdi(), s, {}, 8 * kGiB);
  ASSERT_EQ(s.device_requests.size(), 1u);
  EXPECT_EQ(s.device_requests[0].driver, "cdi");
  EXPECT_EQ(s.device_requests[0].device_ids, (std::vector<std::string>{"nvidia.com/gpu=all"}));
  EXPECT_EQ(engine::to_docker_create_body(s)["HostConfig"]["DeviceRequests"][0]["DeviceIDs"], json::array({"nvidia.com/gpu=all"}));
  // By UUID where the spec has it, else by index.
  a = plan_attachment(required({.kind = Kind::Devices, .devices = {"1", "0"}}), two_h100(), with_cdi());
  EXPECT_EQ(a.engine_ids, (std::vector<std::string>{"nvidia.com/gpu=GPU-bbbb", "nvidia.com/gpu=0"}));
  auto e = with_cdi();
  e.cdi_devices = {"nvidia.com/gpu=0"};
  EXPECT_THROW(plan_attachment(required({.kind = Kind::Devices, .devices = {"1"}}), two_h100(), e), Error);
}

TEST(GpuSpec, DirectMapsNodesMountsLibrariesReadOnlyAndTellsTheLoader) {
  auto env = direct_only();
  auto a = plan_attachment(required({.kind = Kind::Devices, .devices = {"1"}}), two_h100(), env);
  ASSERT_EQ(a.method, Method::Direct);
  EXPECT_EQ(a.engine_ids, (std::vector<std::string>{"/dev/nvidia4"}));  // GPU 1's minor number is 4
  auto s = base_spec();
  std::vector<std::string> image_env = {"PATH=/opt/conda/bin:/usr/bin:/bin", "LD_LIBRARY_PATH=/usr/local/cuda/lib64"};
  apply_attachment(a, env, s, image_env, 8 * kGiB);

  std::vector<std::string> nodes;
  for (const auto& d : s.devices) {
    EXPECT_EQ(d.path_on_host, d.path_in_container);
    EXPECT_EQ(d.permissions, "rwm");
    nodes.push_back(d.path_on_host);
  }
  EXPECT_EQ(nodes, (std::vector<std::string>{"/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidiactl", "/dev/nvidia4"}));
  ASSERT_EQ(s.mounts.size(), 4u);
  for (const auto& m : s.mounts) {
    EXPECT_EQ(m.type, "bind");
    EXPECT_EQ(m.source, m.target);
    EXPECT_TRUE(m.read_only) << m.target;
  }
  EXPECT_EQ(s.mounts[3].target, "/usr/local/nvidia/bin/nvidia-smi");
  auto env_of = [&](const std::string& key) {
    for (const auto& kv : s.env) {
      if (kv.starts_with(key + "=")) return kv.substr(key.size() + 1);
    }
    return std::string("(unset)");
  };
  EXPECT_EQ(env_of("LD_LIBRARY_PATH"), "/usr/local/nvidia/lib64:/usr/lib/x86_64-linux-gnu:/usr/local/cuda/lib64");
  EXPECT_EQ(env_of("PATH"), "/opt/conda/bin:/usr/bin:/bin:/usr/local/nvidia/bin");
  EXPECT_EQ(env_of("TRITON_LIBCUDA_PATH"), "/usr/local/nvidia/lib64");
  EXPECT_EQ(env_of("PYTHONUNBUFFERED"), "1");
  auto body = engine::to_docker_create_body(s);
  EXPECT_EQ(body["HostConfig"]["Devices"].size(), 4u);
  EXPECT_FALSE(body["HostConfig"].contains("DeviceRequests"));
}

TEST(GpuSpec, DirectExtendsTheWorkspacesOwnLoaderPathAndLeavesAPathThatHasTheBinFolder) {
  auto env = direct_only();
  env.driver.binaries = {"/usr/bin/nvidia-smi"};
  auto a = plan_attachment(required(), two_h100(), env);
  auto s = base_spec();
  s.env.push_back("LD_LIBRARY_PATH=/work/lib:/usr/local/nvidia/lib64");  // containerEnv wins over the image's
  apply_attachment(a, env, s, {"LD_LIBRARY_PATH=/image/lib"}, 8 * kGiB);
  int ld = 0, path = 0;
  for (const auto& kv : s.env) {
    if (kv.starts_with("LD_LIBRARY_PATH=")) {
      ++ld;
      EXPECT_EQ(kv, "LD_LIBRARY_PATH=/usr/local/nvidia/lib64:/usr/lib/x86_64-linux-gnu:/work/lib");
    }
    path += kv.starts_with("PATH=");
  }
  EXPECT_EQ(ld, 1);
  EXPECT_EQ(path, 0);  // /usr/bin is on the default PATH already
  EXPECT_EQ(s.devices.size(), 5u);  // both GPUs
}

TEST(GpuSpec, SharedMemoryDefaultsLargeUnlessRunArgsChoseIpcOrShm) {
  auto a = plan_attachment(required(), two_h100(), with_toolkit());
  auto s = base_spec();
  s.ipc_mode = "host";
  apply_attachment(a, with_toolkit(), s, {}, 64 * kGiB);
  EXPECT_EQ(s.shm_size, 0);
  s = base_spec();
  s.shm_size = 2 * kGiB;
  apply_attachment(a, with_toolkit(), s, {}, 64 * kGiB);
  EXPECT_EQ(s.shm_size, 2 * kGiB);
  EXPECT_EQ(default_shm_size(512LL * 1024 * 1024), kGiB);  // at least 1 GiB
  // No GPU, no change.
  s = base_spec();
  apply_attachment(plan_attachment(GpuRequest{}, two_h100(), with_toolkit()), with_toolkit(), s, {}, 64 * kGiB);
  EXPECT_EQ(s, base_spec());
}

TEST(GpuSpec, TheDecisionRoundTripsThroughItsLabel) {
  auto a = plan_attachment(required({.kind = Kind::Devices, .devices = {"1"}}), two_h100(), direct_only());
  json j = a;
  EXPECT_EQ(j["method"], "direct");
  EXPECT_EQ(j["selection"], "device=1");
  auto back = j.get<Attachment>();
  EXPECT_EQ(json(back), j);
  EXPECT_EQ(back.method, Method::Direct);
}

}  // namespace
}  // namespace dlc::gpu
