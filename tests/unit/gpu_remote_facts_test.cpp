// What the probe of a remote engine's host brings back: nvidia-smi's words read as facts (where the
// static agent cannot load NVML), and the attach environment's round trip through JSON.
#include <gtest/gtest.h>

#include "gpu/discovery.h"
#include "gpu/host_facts.h"

namespace dlc::gpu {
namespace {

TEST(FactsFromNvidiaSmi, ReadsEachGpuRowAndTheCudaVersionOfTheHeader) {
  std::string rows =
      "0, NVIDIA H100 80GB HBM3, GPU-1b2c3d4e-0000-1111-2222-333344445555, 81559, 9.0, 00000000:18:00.0, 580.65.06\n"
      "1, NVIDIA H100 80GB HBM3, GPU-aaaaaaaa-0000-1111-2222-333344445555, 81559, 9.0, 00000000:2A:00.0, 580.65.06\n";
  std::string header = "| NVIDIA-SMI 580.65.06   Driver Version: 580.65.06   CUDA Version: 13.0     |\n";
  auto f = facts_from_nvidia_smi(rows, header);
  EXPECT_TRUE(f.driver_present);
  EXPECT_EQ(f.source, "nvidia-smi");
  EXPECT_EQ(f.driver_version, "580.65.06");
  EXPECT_EQ(f.cuda_version, "13.0");
  ASSERT_EQ(f.gpus.size(), 2u);
  EXPECT_EQ(f.gpus[1].index, 1);
  EXPECT_EQ(f.gpus[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(f.gpus[0].uuid, "GPU-1b2c3d4e-0000-1111-2222-333344445555");
  EXPECT_EQ(f.gpus[0].memory_total, 81559LL * 1024 * 1024);
  EXPECT_EQ(f.gpus[0].compute_major, 9);
  EXPECT_EQ(f.gpus[0].compute_minor, 0);
  EXPECT_EQ(f.gpus[1].pci_bus_id, "00000000:2A:00.0");
}

TEST(FactsFromNvidiaSmi, AnErrorOrNoRowIsNoGpuNotAGuess) {
  auto f = facts_from_nvidia_smi("Field \"compute_cap\" is not a valid field to query.\n", "");
  EXPECT_FALSE(f.driver_present);
  EXPECT_TRUE(f.gpus.empty());
  EXPECT_FALSE(f.why_none.empty());
}

TEST(AttachEnvironment, SurvivesTheProbesJsonWithTheMachineItDescribes) {
  AttachEnvironment e;
  e.driver.control_nodes = {"/dev/nvidiactl", "/dev/nvidia-uvm"};
  e.driver.gpu_nodes = {{0, "/dev/nvidia0"}, {3, "/dev/nvidia3"}};
  e.driver.libraries = {"/usr/lib/x86_64-linux-gnu/libcuda.so.1"};
  e.driver.binaries = {"/usr/bin/nvidia-smi"};
  e.toolkit_hook = "/usr/bin/nvidia-container-runtime-hook";
  e.toolkit_ldconfig = "@/sbin/ldconfig.real";
  e.toolkit_ldconfig_missing = true;
  e.cdi_spec_files = {"/etc/cdi/nvidia.yaml"};
  e.cdi_devices = {"nvidia.com/gpu=all"};
  e.notes = {"the CDI spec /etc/cdi/x.yaml cannot be read"};
  AttachEnvironment back = nlohmann::json(e).get<AttachEnvironment>();
  EXPECT_EQ(back.driver.control_nodes, e.driver.control_nodes);
  EXPECT_EQ(back.driver.gpu_nodes, e.driver.gpu_nodes);
  EXPECT_EQ(back.driver.libraries, e.driver.libraries);
  EXPECT_EQ(back.toolkit_hook, e.toolkit_hook);
  EXPECT_TRUE(back.toolkit_ldconfig_missing);
  EXPECT_EQ(back.cdi_devices, e.cdi_devices);
  EXPECT_EQ(back.notes, e.notes);

  HostFacts h;
  h.machine = "gpu1";
  EXPECT_EQ(nlohmann::json(h).get<HostFacts>().machine, "gpu1");
  EXPECT_FALSE(nlohmann::json(HostFacts{}).contains("machine"));  // this machine's facts say nothing of it
}

}  // namespace
}  // namespace dlc::gpu
