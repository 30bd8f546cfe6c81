// gpu/discovery: finding the toolkit, CDI specs and the driver's files in a fake host tree, and reading
// the loader's cache as ldconfig does.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "fake_host.h"
#include "gpu/discovery.h"

namespace dlc::gpu {
namespace {

namespace fs = std::filesystem;

HostFacts facts_580() {
  HostFacts f;
  f.driver_present = true;
  f.driver_version = "580.65.06";
  f.gpus = {GpuDevice{.index = 0, .name = "NVIDIA H100 80GB HBM3", .uuid = "GPU-a"}};
  return f;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(Discovery, KnowsTheDriversLibrariesByName) {
  EXPECT_TRUE(is_driver_library("libcuda.so.1"));
  EXPECT_TRUE(is_driver_library("libcuda.so"));
  EXPECT_TRUE(is_driver_library("libnvidia-ml.so.580.65.06"));
  EXPECT_TRUE(is_driver_library("libnvidia-pkcs11-openssl3.so.580.65.06"));
  EXPECT_FALSE(is_driver_library("libcudart.so.12"));
  EXPECT_FALSE(is_driver_library("libEGL_nvidia.so.0"));
  EXPECT_FALSE(is_driver_library("libnvidia-glcore.so.580.65.06"));
  EXPECT_FALSE(is_driver_library("libcudax.so.1"));
  EXPECT_FALSE(is_driver_library("cuda.so.1"));
}

TEST(Discovery, FindsNodesLibrariesAndNvidiaSmiOfADriverInItsOwnFolder) {
  FakeHost host;
  host.driver_in_own_folder();
  auto facts = facts_580();
  facts.library_path = "/usr/local/nvidia/lib64/libnvidia-ml.so.1";  // where NVML was loaded from
  auto env = discover(facts, std::nullopt, host.options());
  const auto& d = env.driver;

  EXPECT_EQ(d.control_nodes, (std::vector<std::string>{"/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidiactl"}));
  EXPECT_EQ(d.gpu_nodes, (std::map<int, std::string>{{0, "/dev/nvidia0"}, {1, "/dev/nvidia1"}}));

  // Every name of each compute library in the driver's folder: sonames, full versions, the linker name.
  for (const char* lib : {"libcuda.so", "libcuda.so.1", "libcuda.so.580.65.06", "libnvidia-ml.so.1", "libnvidia-ptxjitcompiler.so.1",
                          "libnvidia-nvvm.so.4"}) {
    EXPECT_TRUE(has(d.libraries, std::string("/usr/local/nvidia/lib64/") + lib)) << lib;
  }
  EXPECT_FALSE(has(d.libraries, "/usr/local/nvidia/lib64/libEGL_nvidia.so.0"));
  EXPECT_FALSE(has(d.libraries, "/usr/local/nvidia/lib64/libnvidia-allocator.so.1"));  // a dangling link
  EXPECT_FALSE(has(d.libraries, "/usr/local/nvidia/lib64/libcudart.so.12"));
  // One file per name: libcuda.so.1 is the running driver's, not the leftover's in the system folder.
  EXPECT_FALSE(has(d.libraries, "/usr/lib/x86_64-linux-gnu/libcuda.so.1"));
  // A library of an older driver is left out, and the note says why.
  EXPECT_FALSE(has(d.libraries, "/usr/lib/x86_64-linux-gnu/libnvidia-cfg.so.1"));
  bool noted = false;
  for (const auto& n : d.notes) noted |= n.find("libnvidia-cfg.so.1 belongs to driver 535.104.05") != std::string::npos;
  EXPECT_TRUE(noted);
  // nvidia-smi is beside the libraries (lib64/../bin), though not on PATH.
  EXPECT_EQ(d.binaries, (std::vector<std::string>{"/usr/local/nvidia/bin/nvidia-smi"}));
}

TEST(Discovery, TheDriversOwnNvidiaSmiWinsOverAWrapperScriptOnPath) {
  // As on a GPU host whose /usr/bin/nvidia-smi is a script that execs /usr/local/nvidia/bin/nvidia-smi:
  // mounted into a container, the script finds nothing to exec.
  FakeHost host;
  host.driver_in_own_folder();
  host.file("/usr/bin/nvidia-smi", "#!/bin/sh\nexec /usr/local/nvidia/bin/nvidia-smi \"$@\"\n", true);
  auto facts = facts_580();
  facts.library_path = "/usr/local/nvidia/lib64/libnvidia-ml.so.1";
  auto env = discover(facts, std::nullopt, host.options());
  EXPECT_EQ(env.driver.binaries, (std::vector<std::string>{"/usr/local/nvidia/bin/nvidia-smi"}));

  // With nothing but the script, the script it is (better than no nvidia-smi at all).
  FakeHost bare;
  bare.file("/usr/bin/nvidia-smi", "#!/bin/sh\necho wrapper\n", true);
  EXPECT_EQ(discover(facts_580(), std::nullopt, bare.options()).driver.binaries, (std::vector<std::string>{"/usr/bin/nvidia-smi"}));
}

TEST(Discovery, LibraryFoldersComeFromLdLibraryPathAndTheLoadersConfig) {
  FakeHost host;
  host.driver_in_own_folder();
  auto facts = facts_580();  // read through no library path this time
  auto opts = host.options();
  auto env = discover(facts, std::nullopt, opts);
  // Without the NVML folder or LD_LIBRARY_PATH, only ld.so.conf's folder is searched: its libcuda is
  // the old driver's, so the direct method has nothing to mount for libcuda.
  EXPECT_FALSE(has(env.driver.libraries, "/usr/local/nvidia/lib64/libcuda.so.1"));
  EXPECT_FALSE(has(env.driver.libraries, "/usr/lib/x86_64-linux-gnu/libcuda.so.1"));

  opts.library_dirs = {"/usr/local/nvidia/lib64"};
  env = discover(facts, std::nullopt, opts);
  EXPECT_TRUE(has(env.driver.libraries, "/usr/local/nvidia/lib64/libcuda.so.1"));
}

TEST(Discovery, ProgramsNeedTheirExecuteBit) {
  FakeHost host;
  host.file("/usr/bin/nvidia-smi", "not executable");
  host.file("/usr/sbin/nvidia-smi", "#!/bin/sh\n", true);
  EXPECT_EQ(find_program("nvidia-smi", {"/usr/bin", "/usr/sbin"}, host.str()), "/usr/sbin/nvidia-smi");
  EXPECT_EQ(find_program("nvidia-debugdump", {"/usr/bin", "/usr/sbin"}, host.str()), "");
}

TEST(Discovery, FindsTheToolkitAndTheLdconfigItNames) {
  FakeHost host;
  host.file("/usr/bin/nvidia-container-runtime-hook", "", true);
  host.file("/usr/bin/nvidia-container-cli", "", true);
  host.file("/usr/bin/nvidia-ctk", "", true);
  host.file("/etc/nvidia-container-runtime/config.toml",
            "#ldconfig = \"@/sbin/ldconfig\"\n[nvidia-container-cli]\nenvironment = []\nldconfig = \"@/sbin/ldconfig.real\"\n");
  host.file("/sbin/ldconfig", "", true);
  auto env = discover(facts_580(), std::nullopt, host.options());
  EXPECT_EQ(env.toolkit_hook, "/usr/bin/nvidia-container-runtime-hook");
  EXPECT_EQ(env.toolkit_cli, "/usr/bin/nvidia-container-cli");
  EXPECT_EQ(env.toolkit_ctk, "/usr/bin/nvidia-ctk");
  EXPECT_EQ(env.toolkit_config, "/etc/nvidia-container-runtime/config.toml");
  EXPECT_EQ(env.toolkit_ldconfig, "@/sbin/ldconfig.real");  // the commented line is not the setting
  EXPECT_TRUE(env.toolkit_ldconfig_missing);

  host.file("/sbin/ldconfig.real", "", true);  // Ubuntu has it
  env = discover(facts_580(), std::nullopt, host.options());
  EXPECT_FALSE(env.toolkit_ldconfig_missing);
}

TEST(Discovery, ReadsNvidiaCdiSpecsInYamlAndJsonAndSkipsOthers) {
  FakeHost host;
  host.file("/etc/cdi/nvidia.yaml", R"(---
cdiVersion: 0.5.0
kind: nvidia.com/gpu
devices:
- name: "0"
  containerEdits: {deviceNodes: [{path: /dev/nvidia0}]}
- name: GPU-a
- name: all
containerEdits: {}
)");
  host.file("/var/run/cdi/vendor.json", R"({"cdiVersion": "0.5.0", "kind": "vendor.com/fpga", "devices": [{"name": "x"}]})");
  host.file("/var/run/cdi/broken.yaml", "kind: [unterminated\n");
  host.file("/var/run/cdi/nvidia-mig.json", R"({"cdiVersion": "0.6.0", "kind": "nvidia.com/mig", "devices": [{"name": "0:1"}]})");
  auto env = discover(facts_580(), std::nullopt, host.options());
  EXPECT_EQ(env.cdi_spec_dirs, (std::vector<std::string>{"/etc/cdi", "/var/run/cdi"}));
  EXPECT_EQ(env.cdi_spec_files, (std::vector<std::string>{"/etc/cdi/nvidia.yaml", "/var/run/cdi/nvidia-mig.json"}));
  EXPECT_EQ(env.cdi_devices, (std::vector<std::string>{"nvidia.com/gpu=0", "nvidia.com/gpu=GPU-a", "nvidia.com/gpu=all",
                                                       "nvidia.com/mig=0:1"}));
  EXPECT_FALSE(env.engine_cdi);  // no engine was asked
}

TEST(Discovery, TakesRuntimesAndCdiDirectoriesFromTheEngine) {
  FakeHost host;
  host.file("/opt/cdi/nvidia.json", R"({"cdiVersion": "0.5.0", "kind": "nvidia.com/gpu", "devices": [{"name": "all"}]})");
  engine::SystemInfo info;
  info.runtimes = {"runc", "nvidia"};
  info.cdi_spec_dirs = {"/opt/cdi"};
  auto env = discover(facts_580(), info, host.options());
  EXPECT_TRUE(env.engine_known);
  EXPECT_TRUE(env.engine_nvidia_runtime);
  EXPECT_TRUE(env.engine_cdi);
  EXPECT_EQ(env.cdi_devices, (std::vector<std::string>{"nvidia.com/gpu=all"}));
}

TEST(LdCache, ReadsTheHostsCacheAsLdconfigPrintsIt) {
  if (!fs::exists("/etc/ld.so.cache")) GTEST_SKIP() << "no /etc/ld.so.cache on this host";
  // What `ldconfig -p` says for this architecture, as name -> path.
  FILE* p = ::popen("ldconfig -p 2>/dev/null || /sbin/ldconfig -p", "r");
  ASSERT_NE(p, nullptr);
  std::multimap<std::string, std::string> expected;
  char line[4096];
#if defined(__x86_64__)
  const std::string arch = "x86-64";
#elif defined(__aarch64__)
  const std::string arch = "AArch64";
#else
  const std::string arch = "";
#endif
  while (std::fgets(line, sizeof line, p)) {
    std::string l(line);
    auto arrow = l.find(" => ");
    if (arrow == std::string::npos) continue;
    if (!arch.empty() && l.find("," + arch) == std::string::npos) continue;
    std::string name = l.substr(0, l.find(' ', 1));
    name.erase(0, name.find_first_not_of(" \t"));
    std::string path = l.substr(arrow + 4);
    path.erase(path.find_last_not_of("\n") + 1);
    expected.emplace(name, path);
  }
  ::pclose(p);
  ASSERT_FALSE(expected.empty());
  auto entries = read_ld_cache("/etc/ld.so.cache");
  std::multimap<std::string, std::string> got;
  for (const auto& e : entries) got.emplace(e.name, e.path);
  EXPECT_EQ(got, expected);
}

TEST(LdCache, AMissingOrForeignFileGivesNothing) {
  EXPECT_TRUE(read_ld_cache("/nonexistent/ld.so.cache").empty());
  EXPECT_TRUE(read_ld_cache("/etc/hostname").empty());
}

}  // namespace
}  // namespace dlc::gpu
