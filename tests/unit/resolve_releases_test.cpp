// The resolver on old releases, releases the catalog lacks, CUDA builds the driver cannot run, NGC
// bases, and the GPU's own architecture.
#include <gtest/gtest.h>

#include "gpu/host_facts.h"
#include "resolve/dockerfile.h"
#include "resolve_fixtures.h"

using namespace dlc;
using namespace dlc::resolve;
using namespace dlc::testing;

TEST(ResolveReleases, PytorchZeroFourAndTensorflowOneOldReleasesHaveTheirImages) {
  auto torch = plan({{"environment.yml", "dependencies:\n  - pytorch=0.4.1\n  - cudatoolkit=9.0\n"}}, driver("384.81"));
  EXPECT_EQ(torch.base_image, "pytorch/pytorch:0.4.1-cuda9-cudnn7-runtime");
  auto tf = plan({{"requirements.txt", "tensorflow-gpu==1.4.0\n"}}, driver("384.81"));
  EXPECT_EQ(tf.base_image, "tensorflow/tensorflow:1.4.0-gpu-py3");
  EXPECT_EQ(tf.cuda, "8.0");
  EXPECT_EQ(tf.cudnn, "6");
  auto tf1 = plan({{"requirements.txt", "tensorflow==1.0.0\n"}}, no_gpu());
  EXPECT_EQ(tf1.base_image, "tensorflow/tensorflow:1.0.0-py3");
}

TEST(ResolveReleases, APatchTheCatalogLacksTakesTheNewestPatchOfItsMinorAndSaysSo) {
  auto p = plan({{"requirements.txt", "tensorflow==2.6.2\n"}}, driver("470.82.01"));
  EXPECT_EQ(p.base_image, "tensorflow/tensorflow:2.6.0-gpu");
  EXPECT_EQ(p.framework_version, "2.6.0");
  EXPECT_TRUE(warned(p, "tensorflow==2.6.2")) << p.warnings.front();
  EXPECT_TRUE(warned(p, "2.6.0, the newest 2.6 release that has one"));
  // A minor the catalog does not have at all is still unknown.
  EXPECT_EQ(error_of([] { plan({{"requirements.txt", "torch==0.3.1\n"}}, driver("515.48.07")); }).code(), ErrorCode::UnknownVersion);
}

TEST(ResolveReleases, ACudaBuildTheDriverCannotRunTakesTheSameReleasesBuildItCan) {
  auto p = plan({{"requirements.txt", "--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.2.2+cu121\ntorchvision==0.17.2+cu121\n"}},
                driver("470.82.01"));
  EXPECT_EQ(p.base_image, "pytorch/pytorch:2.2.2-cuda11.8-cudnn8-runtime");
  EXPECT_TRUE(p.minor_version_compatibility);  // CUDA 11.8 on R470: 11.x minor-version compatibility (>= 450.80.02)
  EXPECT_TRUE(warned(p, "the same release's CUDA 11.8 build is used instead"));
  EXPECT_TRUE(warned(p, "no image of that build runs on NVIDIA driver 470.82.01"));  // 2.2.2 has a CUDA 12.1 image; R470 cannot run it
  // torchvision and the index follow the build.
  EXPECT_TRUE(contains(p.pip_packages, "torchvision==0.17.2+cu118")) << p.pip_packages.front();
  EXPECT_TRUE(contains(p.pip_options, "https://download.pytorch.org/whl/cu118"));
  auto* cuda = decision(p, "cuda");
  ASSERT_TRUE(cuda);
  EXPECT_EQ(cuda->choice, "CUDA 11.8 instead of 12.1");
}

TEST(ResolveReleases, ADriverHintNeverNamesADriverTheHostHas) {
  ResolveOptions o;
  o.cuda = "12.1";  // the user's own word: no other build is taken
  auto e = error_of([&] { plan({{"requirements.txt", "torch==2.2.2\n"}}, driver("470.82.01"), o); });
  EXPECT_EQ(e.code(), ErrorCode::DriverTooOld);
  EXPECT_NE(e.hint().find(">= 525.60.13"), std::string::npos) << e.hint();
  EXPECT_EQ(e.hint().find("450.80.02"), std::string::npos) << e.hint();
}

TEST(ResolveReleases, AnNgcBaseIsCheckedWithItsForwardCompatibility) {
  std::map<std::string, std::string> files = {{"Dockerfile", "FROM nvcr.io/nvidia/pytorch:21.12-py3\n"}};
  auto ok = plan(files, driver("495.29.05"));
  EXPECT_EQ(ok.cuda, "11.5.0");
  EXPECT_TRUE(ok.warnings.empty());
  // R460 on a data center GPU runs it through the forward-compatibility package: said, not refused.
  auto dc = plan(files, driver("460.32.03"));
  EXPECT_TRUE(warned(dc, "only on a data center GPU"));
  // R455 is no branch NGC lists: refused before any build, with the ways out.
  auto e = error_of([&] { plan(files, driver("455.23.04")); });
  EXPECT_EQ(e.code(), ErrorCode::DriverTooOld);
  EXPECT_NE(e.hint().find("change the Dockerfile's FROM to nvcr.io/nvidia/pytorch:20.11-py3"), std::string::npos) << e.hint();
  // A release the catalog does not list is said, not guessed.
  auto unknown = plan({{"Dockerfile", "FROM nvcr.io/nvidia/pytorch:23.04-py3\n"}}, driver("525.60.13"));
  EXPECT_TRUE(warned(unknown, "an NGC release the catalog does not list"));
}

TEST(ResolveReleases, AGpuTheBuildHasNoCodeForGetsThePtxCaveatAndTheOldestReleaseWithCode) {
  // torch 1.7.1's build has sm_37 to sm_80 and compute_37 PTX: an H100 (9.0) runs it only by JIT.
  auto p = plan({{"requirements.txt", "torch==1.7.1\n"}}, driver_and_gpu("535.104.05", 9, 0));
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.7.1-cuda11.0-cudnn8-runtime");
  auto* arch = decision(p, "gpu-arch");
  ASSERT_TRUE(arch);
  EXPECT_EQ(arch->choice, "PTX JIT only");
  EXPECT_NE(arch->reason.find("the oldest release with code for it is torch==2.1.0"), std::string::npos) << arch->reason;
  EXPECT_FALSE(arch->citations.empty());
  // 2.1's CUDA 11.8 build has sm_90 code.
  auto q = plan({{"requirements.txt", "torch==2.1.0\n"}}, driver_and_gpu("535.104.05", 9, 0));
  EXPECT_EQ(decision(q, "gpu-arch")->choice, "runs natively");
}

TEST(ResolveReleases, PtxCannotBeJitCompiledUnderMinorVersionCompatibility) {
  // CUDA 11.7 (torch 2.0.1) on R470 runs only through minor-version compatibility, which does not
  // cover PTX JIT: an H100 cannot run that build at all; the plan says so and names the way out.
  auto p = plan({{"requirements.txt", "torch==2.0.1\n"}}, driver_and_gpu("470.82.01", 9, 0));
  auto* arch = decision(p, "gpu-arch");
  ASSERT_TRUE(arch);
  EXPECT_EQ(arch->choice, "cannot run");
  EXPECT_NE(arch->reason.find("minor-version compatibility"), std::string::npos) << arch->reason;
  // A range takes the release nearest its era whose build the GPU can run: 2.0.1 was the newest by
  // HEAD's date, but its build cannot run here; 2.1.0's CUDA 11.8 build has sm_90 code.
  auto range = plan({{"requirements.txt", "torch>=2.0,<2.2\n"}}, driver_and_gpu("470.82.01", 9, 0), {}, "2023-06-01");
  EXPECT_EQ(range.framework_version, "2.1.0");
  EXPECT_EQ(decision(range, "gpu-arch")->choice, "runs natively");
}

TEST(ResolveReleases, TheGpuReadThroughNvmlIsTheOneChecked) {
  // The stand-in NVML (tests/gpu/fake_driver.cpp) has two H100s.
  auto host = gpu::read_host_facts({.nvml_library = DLC_FAKE_NVIDIA, .cuda_library = "libdlc-absent.so.1", .root = "/nonexistent"});
  ASSERT_EQ(host.gpus.size(), 2u);
  auto p = plan({{"requirements.txt", "torch==1.7.1\n"}}, host);
  EXPECT_NE(p.host.find("compute capability 9.0"), std::string::npos) << p.host;
  ASSERT_TRUE(decision(p, "gpu-arch"));
  EXPECT_EQ(decision(p, "gpu-arch")->choice, "PTX JIT only");
}

TEST(ResolveReleases, PythonTwoCodeGetsAPythonTwoImageOrTheFrameworkFromPipOnItsCuda) {
  // TensorFlow 1.x has Python 2 images (-gpu, not -gpu-py3).
  auto tf = plan({{"gan.py", "import tensorflow as tf\nfor i in xrange(3):\n    pass\nwith tf.Session() as s:\n    pass\n"}}, driver("375.66"), {},
                 "2017-06-22");
  EXPECT_EQ(tf.base_image, "tensorflow/tensorflow:1.2.1-gpu");
  EXPECT_EQ(tf.python, "2.7");
  // PyTorch's images are all Python 3: the release's CUDA base, the OS's Python 2, torch from pip.
  auto torch = plan({{"environment.yml", "dependencies:\n  - python=2.7.16\n  - pytorch=0.4.0\n  - cudatoolkit=9.0\n"}, {"train.py", "import torch\n"}},
                    driver("418.56"));
  EXPECT_EQ(torch.base_image, "nvidia/cuda:9.0-cudnn7-runtime-ubuntu16.04");
  EXPECT_EQ(torch.framework_version, "0.4.0");
  EXPECT_EQ(torch.python, "2.7");
  EXPECT_TRUE(contains(torch.pip_packages, "torch==0.4.0"));
  EXPECT_TRUE(contains(torch.apt_packages, "python-pip"));
  auto df = render_dockerfile(torch, DockerfileOptions{1000, 1000, "dev"});
  EXPECT_NE(df.find("python -m pip install"), std::string::npos) << df;
}

TEST(ResolveReleases, APytorchPatchWithoutAnImageIsInstalledByPipOverItsMinorsImage) {
  // torchvision 0.11.2 needs torch 1.10.1 exactly; the catalog's 1.10 image has 1.10.0.
  auto p = plan({{"requirements.txt", "torch==1.10.1\ntorchvision==0.11.2\n"}}, driver("470.82.01"));
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.10.0-cuda11.3-cudnn8-runtime");
  EXPECT_EQ(p.framework_version, "1.10.1");  // what the container will have
  // Unlabelled, with the CUDA 11.3 index: pip prefers that index's 1.10.1+cu113 to PyPI's 1.10.1.
  EXPECT_TRUE(contains(p.pip_packages, "torch==1.10.1")) << ::testing::PrintToString(p.pip_packages);
  EXPECT_TRUE(contains(p.pip_packages, "torchvision==0.11.2"));
  EXPECT_TRUE(contains(p.pip_options, "https://download.pytorch.org/whl/cu113"));
  EXPECT_TRUE(contains(p.pip_constraints, "torch==1.10.1.*")) << ::testing::PrintToString(p.pip_constraints);
  EXPECT_TRUE(warned(p, "pip installs torch==1.10.1 over it"));
  // Without a GPU the same pin is the CPU build on a Python image.
  auto cpu = plan({{"requirements.txt", "torch==1.10.1\n"}}, no_gpu());
  EXPECT_TRUE(contains(cpu.pip_packages, "torch==1.10.1")) << ::testing::PrintToString(cpu.pip_packages);
  EXPECT_FALSE(contains(cpu.pip_packages, "torch==1.10.0"));
  EXPECT_TRUE(contains(cpu.pip_options, "https://download.pytorch.org/whl/cpu"));
  // A release that has its image is untouched.
  auto exact = plan({{"requirements.txt", "torch==1.10.0\n"}}, driver("470.82.01"));
  EXPECT_EQ(exact.framework_version, "1.10.0");
  EXPECT_FALSE(contains(exact.pip_options, "--extra-index-url"));
}

TEST(ResolveReleases, APinNewerThanTheCatalogsNewestIsAnErrorThatSaysSoAndGuessesNoImage) {
  for (const char* req : {"torch==2.9.0\n", "torch>=2.9\n"}) {
    auto e = error_of([&] { plan({{"requirements.txt", req}}, driver("580.65.06")); });
    EXPECT_EQ(e.code(), ErrorCode::UnknownVersion);
    EXPECT_NE(std::string(e.what()).find("newer than the newest PyTorch release the catalog knows"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("--framework torch=="), std::string::npos) << e.hint();
  }
}

TEST(ResolveReleases, APatchLevelPythonThreePinIsNotPythonTwo) {
  // conda's "python=3.8.5" is "==3.8.5.*", which no bare minor (3.8) satisfies: still Python 3.
  auto p = plan({{"environment.yml", "dependencies:\n  - python=3.8.5\n  - pytorch=1.7.0\n  - cudatoolkit=10.2\n"}}, driver("470.82.01"));
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.7.0-cuda11.0-cudnn8-runtime");
  EXPECT_FALSE(warned(p, "needs Python 2"));
  EXPECT_EQ(decision(p, "python")->choice.find("Python 2"), std::string::npos) << decision(p, "python")->choice;
}
