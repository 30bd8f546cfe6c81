// The resolver on the seeds' own cases and the ways a plan can fail.
#include <gtest/gtest.h>

#include "resolve/dockerfile.h"
#include "resolve_fixtures.h"

using namespace dlc;
using namespace dlc::resolve;

using namespace dlc::testing;

TEST(Resolve, SeedTorch111OnDriver515GetsItsCuda113Image) {
  auto p = plan({{"requirements.txt", "torch==1.11.0\ntorchvision==0.12.0\n"}}, driver("515.48.07"));
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime");
  EXPECT_EQ(p.framework, "pytorch");
  EXPECT_EQ(p.framework_version, "1.11.0");
  EXPECT_EQ(p.cuda, "11.3");
  EXPECT_EQ(p.cudnn, "8");
  EXPECT_TRUE(p.gpu);
  EXPECT_FALSE(p.minor_version_compatibility);
  EXPECT_EQ(p.driver_required, "465.19.01");
  auto* image = decision(p, "image");
  ASSERT_TRUE(image);
  EXPECT_NE(image->reason.find("driver 515.48.07"), std::string::npos) << image->reason;
  ASSERT_FALSE(image->rejected.empty());
  EXPECT_NE(image->rejected[0].find("-devel"), std::string::npos);
  // The image has torch: pip does not install it again, and is held to the image's version.
  EXPECT_EQ(p.pip_packages, (std::vector<std::string>{"torchvision==0.12.0"}));
  EXPECT_EQ(p.pip_constraints, (std::vector<std::string>{"torch==1.11.0.*"}));
}

TEST(Resolve, SeedTensorflow22OnDriver440) {
  auto p = plan({{"requirements.txt", "tensorflow-gpu==2.2.0\n"}}, driver("440.64"));
  EXPECT_EQ(p.base_image, "tensorflow/tensorflow:2.2.0-gpu");
  EXPECT_EQ(p.cuda, "10.1");
  EXPECT_EQ(p.python, "3.6");
  EXPECT_TRUE(p.pip_packages.empty());
}

TEST(Resolve, SeedPaddle201GetsItsCuda110Image) {
  auto p = plan({{"requirements.txt", "paddlepaddle-gpu==2.0.1\n"}}, driver("460.32.03"));
  EXPECT_EQ(p.base_image, "paddlepaddle/paddle:2.0.1-gpu-cuda11.0-cudnn8");
  // An older driver gets the release's CUDA 10.2 image instead.
  auto old = plan({{"requirements.txt", "paddlepaddle-gpu==2.0.1\n"}}, driver("440.64"));
  EXPECT_EQ(old.base_image, "paddlepaddle/paddle:2.0.1-gpu-cuda10.2-cudnn7");
}

TEST(Resolve, PaddlePostReleaseNamesItsCuda) {
  auto p = plan({{"requirements.txt", "paddlepaddle-gpu==2.4.2.post117\n"}}, driver("525.60.13"));
  EXPECT_EQ(p.base_image, "paddlepaddle/paddle:2.4.2-gpu-cuda11.7-cudnn8.4-trt8.4");
}

TEST(Resolve, SeedBareCuda110GetsTheNvidiaCudaBaseFamily) {
  auto p = plan({{"environment.yml", "dependencies:\n  - cudatoolkit=11.0\n"}}, driver("460.32.03"));
  EXPECT_EQ(p.base_image.rfind("nvidia/cuda:11.0", 0), 0u) << p.base_image;
  EXPECT_NE(p.base_image.find("-base-"), std::string::npos) << p.base_image;
  EXPECT_EQ(p.framework, "");
  EXPECT_EQ(p.cuda, "11.0");
  EXPECT_FALSE(p.base_has_python);
  EXPECT_TRUE(contains(p.apt_packages, "python3"));
}

TEST(Resolve, DriverTooOldIsAnErrorWithAWayOut) {
  auto e = error_of([] { plan({{"requirements.txt", "torch==1.4.0\n"}}, driver("390.48")); });
  EXPECT_EQ(e.code(), ErrorCode::DriverTooOld);
  EXPECT_NE(std::string(e.what()).find("torch==1.4.0"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("driver 390.48 runs CUDA 9.1 and older"), std::string::npos) << e.what();
  EXPECT_NE(e.hint().find(">= 418.39"), std::string::npos) << e.hint();
  EXPECT_NE(e.hint().find("--cpu"), std::string::npos) << e.hint();
}

TEST(Resolve, DriverTooOldForAPinSuggestsAReleaseItRuns) {
  auto e = error_of([] { plan({{"requirements.txt", "torch==1.11.0\n"}}, driver("440.64")); });
  EXPECT_EQ(e.code(), ErrorCode::DriverTooOld);
  EXPECT_NE(e.hint().find(">= 450.80.02"), std::string::npos) << e.hint();  // CUDA 11.x minor-version compatibility
  EXPECT_NE(e.hint().find("torch==1.9.0"), std::string::npos) << e.hint();  // 1.9.0 has a CUDA 10.2 image
}

TEST(Resolve, MinorVersionCompatibilityRunsNewerCuda11) {
  auto p = plan({{"requirements.txt", "torch==1.11.0\n"}}, driver("450.80.02"));
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime");
  EXPECT_TRUE(p.minor_version_compatibility);
  EXPECT_EQ(p.driver_required, "450.80.02");
  EXPECT_EQ(p.env.at("NVIDIA_DISABLE_REQUIRE"), "1");
  // 450.51 predates the 11.x compatibility floor.
  EXPECT_EQ(error_of([] { plan({{"requirements.txt", "torch==1.11.0\n"}}, driver("450.51.06")); }).code(), ErrorCode::DriverTooOld);
}

TEST(Resolve, NativeCudaIsPreferredOverMinorVersionCompatibility) {
  // torch 2.4 has CUDA 11.8, 12.1 and 12.4 images; driver 525.60.13 runs 12.x only through compatibility.
  auto p = plan({{"requirements.txt", "torch==2.4.0\n"}}, driver("525.60.13"));
  EXPECT_EQ(p.cuda, "11.8");
  EXPECT_FALSE(p.minor_version_compatibility);
  auto newer = plan({{"requirements.txt", "torch==2.4.0\n"}}, driver("550.54.15"));
  EXPECT_EQ(newer.cuda, "12.4");
}

TEST(Resolve, NoGpuGivesACpuImageAndSaysSo) {
  auto p = plan({{"requirements.txt", "torch==1.11.0\nnumpy\n"}}, no_gpu());
  EXPECT_FALSE(p.gpu);
  EXPECT_EQ(p.flavor, "cpu");
  EXPECT_EQ(p.base_image.rfind("python:3.", 0), 0u) << p.base_image;
  EXPECT_TRUE(contains(p.pip_packages, "torch==1.11.0"));
  auto* gpu = decision(p, "gpu");
  ASSERT_TRUE(gpu);
  EXPECT_EQ(gpu->choice, "CPU");
  EXPECT_NE(gpu->reason.find("libnvidia-ml.so.1 not found"), std::string::npos);
  // TensorFlow publishes CPU images.
  auto tf = plan({{"requirements.txt", "tensorflow==2.2.0\n"}}, no_gpu());
  EXPECT_EQ(tf.base_image, "tensorflow/tensorflow:2.2.0");
}

TEST(Resolve, AnUnpinnedRepositoryGetsTheFrameworkOfItsEra) {
  std::map<std::string, std::string> files = {{"requirements.txt", "torch\ntorchvision\n"}};
  auto p2019 = plan(files, driver("535.104.05"), {}, "2019-06-01");
  auto p2024 = plan(files, driver("535.104.05"), {}, "2024-06-01");
  EXPECT_EQ(p2019.framework_version, "1.1.0");
  EXPECT_EQ(p2024.framework_version, "2.3.0");
  EXPECT_NE(p2019.base_image, p2024.base_image);
  EXPECT_NE(decision(p2019, "version")->reason.find("HEAD is dated 2019-06-01"), std::string::npos);
  // Without a date, the newest.
  auto now = plan(files, driver("575.57.08"));
  EXPECT_EQ(now.framework_version, catalog().framework("pytorch")->releases.back().version);
  // The Python of a CPU plan follows the era too.
  auto cpu2019 = plan(files, no_gpu(), {}, "2019-06-01");
  EXPECT_EQ(cpu2019.python, "3.7");
}

TEST(Resolve, CudaExtensionsGetADevelImage) {
  auto p = plan({{"requirements.txt", "torch==1.9.0\n"},
                 {"setup.py", "from torch.utils.cpp_extension import BuildExtension, CUDAExtension\nsetup(ext_modules=[CUDAExtension('x', ['x.cu'])])\n"}},
                driver("440.64"));
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.9.0-cuda10.2-cudnn7-devel");
  EXPECT_EQ(p.flavor, "devel");
  auto* image = decision(p, "image");
  EXPECT_NE(image->reason.find("-devel because setup.py:"), std::string::npos) << image->reason;
}

TEST(Resolve, APackageThatCompilesCudaAtInstallNeedsDevel) {
  auto p = plan({{"requirements.txt", "torch==2.1.0\nflash-attn==2.3.0\n"}}, driver("535.104.05"));
  EXPECT_EQ(p.flavor, "devel");
  EXPECT_NE(p.base_image.find("-devel"), std::string::npos);
}

TEST(Resolve, TensorflowWithCudaCodeUsesACudaDevelBase) {
  auto p = plan({{"requirements.txt", "tensorflow==2.4.0\n"}, {"kernels/op.cu", "__global__ void f() {}\n"}}, driver("460.32.03"));
  EXPECT_EQ(p.base_image, "nvidia/cuda:11.0.3-cudnn8-devel-ubuntu20.04");
  EXPECT_TRUE(contains(p.pip_packages, "tensorflow==2.4.0"));
  EXPECT_TRUE(contains(p.apt_packages, "python3-pip"));
}

TEST(Resolve, ConflictingPinsAreAConflict) {
  auto e = error_of([] {
    plan({{"requirements.txt", "torch==1.4.0\n"}, {"environment.yml", "dependencies:\n  - pytorch=1.7\n"}}, driver("515.48.07"));
  });
  EXPECT_EQ(e.code(), ErrorCode::Conflict);
  EXPECT_NE(std::string(e.what()).find("requirements.txt:1"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("environment.yml:2"), std::string::npos) << e.what();
  EXPECT_NE(e.hint().find("--framework"), std::string::npos);
}

TEST(Resolve, AVersionTheCatalogDoesNotKnow) {
  auto e = error_of([] { plan({{"requirements.txt", "torch==0.3.1\n"}}, driver("515.48.07")); });
  EXPECT_EQ(e.code(), ErrorCode::UnknownVersion);
  EXPECT_NE(std::string(e.what()).find("torch==0.3.1"), std::string::npos);
  EXPECT_NE(e.hint().find("catalog"), std::string::npos);
}

TEST(Resolve, CudaPinsFilterImagesAndOtherwiseTakeTheReleasesOtherBuild) {
  // --extra-index-url .../cu102 asks CUDA 10.2: torch 1.9.0 has one.
  auto p = plan({{"requirements.txt", "--extra-index-url https://download.pytorch.org/whl/cu102\ntorch==1.9.0\n"}}, driver("470.82.01"));
  EXPECT_EQ(p.cuda, "10.2");
  // torch 1.11 has no CUDA 10.2 image: its CUDA 11.3 one runs the same code, and the plan says so.
  auto relaxed = plan({{"requirements.txt", "torch==1.11.0+cu102\n"}}, driver("470.82.01"));
  EXPECT_EQ(relaxed.base_image, "pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime");
  EXPECT_TRUE(warned(relaxed, "asks CUDA 10.2")) << relaxed.warnings.front();
  // R470 runs CUDA 10.2; what is missing is the release's build of it, and the warning says that.
  EXPECT_TRUE(warned(relaxed, "the catalog has no PyTorch 1.11.0 image of that CUDA")) << relaxed.warnings.front();
  // --cuda is the user's own word: no other build is taken.
  ResolveOptions o;
  o.cuda = "10.2";
  auto e = error_of([&] { plan({{"requirements.txt", "torch==1.11.0\n"}}, driver("470.82.01"), o); });
  EXPECT_EQ(e.code(), ErrorCode::UnknownVersion);
  EXPECT_NE(std::string(e.what()).find("asks CUDA 10.2"), std::string::npos) << e.what();
}

TEST(Resolve, MarkersForOtherPlatformsAreNotPins) {
  auto p = plan({{"requirements.txt", "torch==1.8.1; sys_platform == 'darwin'\ntorch==1.11.0; sys_platform == 'linux'\n"}}, driver("515.48.07"));
  EXPECT_EQ(p.framework_version, "1.11.0");
}

TEST(Resolve, ReadmeHintsChooseWhenNothingIsPinned) {
  auto p = plan({{"requirements.txt", "torch\n"}, {"README.md", "Tested with PyTorch 1.4 and CUDA 10.1.\n"}}, driver("440.64"));
  EXPECT_EQ(p.framework_version, "1.4.0");
  EXPECT_NE(decision(p, "version")->reason.find("weak hints: README.md:1"), std::string::npos);
}

TEST(Resolve, SystemLibrariesForImports) {
  auto p = plan({{"requirements.txt", "torch==1.11.0\nopencv-python\n"}, {"train.py", "import cv2\n"}}, driver("515.48.07"));
  EXPECT_TRUE(contains(p.apt_packages, "libgl1"));
  EXPECT_TRUE(contains(p.apt_packages, "libglib2.0-0"));
  EXPECT_NE(decision(p, "apt")->reason.find("train.py:1 imports cv2"), std::string::npos);
}

TEST(Resolve, PythonPinsChooseThePythonImage) {
  auto p = plan({{"requirements.txt", "numpy\n"}, {"pyproject.toml", "[project]\nname='x'\nrequires-python='>=3.9,<3.11'\n"}}, no_gpu());
  EXPECT_EQ(p.base_image, "python:3.10-slim");
  auto e = error_of([] {
    plan({{"requirements.txt", "torch==1.4.0\n"}, {"environment.yml", "dependencies:\n  - python=3.11\n"}}, no_gpu());
  });
  EXPECT_EQ(e.code(), ErrorCode::Conflict);
  EXPECT_NE(std::string(e.what()).find("supports Python >=3.5,<3.9"), std::string::npos) << e.what();
}

TEST(Resolve, TheRepositorysDockerfileWinsAndItsBaseIsCheckedBeforeAnyBuild) {
  std::map<std::string, std::string> files = {{"Dockerfile", "FROM pytorch/pytorch:1.11.0-cuda11.3-cudnn8-devel\nRUN pip install x\n"},
                                              {"requirements.txt", "torch==2.0\n"}};
  auto p = plan(files, driver("515.48.07"));
  EXPECT_EQ(p.mode, "dockerfile");
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.11.0-cuda11.3-cudnn8-devel");
  EXPECT_EQ(p.cuda, "11.3");
  EXPECT_TRUE(p.warnings.empty());
  // A driver that cannot run the base: an error before anything is built, with the ways out.
  auto e = error_of([&] { plan(files, driver("440.64")); });
  EXPECT_EQ(e.code(), ErrorCode::DriverTooOld);
  EXPECT_NE(std::string(e.what()).find("Dockerfile:1"), std::string::npos) << e.what();
  EXPECT_NE(e.hint().find(">= 450.80.02"), std::string::npos) << e.hint();
  EXPECT_NE(e.hint().find("FROM to pytorch/pytorch:1.9.0-cuda10.2-cudnn7-devel"), std::string::npos) << e.hint();
}

TEST(Resolve, TheRepositorysDevcontainerWins) {
  ResolveOptions o;
  o.devcontainer = DevcontainerInput{".devcontainer/devcontainer.json", "python:3.11", "", nlohmann::json{{"cuda", "12.4"}}};
  auto p = plan({{"requirements.txt", "torch==1.11.0\n"}}, driver("515.48.07"), o);
  EXPECT_EQ(p.mode, "devcontainer");
  EXPECT_EQ(p.base_image, "python:3.11");
  ASSERT_FALSE(p.warnings.empty());
  EXPECT_NE(p.warnings.back().find("CUDA 12.4 needs driver >= 550.54.14"), std::string::npos) << p.warnings.back();
}

TEST(Resolve, OptionsOverrideTheRepository) {
  ResolveOptions o;
  o.framework = "torch==1.9.0";
  o.cuda = "10.2";
  auto p = plan({{"requirements.txt", "torch==1.11.0\n"}}, driver("515.48.07"), o);
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.9.0-cuda10.2-cudnn7-runtime");
  ResolveOptions cpu;
  cpu.cpu = true;
  EXPECT_FALSE(plan({{"requirements.txt", "torch==1.11.0\n"}}, driver("515.48.07"), cpu).gpu);
  ResolveOptions bad;
  bad.framework = "jax";
  EXPECT_EQ(error_of([&] { plan({}, driver("515.48.07"), bad); }).code(), ErrorCode::UnknownVersion);
}

TEST(Resolve, UnknownHostIsSaidAndNotChecked) {
  auto p = plan({{"requirements.txt", "torch==1.11.0\n"}}, gpu::HostFacts{});
  EXPECT_TRUE(p.gpu);
  EXPECT_NE(p.host.find("unknown"), std::string::npos);
}

TEST(Resolve, CondaOnlyPackagesAreNotPipInstalled) {
  auto p = plan({{"environment.yml", "dependencies:\n  - python=3.8\n  - pytorch=1.7.1\n  - cudatoolkit=11.0\n  - mkl\n  - libpng\n  - scipy=1.5\n  - pip:\n    - einops\n"}},
                driver("455.32"));
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.7.1-cuda11.0-cudnn8-runtime");
  EXPECT_EQ(p.pip_packages, (std::vector<std::string>{"scipy==1.5.*", "einops"}));
  bool dropped = false;
  for (const auto& r : decision(p, "pip")->rejected) dropped |= r.rfind("mkl ", 0) == 0;
  EXPECT_TRUE(dropped);
}

TEST(Resolve, PlanJsonRoundTrips) {
  auto p = plan({{"requirements.txt", "torch==1.11.0\n"}, {"train.py", "import cv2\n"}}, driver("515.48.07"));
  nlohmann::json j = p;
  Plan back = j.get<Plan>();
  EXPECT_EQ(nlohmann::json(back), j);
  EXPECT_EQ(plan_fingerprint(back), plan_fingerprint(p));
  EXPECT_EQ(j["baseImage"], "pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime");
  EXPECT_TRUE(j["decisions"].is_array());
}

TEST(Resolve, ALowercaseRootDockerfileIsBuiltAsDockerWould) {
  auto p = plan({{"dockerfile", "FROM tensorflow/tensorflow:2.3.1-gpu\n"}, {"setup.py", "x = 1\n"}}, driver("455.45.01"));
  EXPECT_EQ(p.mode, "dockerfile");
  EXPECT_EQ(p.dockerfile, "dockerfile");
  EXPECT_EQ(p.base_image, "tensorflow/tensorflow:2.3.1-gpu");
  // 2.3.1 is no catalog row, but every 2.3 GPU image is CUDA 10.1: the base is still checked.
  EXPECT_EQ(p.cuda, "10.1");
  auto e = error_of([] { plan({{"dockerfile", "FROM tensorflow/tensorflow:2.3.1-gpu\n"}}, driver("410.48")); });
  EXPECT_EQ(e.code(), ErrorCode::DriverTooOld);
}
