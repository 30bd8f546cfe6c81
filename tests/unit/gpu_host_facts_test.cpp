// gpu/host_facts: reading the driver through NVML and libcuda loaded with dlopen, here a stand-in
// library (tests/gpu/fake_driver.cpp) with two H100s; and saying why when there is no driver.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "gpu/host_facts.h"

namespace dlc::gpu {
namespace {

namespace fs = std::filesystem;

class TempRoot {
 public:
  TempRoot() {
    char tmpl[] = "/tmp/dlc-facts-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempRoot() { fs::remove_all(path_); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel) << text;
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

class FakeMode {
 public:
  explicit FakeMode(const char* mode) { ::setenv("FAKE_NVIDIA_MODE", mode, 1); }
  ~FakeMode() { ::unsetenv("FAKE_NVIDIA_MODE"); }
};

TEST(HostFacts, ReadsDriverCudaAndEachGpuThroughNvml) {
  TempRoot root;
  auto f = read_host_facts({.nvml_library = DLC_FAKE_NVIDIA, .cuda_library = "libdlc-absent.so.1", .root = root.str()});
  EXPECT_TRUE(f.driver_present);
  EXPECT_EQ(f.source, "nvml");
  EXPECT_EQ(f.driver_version, "580.65.06");
  EXPECT_EQ(f.cuda_version, "13.0");
  EXPECT_EQ(f.library_path, DLC_FAKE_NVIDIA);
  EXPECT_TRUE(f.why_none.empty());
  ASSERT_EQ(f.gpus.size(), 2u);
  EXPECT_EQ(f.gpus[0].index, 0);
  EXPECT_EQ(f.gpus[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(f.gpus[0].uuid, "GPU-0a1b2c3d-0000-1111-2222-333344445555");
  EXPECT_EQ(f.gpus[0].memory_total, 85899345920LL);
  EXPECT_EQ(f.gpus[0].compute_major, 9);
  EXPECT_EQ(f.gpus[0].compute_minor, 0);
  EXPECT_EQ(f.gpus[0].pci_bus_id, "00000000:18:00.0");
  EXPECT_EQ(f.gpus[1].index, 1);
  EXPECT_EQ(f.gpus[1].minor, 3);  // /dev/nvidia3: minor numbers need not follow the index
}

TEST(HostFacts, FallsBackToTheDriverApiWhenNvmlIsMissing) {
  TempRoot root;
  root.write("proc/driver/nvidia/version",
             "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n");
  auto f = read_host_facts({.nvml_library = "libdlc-absent-nvml.so.1", .cuda_library = DLC_FAKE_NVIDIA, .root = root.str()});
  EXPECT_TRUE(f.driver_present);
  EXPECT_EQ(f.source, "cuda");
  EXPECT_EQ(f.cuda_version, "12.4");
  EXPECT_EQ(f.driver_version, "550.54.15");  // libcuda does not say it; the kernel module does
  ASSERT_EQ(f.gpus.size(), 2u);
  EXPECT_EQ(f.gpus[1].uuid, "GPU-ffeeddcc-6666-7777-8888-9999aaaabbbb");  // formatted as NVML writes it
  EXPECT_EQ(f.gpus[1].memory_total, 85899345920LL);
  EXPECT_EQ(f.gpus[1].compute_major, 9);
  EXPECT_EQ(f.gpus[1].pci_bus_id, "00000000:2A:00.0");
}

TEST(HostFacts, ADriverWithoutGpusSaysSo) {
  FakeMode mode("no-gpus");
  TempRoot root;
  auto f = read_host_facts({.nvml_library = DLC_FAKE_NVIDIA, .cuda_library = "libdlc-absent.so.1", .root = root.str()});
  EXPECT_TRUE(f.driver_present);
  EXPECT_TRUE(f.gpus.empty());
  EXPECT_NE(f.why_none.find("reports no GPU"), std::string::npos) << f.why_none;
}

TEST(HostFacts, NvmlThatCannotStartExplainsTheKernelModule) {
  FakeMode mode("not-loaded");
  TempRoot root;
  auto f = read_host_facts({.nvml_library = DLC_FAKE_NVIDIA, .cuda_library = "libdlc-absent.so.1", .root = root.str()});
  EXPECT_FALSE(f.driver_present);
  EXPECT_EQ(f.source, "none");
  EXPECT_TRUE(f.gpus.empty());
  EXPECT_NE(f.why_none.find("kernel module is not loaded"), std::string::npos) << f.why_none;
}

TEST(HostFacts, NoGpuAtAllSaysSoAndNeverThrows) {
  TempRoot root;
  auto f = read_host_facts({.nvml_library = "libdlc-absent-nvml.so.1", .cuda_library = "libdlc-absent-cuda.so.1", .root = root.str()});
  EXPECT_FALSE(f.driver_present);
  EXPECT_EQ(f.source, "none");
  EXPECT_TRUE(f.driver_version.empty());
  EXPECT_TRUE(f.cuda_version.empty());
  EXPECT_NE(f.why_none.find("no NVIDIA GPU on this host"), std::string::npos) << f.why_none;
}

TEST(HostFacts, AGpuOnThePciBusWithoutItsDriverIsNamed) {
  TempRoot root;
  root.write("sys/bus/pci/devices/0000:00:04.0/vendor", "0x8086\n");
  root.write("sys/bus/pci/devices/0000:00:04.0/class", "0x030000\n");
  root.write("sys/bus/pci/devices/0000:18:00.0/vendor", "0x10de\n");
  root.write("sys/bus/pci/devices/0000:18:00.0/class", "0x030200\n");
  auto f = read_host_facts({.nvml_library = "libdlc-absent-nvml.so.1", .cuda_library = "libdlc-absent-cuda.so.1", .root = root.str()});
  EXPECT_FALSE(f.driver_present);
  EXPECT_NE(f.why_none.find("NVIDIA GPU is on the PCI bus but the NVIDIA driver is not loaded"), std::string::npos) << f.why_none;
}

TEST(HostFacts, AKernelModuleWithoutItsLibrariesIsNamed) {
  TempRoot root;
  root.write("proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build\n");
  auto f = read_host_facts({.nvml_library = "libdlc-absent-nvml.so.1", .cuda_library = "libdlc-absent-cuda.so.1", .root = root.str()});
  EXPECT_FALSE(f.driver_present);
  EXPECT_NE(f.why_none.find("kernel module 580.65.06 is loaded but its user-space libraries"), std::string::npos) << f.why_none;
}

TEST(HostFacts, AReaderThatMustNotLoadLibrariesLeavesEvenAWorkingDriverUnloaded) {
  // The static agent's probe: dlopen of the host's driver there crashed the process on a GPU host.
  TempRoot root;
  root.write("proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build\n");
  auto f = read_host_facts({.nvml_library = DLC_FAKE_NVIDIA, .cuda_library = DLC_FAKE_NVIDIA, .root = root.str(), .load_libraries = false});
  EXPECT_FALSE(f.driver_present);
  EXPECT_TRUE(f.library_path.empty());
  EXPECT_NE(f.why_none.find("not loaded by a statically linked reader"), std::string::npos) << f.why_none;
  EXPECT_NE(f.why_none.find("580.65.06"), std::string::npos) << f.why_none;

  // And with no driver at all, that is what it says (the bus is read as before).
  TempRoot bare;
  auto none = read_host_facts({.nvml_library = DLC_FAKE_NVIDIA, .root = bare.str(), .load_libraries = false});
  EXPECT_FALSE(none.driver_present);
  EXPECT_NE(none.why_none.find("no NVIDIA GPU on this host"), std::string::npos) << none.why_none;
}

TEST(HostFacts, FindsADriverTheLoaderDoesNotKnowBesideItsNvidiaSmi) {
  // As on hosts whose driver lives in /usr/local/nvidia, outside ld.so.cache and LD_LIBRARY_PATH.
  TempRoot root;
  root.write("usr/local/nvidia/bin/nvidia-smi", "#!/bin/sh\n");
  fs::permissions(root.str() + "/usr/local/nvidia/bin/nvidia-smi", fs::perms::owner_all);
  fs::create_directories(root.str() + "/usr/local/nvidia/lib64");
  fs::copy_file(DLC_FAKE_NVIDIA, root.str() + "/usr/local/nvidia/lib64/libdlc-fake-nvml.so.1");
  ProbeOptions o{.nvml_library = "libdlc-fake-nvml.so.1", .cuda_library = "libdlc-absent.so.1", .root = root.str(),
                 .path_dirs = {"/usr/bin", "/usr/local/nvidia/bin"}};
  auto f = read_host_facts(o);
  EXPECT_EQ(f.source, "nvml");
  EXPECT_EQ(f.gpus.size(), 2u);
  EXPECT_EQ(f.library_path, root.str() + "/usr/local/nvidia/lib64/libdlc-fake-nvml.so.1");
  o.path_dirs = {"/usr/bin"};  // no nvidia-smi to go by: not found
  EXPECT_FALSE(read_host_facts(o).driver_present);
}

TEST(HostFacts, RoundTripsThroughJson) {
  TempRoot root;
  auto f = read_host_facts({.nvml_library = DLC_FAKE_NVIDIA, .cuda_library = "libdlc-absent.so.1", .root = root.str()});
  nlohmann::json j = f;
  EXPECT_EQ(j["gpus"][0]["computeCapability"], "9.0");
  auto back = j.get<HostFacts>();
  EXPECT_EQ(nlohmann::json(back), j);
}

}  // namespace
}  // namespace dlc::gpu
