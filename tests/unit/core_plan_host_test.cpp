// core/plan: the host a plan is made for, given on the command line (--driver, --gpu-arch, --no-gpu).
#include <gtest/gtest.h>

#include "core/plan.h"
#include "support/error.h"

using namespace dlc;

TEST(PlanHost, ComputeCapabilitiesAreReadAsNvidiaWritesThem) {
  EXPECT_EQ(core::parse_compute_capability("9.0"), (std::pair{9, 0}));
  EXPECT_EQ(core::parse_compute_capability("sm_86"), (std::pair{8, 6}));
  EXPECT_EQ(core::parse_compute_capability("compute_70"), (std::pair{7, 0}));
  EXPECT_EQ(core::parse_compute_capability("120"), (std::pair{12, 0}));
  EXPECT_FALSE(core::parse_compute_capability("H100"));
  EXPECT_FALSE(core::parse_compute_capability("9."));
  EXPECT_FALSE(core::parse_compute_capability("9.10"));
}

TEST(PlanHost, GpuArchGivesTheGivenDriversGpuItsComputeCapability) {
  core::PlanParams p;
  p.driver = "535.104.05";
  p.gpu_arch = "9.0";
  auto h = core::host_facts_for(p);
  EXPECT_EQ(h.driver_version, "535.104.05");
  ASSERT_EQ(h.gpus.size(), 1u);
  EXPECT_EQ(h.gpus[0].compute_major, 9);
  EXPECT_EQ(h.gpus[0].compute_minor, 0);
}

TEST(PlanHost, GpuArchThatIsNotOneIsAnErrorWithAnExample) {
  core::PlanParams p;
  p.driver = "535.104.05";
  p.gpu_arch = "hopper";
  try {
    core::host_facts_for(p);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(e.hint().find("--gpu-arch 9.0"), std::string::npos) << e.hint();
  }
  p.gpu_arch = "8.0";
  p.driver.clear();
  p.no_gpu = true;
  EXPECT_THROW(core::host_facts_for(p), Error);
}
