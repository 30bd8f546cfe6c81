// gpu/allocated: the GPUs a Slurm job was given, read from its step's environment, and a workspace's
// request within them (a job's container gets the job's GPUs, never the node's "all").
#include <gtest/gtest.h>

#include "gpu/allocated.h"
#include "support/error.h"

namespace dlc::gpu {
namespace {

using Need = config::GpuRequirement::Need;
using Kind = Selection::Kind;

std::vector<GpuDevice> four_gpus() {
  std::vector<GpuDevice> g;
  for (int i = 0; i < 4; ++i) g.push_back(GpuDevice{.index = i, .name = "H100", .uuid = "GPU-" + std::string(4, char('a' + i))});
  return g;
}

GpuRequest asks(Selection sel, Need need = Need::Required) {
  return GpuRequest{.need = need, .selection = std::move(sel), .source = "hostRequirements.gpu: true"};
}

Selection devices(std::vector<std::string> ids) { return Selection{.kind = Kind::Devices, .devices = std::move(ids)}; }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::GpuUnavailable);
    return std::string(e.what()) + " | " + e.hint();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(AllocatedGpus, SlurmsStepGpusWinOverTheJobsAndCudaVisibleDevices) {
  auto a = allocated_gpus({{"SLURM_STEP_GPUS", "2,3"}, {"SLURM_JOB_GPUS", "1,2,3"}, {"CUDA_VISIBLE_DEVICES", "0,1"}}, "Slurm job 7");
  EXPECT_EQ(a.ids, (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(a.source, "SLURM_STEP_GPUS");
  EXPECT_EQ(a.holder, "Slurm job 7");
  auto job = allocated_gpus({{"SLURM_JOB_GPUS", "1,3"}, {"CUDA_VISIBLE_DEVICES", "0,1"}}, "J");
  EXPECT_EQ(job.ids, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(job.source, "SLURM_JOB_GPUS");
}

TEST(AllocatedGpus, CudaVisibleDevicesAloneIsTakenWithIndicesOrUuids) {
  EXPECT_EQ(allocated_gpus({{"CUDA_VISIBLE_DEVICES", "0"}}, "J").ids, std::vector<std::string>{"0"});
  auto u = allocated_gpus({{"CUDA_VISIBLE_DEVICES", "GPU-aaaa,MIG-bbbb-1"}}, "J");
  EXPECT_EQ(u.ids, (std::vector<std::string>{"GPU-aaaa", "MIG-bbbb-1"}));
  EXPECT_EQ(u.source, "CUDA_VISIBLE_DEVICES");
}

TEST(AllocatedGpus, NoDevFilesAndEmptyValuesSayNoGpuWasGiven) {
  EXPECT_TRUE(allocated_gpus({}, "J").ids.empty());
  auto a = allocated_gpus({{"CUDA_VISIBLE_DEVICES", "NoDevFiles"}, {"SLURM_JOB_GPUS", ""}}, "J");
  EXPECT_TRUE(a.ids.empty());
  EXPECT_EQ(a.source, "");
  // An empty step value falls through to the job's.
  EXPECT_EQ(allocated_gpus({{"SLURM_STEP_GPUS", ""}, {"SLURM_JOB_GPUS", "5"}}, "J").ids, std::vector<std::string>{"5"});
}

TEST(AllocatedGpus, RangesExpandAndSpacesAndLeadingZerosAreNormalised) {
  EXPECT_EQ(allocated_gpus({{"SLURM_JOB_GPUS", "0-2, 05"}}, "J").ids, (std::vector<std::string>{"0", "1", "2", "5"}));
}

TEST(AllocatedGpus, AValueThatIsNoGpuIsAnErrorNamingTheVariable) {
  auto why = error_of([] { allocated_gpus({{"SLURM_JOB_GPUS", "0,gpu:a100"}}, "J"); });
  EXPECT_NE(why.find("SLURM_JOB_GPUS"), std::string::npos) << why;
  EXPECT_NE(why.find("gpu:a100"), std::string::npos) << why;
  EXPECT_NE(error_of([] { allocated_gpus({{"SLURM_JOB_GPUS", "3-1"}}, "J"); }).find("range 3-1"), std::string::npos);
  EXPECT_NE(error_of([] { allocated_gpus({{"SLURM_JOB_GPUS", "0-99999"}}, "J"); }).find("range"), std::string::npos);
  EXPECT_NE(error_of([] { allocated_gpus({{"SLURM_JOB_GPUS", std::string(70000, '1')}}, "J"); }).find("bytes long"), std::string::npos);
}

TEST(WithinAllocation, AllIsEveryGpuTheJobWasGivenNotTheNodes) {
  AllocatedGpus given{.holder = "Slurm job 7", .ids = {"1", "3"}, .source = "SLURM_JOB_GPUS"};
  auto r = within_allocation(asks(Selection{}), given, four_gpus());
  EXPECT_EQ(r.selection, devices({"1", "3"}));
  EXPECT_EQ(r.need, Need::Required);
  EXPECT_NE(r.source.find("within Slurm job 7's GPUs"), std::string::npos) << r.source;
}

TEST(WithinAllocation, ACountTakesTheFirstGivenAndMoreThanGivenIsRefusedWithTheHintToAskSlurm) {
  AllocatedGpus given{.holder = "Slurm job 7", .ids = {"2", "3"}, .source = "SLURM_JOB_GPUS"};
  EXPECT_EQ(within_allocation(asks(Selection{.kind = Kind::Count, .count = 1}), given, {}).selection, devices({"2"}));
  auto why = error_of([&] { within_allocation(asks(Selection{.kind = Kind::Count, .count = 3}), given, {}); });
  EXPECT_NE(why.find("asks for 3 GPUs and Slurm job 7 was given GPU 2,3 (SLURM_JOB_GPUS)"), std::string::npos) << why;
  EXPECT_NE(why.find("--slurm-gpus 3"), std::string::npos) << why;
}

TEST(WithinAllocation, DevicesMustBeTheJobsByIndexOrByUuid) {
  AllocatedGpus given{.holder = "Slurm job 7", .ids = {"1", "3"}, .source = "SLURM_JOB_GPUS"};
  EXPECT_EQ(within_allocation(asks(devices({"3"})), given, four_gpus()).selection, devices({"3"}));
  EXPECT_EQ(within_allocation(asks(devices({"GPU-bbbb"})), given, four_gpus()).selection, devices({"GPU-bbbb"}));
  auto why = error_of([&] { within_allocation(asks(devices({"0"})), given, four_gpus()); });
  EXPECT_NE(why.find("asks for GPU 0 and Slurm job 7 was given GPU 1,3"), std::string::npos) << why;
  error_of([&] { within_allocation(asks(devices({"GPU-aaaa"})), given, four_gpus()); });
  // A UUID the node's GPUs do not list cannot be matched to an index: refused, not guessed.
  error_of([&] { within_allocation(asks(devices({"GPU-zzzz"})), given, {}); });
  // A site that sets UUIDs: matched as they are.
  AllocatedGpus uuids{.holder = "J", .ids = {"GPU-cccc"}, .source = "CUDA_VISIBLE_DEVICES"};
  EXPECT_EQ(within_allocation(asks(devices({"2"})), uuids, four_gpus()).selection, devices({"2"}));
}

TEST(WithinAllocation, ARequiredGpuInAJobGivenNoneIsRefusedAnOptionalOneStartsWithoutAndSaysWhy) {
  AllocatedGpus none{.holder = "Slurm job 7"};
  auto why = error_of([&] { within_allocation(asks(Selection{}), none, {}); });
  EXPECT_NE(why.find("needs a GPU (hostRequirements.gpu: true) but Slurm job 7 was given no GPU"), std::string::npos) << why;
  EXPECT_NE(why.find("--slurm-gpus 1"), std::string::npos) << why;
  auto optional = within_allocation(asks(Selection{}, Need::Optional), none, {});
  EXPECT_EQ(optional.need, Need::None);
  EXPECT_NE(optional.source.find("starting without a GPU"), std::string::npos) << optional.source;
  EXPECT_NE(optional.source.find("Slurm job 7 was given no GPU"), std::string::npos) << optional.source;
}

TEST(WithinAllocation, AWorkspaceAskingNoGpuIsLeftAsItIs) {
  auto r = within_allocation(GpuRequest{}, AllocatedGpus{.holder = "J", .ids = {"0"}}, {});
  EXPECT_EQ(r.need, Need::None);
  EXPECT_EQ(r.selection.kind, Kind::All);
}

}  // namespace
}  // namespace dlc::gpu
