// gpu/cdi: a CDI spec written from what the fake NVML reports and discovery finds in a fake host tree,
// checked for what the CDI specification requires, read back by discovery as the engine would, and
// found stale once the driver changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "fake_host.h"
#include "gpu/attach.h"
#include "gpu/cdi.h"
#include "support/error.h"

namespace dlc::gpu {
namespace {

using json = nlohmann::json;

// A driver 580.65.06 in the multiarch folder, two GPUs whose device minors are 0 and 3 (the fake
// NVML's), the control nodes and nvidia-smi.
void driver_580(const FakeHost& host) {
  for (const char* n : {"nvidia0", "nvidia3", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"}) host.file(std::string("/dev/") + n);
  const std::string lib = "/usr/lib/x86_64-linux-gnu/";
  for (const char* base : {"libcuda", "libnvidia-ml", "libnvidia-ptxjitcompiler"}) {
    host.file(lib + base + ".so.580.65.06", "elf");
  }
  host.link(lib + "libcuda.so.1", "libcuda.so.580.65.06");
  host.link(lib + "libnvidia-ml.so.1", "libnvidia-ml.so.580.65.06");
  host.link(lib + "libnvidia-ptxjitcompiler.so.1", "libnvidia-ptxjitcompiler.so.580.65.06");
  host.file(lib + "libcudart.so.12", "the runtime is the image's");
  host.file("/usr/bin/nvidia-smi", "#!/bin/sh\n", true);
  host.file("/etc/ld.so.conf", "/usr/lib/x86_64-linux-gnu\n");
}

HostFacts fake_nvml(const FakeHost& host) {
  return read_host_facts({.nvml_library = DLC_FAKE_NVIDIA, .cuda_library = "libdlc-absent.so.1", .root = host.str()});
}

std::vector<std::string> names(const json& spec) {
  std::vector<std::string> out;
  for (const auto& d : spec["devices"]) out.push_back(d["name"]);
  return out;
}

std::vector<std::string> field(const json& list, const char* key) {
  std::vector<std::string> out;
  for (const auto& e : list) out.push_back(e[key]);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(Cdi, SpecNamesEachGpuByIndexAndUuidAndAllWithTheDriversFiles) {
  FakeHost host;
  driver_580(host);
  auto facts = fake_nvml(host);
  ASSERT_EQ(facts.gpus.size(), 2u);
  auto env = discover(facts, std::nullopt, host.options());
  auto spec = make_cdi_spec(facts, env.driver);

  EXPECT_EQ(spec["cdiVersion"], "0.5.0");
  EXPECT_EQ(spec["kind"], "nvidia.com/gpu");
  EXPECT_EQ(names(spec), (std::vector<std::string>{"0", "GPU-0a1b2c3d-0000-1111-2222-333344445555", "1",
                                                   "GPU-ffeeddcc-6666-7777-8888-9999aaaabbbb", "all"}));
  // GPU 1's node is its minor number's (/dev/nvidia3), not its index's.
  EXPECT_EQ(field(spec["devices"][2]["containerEdits"]["deviceNodes"], "path"), (std::vector<std::string>{"/dev/nvidia3"}));
  EXPECT_EQ(field(spec["devices"][4]["containerEdits"]["deviceNodes"], "path"),
            (std::vector<std::string>{"/dev/nvidia0", "/dev/nvidia3"}));

  const auto& common = spec["containerEdits"];
  EXPECT_EQ(field(common["deviceNodes"], "path"), (std::vector<std::string>{"/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidiactl"}));
  auto mounts = field(common["mounts"], "hostPath");
  for (const char* p : {"/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.580.65.06",
                        "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", "/usr/bin/nvidia-smi"}) {
    EXPECT_TRUE(has(mounts, p)) << p;
  }
  EXPECT_FALSE(has(mounts, "/usr/lib/x86_64-linux-gnu/libcudart.so.12"));
  EXPECT_EQ(field(common["mounts"], "containerPath"), mounts);  // the host's paths, in the container too
  for (const auto& m : common["mounts"]) EXPECT_EQ(m["options"], json({"ro", "nosuid", "nodev", "bind"}));
  EXPECT_TRUE(cdi_spec_problems(spec).empty()) << ::testing::PrintToString(cdi_spec_problems(spec));
}

TEST(Cdi, TheWrittenSpecIsReadBackByDiscoveryAsTheEngineWould) {
  FakeHost host;
  driver_580(host);
  auto facts = fake_nvml(host);
  auto spec = make_cdi_spec(facts, discover(facts, std::nullopt, host.options()).driver);
  auto text = cdi_spec_text(spec, facts);
  EXPECT_TRUE(text.starts_with(kCdiHeader));
  EXPECT_NE(text.find("driver 580.65.06"), std::string::npos);
  host.file("/etc/cdi/nvidia.yaml", text);
  auto env = discover(facts, std::nullopt, host.options());
  EXPECT_EQ(env.cdi_spec_files, (std::vector<std::string>{"/etc/cdi/nvidia.yaml"}));
  EXPECT_TRUE(has(env.cdi_devices, "nvidia.com/gpu=all"));
  EXPECT_TRUE(has(env.cdi_devices, "nvidia.com/gpu=1"));
  EXPECT_TRUE(has(env.cdi_devices, "nvidia.com/gpu=GPU-ffeeddcc-6666-7777-8888-9999aaaabbbb"));
}

TEST(Cdi, NoDriverOrNoDeviceNodeIsAnErrorWithAHint) {
  FakeHost host;
  HostFacts none;
  none.why_none = "libnvidia-ml.so.1 not found";
  try {
    make_cdi_spec(none, {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::GpuUnavailable);
    EXPECT_NE(std::string(e.what()).find("libnvidia-ml.so.1 not found"), std::string::npos);
  }
  auto facts = fake_nvml(host);  // GPUs, but the tree has no /dev/nvidiaN
  try {
    make_cdi_spec(facts, discover(facts, std::nullopt, host.options()).driver);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::GpuUnavailable);
    EXPECT_NE(e.hint().find("nvidia-modprobe"), std::string::npos);
  }
}

TEST(Cdi, ProblemsNameWhatTheSpecificationRequires) {
  EXPECT_FALSE(cdi_spec_problems(json::array()).empty());
  auto problems = cdi_spec_problems(json{{"kind", "gpu"}, {"devices", json::array()}});
  auto joined = ::testing::PrintToString(problems);
  EXPECT_NE(joined.find("cdiVersion"), std::string::npos);
  EXPECT_NE(joined.find("kind"), std::string::npos);
  EXPECT_NE(joined.find("at least one"), std::string::npos);
  json bad = {{"cdiVersion", "0.5.0"}, {"kind", "nvidia.com/gpu"},
              {"devices", {{{"name", "-x"}, {"containerEdits", {{"deviceNodes", {{{"path", "dev/nvidia0"}}}}}}}}},
              {"containerEdits", {{"mounts", {{{"hostPath", "/a"}}}}, {"env", {"NOEQUALS"}}}}};
  joined = ::testing::PrintToString(cdi_spec_problems(bad));
  EXPECT_NE(joined.find("name is missing or invalid"), std::string::npos);
  EXPECT_NE(joined.find("no absolute path"), std::string::npos);
  EXPECT_NE(joined.find("no absolute containerPath"), std::string::npos);
  EXPECT_NE(joined.find("NAME=value"), std::string::npos);
}

TEST(Cdi, ASpecIsStaleOnceTheDriverChangesOrItsFilesAreGone) {
  FakeHost host;
  driver_580(host);
  auto facts = fake_nvml(host);
  host.file("/etc/cdi/nvidia.yaml", cdi_spec_text(make_cdi_spec(facts, discover(facts, std::nullopt, host.options()).driver), facts));

  auto checks = check_cdi_specs({"/etc/cdi/nvidia.yaml"}, "580.65.06", host.str());
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_TRUE(checks[0].ours);
  EXPECT_EQ(checks[0].driver_version, "580.65.06");
  EXPECT_FALSE(checks[0].stale) << checks[0].reason;

  checks = check_cdi_specs({"/etc/cdi/nvidia.yaml"}, "590.10.01", host.str());
  EXPECT_TRUE(checks[0].stale);
  EXPECT_NE(checks[0].reason.find("written for driver 580.65.06, and driver 590.10.01 runs now"), std::string::npos);

  std::filesystem::remove(host.str() + "/dev/nvidia3");
  checks = check_cdi_specs({"/etc/cdi/nvidia.yaml"}, "580.65.06", host.str());
  EXPECT_TRUE(checks[0].stale);
  EXPECT_EQ(checks[0].missing, (std::vector<std::string>{"/dev/nvidia3"}));
}

TEST(Cdi, AnotherToolsSpecIsCheckedButNotOurs) {
  FakeHost host;
  host.file("/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05");
  host.file("/etc/cdi/nvidia.yaml", R"(cdiVersion: 0.5.0
kind: nvidia.com/gpu
devices:
- name: all
  containerEdits: {deviceNodes: [{path: /dev/nvidia0, hostPath: /dev/nvidia0}]}
containerEdits:
  mounts:
  - {hostPath: /usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05, containerPath: /usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05}
)");
  host.file("/etc/cdi/broken.yaml", "kind: [unterminated\n");
  auto checks = check_cdi_specs({"/etc/cdi/nvidia.yaml", "/etc/cdi/broken.yaml", "/etc/cdi/absent.yaml"}, "580.65.06", host.str());
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_FALSE(checks[0].ours);
  EXPECT_EQ(checks[0].driver_version, "535.104.05");
  EXPECT_TRUE(checks[0].stale);
  EXPECT_EQ(checks[0].missing, (std::vector<std::string>{"/dev/nvidia0"}));
  EXPECT_NE(checks[1].reason.find("does not parse"), std::string::npos);
  EXPECT_EQ(checks[2].reason, "it cannot be read");
}

TEST(Cdi, NamesAreResolvedIntoDevicesMountsAndEnvironmentForAnEngineThatCannot) {
  FakeHost host;
  driver_580(host);
  auto facts = fake_nvml(host);
  host.file("/etc/cdi/nvidia.yaml", cdi_spec_text(make_cdi_spec(facts, discover(facts, std::nullopt, host.options()).driver), facts));
  // A later folder's spec of the same kind wins, as in CDI; a hook is reported, not run.
  host.file("/var/run/cdi/nvidia.json", R"({"cdiVersion": "0.5.0", "kind": "nvidia.com/gpu",
    "devices": [{"name": "all", "containerEdits": {"deviceNodes": [{"path": "/dev/nvidia0", "hostPath": "/dev/nvidia0"}]}}],
    "containerEdits": {"env": ["NVIDIA_VISIBLE_DEVICES=void"], "mounts": [{"hostPath": "/usr/bin/nvidia-smi", "containerPath": "/usr/bin/nvidia-smi", "options": ["ro"]}],
                       "hooks": [{"hookName": "createContainer", "path": "/usr/bin/nvidia-ctk", "args": ["nvidia-ctk", "hook", "update-ldcache"]}]}})");

  auto edits = resolve_cdi_devices({"nvidia.com/gpu=all"}, {"/etc/cdi"}, host.str());
  EXPECT_EQ(edits.spec_files, (std::vector<std::string>{"/etc/cdi/nvidia.yaml"}));
  std::vector<std::string> nodes;
  for (const auto& d : edits.devices) nodes.push_back(d.path_on_host);
  EXPECT_EQ(nodes, (std::vector<std::string>{"/dev/nvidia0", "/dev/nvidia3", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidiactl"}));
  EXPECT_TRUE(std::all_of(edits.mounts.begin(), edits.mounts.end(), [](const auto& m) { return m.read_only && m.source == m.target; }));
  EXPECT_EQ(edits.env, (std::vector<std::string>{"NVIDIA_VISIBLE_DEVICES=void"}));
  EXPECT_TRUE(edits.skipped.empty());

  edits = resolve_cdi_devices({"nvidia.com/gpu=all"}, {"/etc/cdi", "/var/run/cdi"}, host.str());
  EXPECT_EQ(edits.spec_files, (std::vector<std::string>{"/var/run/cdi/nvidia.json"}));
  EXPECT_EQ(edits.skipped, (std::vector<std::string>{"the createContainer hook /usr/bin/nvidia-ctk"}));

  engine::ContainerSpec spec;
  spec.env = {"NVIDIA_VISIBLE_DEVICES=all", "A=b"};
  spec.devices = {engine::DeviceMapping{.path_on_host = "/dev/nvidia0", .path_in_container = "/dev/nvidia0"}};
  apply_cdi_edits(edits, spec);
  EXPECT_EQ(spec.env, (std::vector<std::string>{"NVIDIA_VISIBLE_DEVICES=void", "A=b"}));
  EXPECT_EQ(spec.devices.size(), 1u);  // already there
  ASSERT_EQ(spec.mounts.size(), 1u);
  EXPECT_EQ(spec.mounts[0].target, "/usr/bin/nvidia-smi");
}

TEST(Cdi, OnPodmanCdiIsOpenAndTheToolkitsDeviceRequestsAreNot) {
  FakeHost host;
  driver_580(host);
  host.file("/usr/bin/nvidia-container-runtime-hook", "", true);
  auto facts = fake_nvml(host);
  host.file("/etc/cdi/nvidia.yaml", cdi_spec_text(make_cdi_spec(facts, discover(facts, std::nullopt, host.options()).driver), facts));
  engine::SystemInfo podman_info;  // Podman's /info: no CDISpecDirs, no nvidia runtime
  auto env = discover_for_podman(facts, podman_info, host.options());
  EXPECT_TRUE(env.engine_cdi);
  EXPECT_EQ(env.cdi_spec_dirs, (std::vector<std::string>{"/etc/cdi", "/var/run/cdi"}));
  EXPECT_TRUE(env.toolkit_hook.empty());
  EXPECT_EQ(choose_method(facts, env).method, Method::Cdi);
  EXPECT_TRUE(std::any_of(env.driver.notes.begin(), env.driver.notes.end(),
                          [](const std::string& n) { return n.find("Podman's compatible API ignores") != std::string::npos; }));
  // The same host through Docker: the toolkit's way.
  EXPECT_EQ(choose_method(facts, discover(facts, engine::SystemInfo{}, host.options())).method, Method::Toolkit);
}

TEST(Cdi, ANameNoSpecHoldsIsAnErrorThatSaysHowToWriteOne) {
  FakeHost host;
  host.file("/etc/cdi/nvidia.yaml", "cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices: [{name: \"0\", containerEdits: {}}]\n");
  for (const char* name : {"nvidia.com/gpu=all", "nvidia.com/gpu", "amd.com/gpu=0"}) {
    try {
      resolve_cdi_devices({name}, {"/etc/cdi"}, host.str());
      ADD_FAILURE() << name << " resolved";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::GpuUnavailable);
      EXPECT_NE(std::string(e.what()).find(std::string("names the device ") + name), std::string::npos) << e.what();
      EXPECT_NE(e.hint().find("dlcontainer gpus --cdi --output /etc/cdi/nvidia.yaml"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace dlc::gpu
