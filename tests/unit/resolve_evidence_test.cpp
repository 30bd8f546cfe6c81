// The resolver on evidence beyond requirement pins: frameworks named only in code, APIs a release
// removed, companion packages, Dockerfiles that are not built, and the era of a lower bound.
#include <gtest/gtest.h>

#include "resolve_fixtures.h"

using namespace dlc;
using namespace dlc::resolve;
using namespace dlc::testing;

TEST(ResolveEvidence, AFrameworkImportedOnlyInCodeIsTheFramework) {
  auto p = plan({{"requirements.txt", "numpy\nopencv-python\n"}, {"tools/train.py", "import paddle\n"}}, driver("525.60.13"), {}, "2022-06-01");
  EXPECT_EQ(p.framework, "paddlepaddle");
  EXPECT_NE(p.base_image.find("paddlepaddle/paddle:"), std::string::npos) << p.base_image;
  auto* fw = decision(p, "framework");
  ASSERT_TRUE(fw);
  EXPECT_NE(fw->reason.find("its code: tools/train.py:1 imports paddle"), std::string::npos) << fw->reason;
}

TEST(ResolveEvidence, TheFrameworkMostFilesImportWinsATie) {
  // Both listed unpinned (TensorFlow for TensorBoard, say): the code says which one the work is in.
  auto p = plan({{"requirements.txt", "tensorflow\ntorch\n"},
                 {"a.py", "import tensorflow as tf\n"},
                 {"b.py", "import torch\n"},
                 {"c.py", "import torch\n"}},
                driver("535.104.05"), {}, "2023-06-01");
  EXPECT_EQ(p.framework, "pytorch");
  auto q = plan({{"requirements.txt", "tensorflow\ntorch\n"}, {"a.py", "import tensorflow as tf\n"}, {"b.py", "import tensorflow\n"}},
                driver("535.104.05"), {}, "2023-06-01");
  EXPECT_EQ(q.framework, "tensorflow");
}

TEST(ResolveEvidence, APinLosesToAFrameworkTheCodeImportsInTwiceAsManyFiles) {
  // tensorflow==2.4.0 pinned for a data pipeline, torch unpinned: the code is PyTorch.
  std::map<std::string, std::string> files = {{"requirements.txt", "tensorflow==2.4.0\ntorch>=1.7.0\ntorchvision\n"},
                                              {"datasets.py", "import tensorflow as tf\n"},
                                              {"models/a.py", "import torch\n"},
                                              {"models/b.py", "import torch\n"},
                                              {"train.py", "import torch\n"}};
  auto p = plan(files, driver("470.57.02"), {}, "2021-08-26");
  EXPECT_EQ(p.framework, "pytorch");
  EXPECT_EQ(p.framework_version, "1.9.0");
  EXPECT_TRUE(contains(p.pip_packages, "tensorflow==2.4.0"));  // still installed, as a package
  // As many files each way: the pin decides.
  auto q = plan({{"requirements.txt", "tensorflow==2.4.0\ntorch>=1.7.0\n"}, {"a.py", "import tensorflow as tf\n"}, {"b.py", "import torch\n"}},
                driver("470.57.02"), {}, "2021-08-26");
  EXPECT_EQ(q.framework, "tensorflow");
}

TEST(ResolveEvidence, ACudaExtensionInCodeMeansPytorchAndADevelImage) {
  auto p = plan({{"setup.py", "from torch.utils.cpp_extension import BuildExtension, CUDAExtension\nsetup(ext_modules=[CUDAExtension('x', ['x.cu'])])\n"},
                 {"x.cu", "#include <torch/extension.h>\n__global__ void k() {}\n"}},
                driver("470.82.01"), {}, "2021-09-01");
  EXPECT_EQ(p.framework, "pytorch");
  EXPECT_EQ(p.flavor, "devel");
  EXPECT_EQ(p.framework_version, "1.9.0");  // the newest out by HEAD's date
  EXPECT_NE(p.base_image.find("-devel"), std::string::npos);
}

TEST(ResolveEvidence, KerasAloneMeansTensorflow) {
  auto p = plan({{"requirements.txt", "keras==2.2.4\nnumpy\n"}, {"train.py", "import keras\n"}}, driver("410.48"), {}, "2019-01-10");
  EXPECT_EQ(p.framework, "tensorflow");
  // keras 2.2 works with TensorFlow 1.x; HEAD's date picks 1.12.
  EXPECT_EQ(p.framework_version, "1.12.0");
  EXPECT_EQ(p.base_image, "tensorflow/tensorflow:1.12.0-gpu-py3");
  EXPECT_TRUE(contains(p.pip_packages, "keras==2.2.4"));
}

TEST(ResolveEvidence, AFrameworkTheCatalogLacksGetsACudaImageWithCudnnAndSaysSo) {
  auto p = plan({{"requirements.txt", "mxnet-cu101==1.6.0\n"}, {"train.py", "import mxnet as mx\n"}}, driver("440.64"));
  EXPECT_EQ(p.framework, "mxnet");  // recorded, though the catalog has no rows for it
  EXPECT_EQ(p.framework_version, "1.6.0");
  EXPECT_EQ(p.cuda, "10.1");
  EXPECT_NE(p.base_image.find("nvidia/cuda:10.1"), std::string::npos) << p.base_image;
  EXPECT_NE(p.base_image.find("cudnn"), std::string::npos) << p.base_image;
  EXPECT_TRUE(contains(p.pip_packages, "mxnet-cu101==1.6.0"));
  auto* fw = decision(p, "framework");
  ASSERT_TRUE(fw);
  EXPECT_EQ(fw->choice, "MXNet (not in the catalog)");
  // Imported without a requirement: the plan says which wheel is missing.
  auto q = plan({{"train.py", "import mxnet as mx\n"}}, driver("440.64"));
  EXPECT_TRUE(warned(q, "no requirement names its wheel"));
}

TEST(ResolveEvidence, TensorflowOneCodeUnderALooseRequirementGetsTensorflowOne) {
  std::map<std::string, std::string> files = {{"requirements.txt", "tensorflow-gpu>=1.6.0\nnumpy\n"},
                                              {"train.py", "import tensorflow as tf\nsess = tf.Session()\nx = tf.placeholder(tf.float32)\n"}};
  // Without a date: the newest 1.x.
  auto p = plan(files, driver("450.80.02"));
  EXPECT_EQ(p.framework_version, "1.15.5");
  auto* v = decision(p, "version");
  EXPECT_NE(v->reason.find("train.py:2 uses tf.Session"), std::string::npos) << v->reason;
  EXPECT_NE(v->reason.find("releases below 2.0"), std::string::npos) << v->reason;
  // A HEAD of mid-2018: the newest release out by then.
  auto dated = plan(files, driver("396.26"), {}, "2018-06-15");
  EXPECT_EQ(dated.framework_version, "1.8.0");
  EXPECT_EQ(dated.base_image, "tensorflow/tensorflow:1.8.0-gpu-py3");
  EXPECT_NE(decision(dated, "version")->reason.find("HEAD is dated 2018-06-15"), std::string::npos);
  // The same code ported through tf.compat.v1 is not capped.
  auto ported = plan({{"requirements.txt", "tensorflow>=2.4\n"}, {"train.py", "import tensorflow.compat.v1 as tf\ns = tf.Session()\n"}},
                     driver("535.104.05"));
  EXPECT_EQ(ported.framework_version.rfind("2.", 0), 0u) << ported.framework_version;
}

TEST(ResolveEvidence, PytorchZeroThreeCodeGetsTheNewestReleaseBeforeOne) {
  auto p = plan({{"requirements.txt", "torch>=0.4\ntorchvision\n"}, {"train.py", "import torch\nprint(loss.data[0])\n"}}, driver("410.48"));
  EXPECT_EQ(p.framework_version, "0.4.1");
  EXPECT_EQ(p.base_image, "pytorch/pytorch:0.4.1-cuda9-cudnn7-runtime");
}

TEST(ResolveEvidence, RemovedApiAgainstAnExactPinIsAWarningAndThePinStays) {
  auto p = plan({{"requirements.txt", "torch==1.12.0\n"}, {"csrc/op.cu", "#include <THC/THC.h>\n"}}, driver("515.48.07"));
  EXPECT_EQ(p.framework_version, "1.12.0");
  EXPECT_TRUE(warned(p, "csrc/op.cu:1 uses THC"));
}

TEST(ResolveEvidence, AtCheckInAnExtensionCapsPytorchBelowOneFive) {
  // Without a date the newest release would be taken; AT_CHECK is gone from 1.5.
  auto p = plan({{"requirements.txt", "torch>=1.0\n"}, {"csrc/op.cu", "#include <torch/extension.h>\nAT_CHECK(x, \"x\");\n"}},
                driver("440.64"));
  EXPECT_EQ(p.framework_version, "1.4.0");
  EXPECT_EQ(p.flavor, "devel");
  auto* v = decision(p, "version");
  ASSERT_TRUE(v);
  EXPECT_NE(v->reason.find("csrc/op.cu:2 uses AT_CHECK"), std::string::npos) << v->reason;
}

TEST(ResolveEvidence, ALowerBoundFromLongAgoGetsAReleaseOfItsEraWithTheDatesSaid) {
  auto p = plan({{"requirements.txt", "torch>=1.0\n"}}, driver("440.64"), {}, "2019-09-01");
  EXPECT_EQ(p.framework_version, "1.2.0");
  auto* v = decision(p, "version");
  EXPECT_NE(v->reason.find("HEAD is dated 2019-09-01; the newest PyTorch release allowed by then is 1.2.0 (released 2019-08-08)"),
            std::string::npos)
      << v->reason;
  EXPECT_NE(v->reason.find("the bounds alone would allow up to"), std::string::npos) << v->reason;
}

TEST(ResolveEvidence, CompanionPinsDecideTheFrameworkRelease) {
  auto p = plan({{"requirements.txt", "torch>=2.0.1\ntriton==2.0.0\ntorchdata==0.6.1\n"}}, driver("535.104.05"));
  EXPECT_EQ(p.framework_version, "2.0.1");
  auto* v = decision(p, "version");
  EXPECT_NE(v->reason.find("triton==2.0.0) works with torch >=2.0,<2.1"), std::string::npos) << v->reason;
  EXPECT_NE(v->reason.find("torchdata==0.6.1) works with torch ==2.0.1"), std::string::npos) << v->reason;
  EXPECT_FALSE(v->citations.empty());
  // A companion alone names the framework, and its release.
  auto q = plan({{"requirements.txt", "torchvision==0.12.0\n"}}, driver("515.48.07"));
  EXPECT_EQ(q.framework, "pytorch");
  EXPECT_EQ(q.framework_version, "1.11.0");
  auto tf = plan({{"requirements.txt", "tensorflow\ntensorflow-addons==0.13.0\n"}}, driver("460.32.03"));
  EXPECT_EQ(tf.framework_version.rfind("2.5.", 0), 0u) << tf.framework_version;  // 0.13 works with TensorFlow 2.3 to 2.5
}

TEST(ResolveEvidence, AnExactPinKeepsItsReleaseWhenACompanionDisagrees) {
  auto p = plan({{"requirements.txt", "torch==1.11.0\ntorchvision==0.10.0\n"}}, driver("515.48.07"));
  EXPECT_EQ(p.framework_version, "1.11.0");
  EXPECT_TRUE(warned(p, "torchvision==0.10.0) works with torch ==1.9.*"));
}

TEST(ResolveEvidence, ACompanionPinThatFrameworkOptionRulesOutIsSaid) {
  // --framework overrides the pins, but pip would still be asked for torchvision==0.8.2, which needs torch 1.7.
  ResolveOptions o;
  o.framework = "torch==2.1.0";
  auto p = plan({{"requirements.txt", "torch==1.7.1\ntorchvision==0.8.2\n"}}, driver("535.104.05"), o);
  EXPECT_EQ(p.framework_version, "2.1.0");
  EXPECT_TRUE(warned(p, "requirements.txt:2 (torchvision==0.8.2) works with torch ==1.7.*")) << (p.warnings.empty() ? "" : p.warnings.front());
}

TEST(ResolveEvidence, ADockerfileThatIsNotBuiltIsEvidence) {
  // docker/Dockerfile's base names the release; the root has no Dockerfile, so the plan is inferred.
  auto p = plan({{"docker/Dockerfile", "FROM pytorch/pytorch:1.4-cuda10.1-cudnn7-devel\n"}, {"requirements.txt", "numpy\n"}},
                driver("440.64"));
  EXPECT_EQ(p.mode, "image");
  EXPECT_EQ(p.framework_version, "1.4.0");
  EXPECT_NE(decision(p, "framework")->reason.find("its Dockerfile"), std::string::npos);
  // Its pip lines too, over the README's.
  auto q = plan({{"docker/Dockerfile.gpu", "FROM nvidia/cuda:11.0-devel\nRUN pip install torch==1.7.1 torchvision==0.8.2\n"},
                 {"README.md", "pip install torch==1.4.0\n"}},
                driver("460.32.03"));
  EXPECT_EQ(q.framework_version, "1.7.1");
  EXPECT_NE(decision(q, "version")->reason.find("docker/Dockerfile.gpu:2"), std::string::npos);
}

TEST(ResolveEvidence, CodeImportingAPackageBuiltWithNvccGetsADevelImage) {
  // NVIDIA apex is installed from its repository with --cuda_ext; the install document says
  // `git clone .../apex` and `pip install ./`, so only the import names it.
  auto p = plan({{"requirements.txt", "torch==1.7.1\n"}, {"main.py", "import torch\ntry:\n    from apex import amp\nexcept ImportError:\n    amp = None\n"}},
                driver("470.82.01"));
  EXPECT_EQ(p.flavor, "devel");
  EXPECT_EQ(p.base_image, "pytorch/pytorch:1.7.1-cuda11.0-cudnn8-devel");
  auto* d = decision(p, "image");
  ASSERT_TRUE(d);
  EXPECT_NE(d->reason.find("main.py:3 imports apex"), std::string::npos) << d->reason;
  // An import of anything else leaves the runtime image.
  auto q = plan({{"requirements.txt", "torch==1.7.1\n"}, {"main.py", "import torch\nimport apexlib\n"}}, driver("470.82.01"));
  EXPECT_EQ(q.flavor, "runtime");
}

TEST(ResolveEvidence, JaxCodeOnAGpuHostGetsACudaImageAndTheCudaJaxlibIsNamed) {
  // JAX has no images in the catalog: like MXNet, a CUDA base with cuDNN and JAX from pip, never a
  // CPU image on a GPU host. PyPI's jaxlib is CPU-only, so the plan names the CUDA build to install.
  auto p = plan({{"requirements.txt", "jax==0.4.13\njaxlib==0.4.13\nflax==0.7.0\n"}, {"train.py", "import jax\nimport flax.linen as nn\n"}},
                driver("535.104.05"));
  EXPECT_EQ(p.framework, "jax");
  EXPECT_EQ(p.framework_version, "0.4.13");
  EXPECT_TRUE(p.gpu);
  EXPECT_NE(p.base_image.find("nvidia/cuda:"), std::string::npos) << p.base_image;
  EXPECT_NE(p.base_image.find("cudnn"), std::string::npos) << p.base_image;
  EXPECT_TRUE(contains(p.pip_packages, "jax==0.4.13"));
  EXPECT_TRUE(warned(p, "asks PyPI's jaxlib, which is CPU-only"));
  // A CUDA extra is the CUDA build: nothing to warn about.
  auto q = plan({{"requirements.txt", "jax[cuda12]==0.4.30\n"}, {"train.py", "import jax\n"}}, driver("535.104.05"));
  EXPECT_EQ(q.framework, "jax");
  EXPECT_FALSE(warned(q, "CPU-only"));
  // Imported only: still a GPU image, and the warning says nothing names it.
  auto r = plan({{"model.py", "import jax.numpy as jnp\n"}, {"train.py", "import jax\n"}}, driver("465.19.01"), {}, "2021-06-01");
  EXPECT_EQ(r.framework, "jax");
  EXPECT_NE(r.base_image.find("nvidia/cuda:"), std::string::npos) << r.base_image;
  EXPECT_TRUE(warned(r, "no requirement names it"));
}

TEST(ResolveEvidence, APackageItsInstallBuildsWithNvccGetsADevelImageWhereverItIsInstalled) {
  // The README's `pip install mmcv-full==1.2.7` (no wheel index: pip builds its CUDA ops).
  auto p = plan({{"requirements.txt", "torch==1.7.1\ntimm==0.3.2\n"}, {"README.md", "pip install mmcv-full==1.2.7\n"}},
                driver("470.82.01"), {}, "2021-06-01");
  EXPECT_EQ(p.flavor, "devel");
  EXPECT_NE(decision(p, "image")->reason.find("README.md:1 installs mmcv-full"), std::string::npos) << decision(p, "image")->reason;
  // A git requirement whose package compiles CUDA at install.
  auto q = plan({{"requirements.txt", "torch==2.2.1\ngit+https://github.com/tatsy/torchmcubes.git\n"}}, driver("550.54.14"), {}, "2024-03-01");
  EXPECT_EQ(q.flavor, "devel");
  // Under an "optional" heading of the README, it is an extra, not the install.
  auto r = plan({{"requirements.txt", "torch==1.7.1\n"}, {"README.md", "## Optional\n```\npip install mmcv-full==1.2.7\n```\n"}},
                driver("470.82.01"), {}, "2021-06-01");
  EXPECT_NE(r.flavor, "devel");
}

TEST(ResolveEvidence, AReleaseCandidatesImageAsksForItsReleases) {
  // FROM tensorflow/tensorflow:2.9.0rc1-gpu in a Dockerfile that is not built: the 2.9 releases.
  auto p = plan({{"embodied/Dockerfile", "FROM tensorflow/tensorflow:2.9.0rc1-gpu\n"}, {"requirements.txt", "tensorflow\n"},
                 {"train.py", "import tensorflow as tf\n"}},
                driver("525.60.13"), {}, "2022-12-21");
  EXPECT_EQ(p.framework, "tensorflow");
  EXPECT_EQ(p.framework_version.rfind("2.9.", 0), 0u) << p.framework_version;
  EXPECT_TRUE(warned(p, "embodied/Dockerfile:1 (FROM tensorflow/tensorflow:2.9.0rc1-gpu) asks TensorFlow 2.9.0rc1, which the catalog lacks"))
      << (p.warnings.empty() ? "" : p.warnings.front());
}

TEST(ResolveEvidence, PygExtensionsAreCompiledUnlessItsWheelIndexIsGiven) {
  // torch-scatter and its siblings are sdists on PyPI: pip compiles them with nvcc.
  std::map<std::string, std::string> files = {{"requirements.txt", "torch==1.0.1\ntorch-geometric==1.0.3\n"},
                                              {"model.py", "import torch\nfrom torch_scatter import scatter_add\n"}};
  auto p = plan(files, driver("440.82"), {}, "2020-05-31");
  EXPECT_EQ(p.flavor, "devel");
  EXPECT_NE(decision(p, "image")->reason.find("model.py:2 imports torch_scatter"), std::string::npos) << decision(p, "image")->reason;
  // From PyG's own wheel index they come built for the torch/CUDA pair.
  files["requirements.txt"] = "torch==1.8.0\ntorch-scatter\n-f https://data.pyg.org/whl/torch-1.8.0+cu111.html\n";
  auto q = plan(files, driver("460.32.03"), {}, "2021-05-01");
  EXPECT_NE(q.flavor, "devel");
}

TEST(ResolveEvidence, ADockerfileInsideAProjectFolderSpeaksForThatFolderNotTheCode) {
  // A monorepo: the paper's TF1 project, and a PyTorch port with its own Dockerfile.
  std::map<std::string, std::string> files = {
      {"port-pytorch/Dockerfile", "FROM nvcr.io/nvidia/pytorch:20.12-py3\n"}, {"port-pytorch/train.py", "import torch\n"},
      {"stylegan2/train.py", "import tensorflow as tf\nsess = tf.Session()\n"}, {"stylegan2/dnnlib/tflib.py", "import tensorflow as tf\n"},
      {"stylegan2/metrics.py", "import tensorflow as tf\n"}};
  auto p = plan(files, driver("460.73.01"), {}, "2021-04-12");
  EXPECT_EQ(p.framework, "tensorflow");
  // Under a folder named for Docker, it is the repository's recipe and names the framework.
  files["tools/docker/Dockerfile"] = files["port-pytorch/Dockerfile"];
  files.erase("port-pytorch/Dockerfile");
  auto q = plan(files, driver("460.73.01"), {}, "2021-04-12");
  EXPECT_EQ(q.framework, "pytorch");
}

TEST(ResolveEvidence, ProseThatDisagreesTakesTheFirstLineThatNamesARelease) {
  auto p = plan({{"README.md", "The code is tested under TF1.2 GPU version.\n"
                               "To compile the operators in TF version >=1.4, you need to modify the compile scripts.\n"},
                 {"train.py", "import tensorflow as tf\nsess = tf.Session()\n"}},
                driver("396.37"), {}, "2018-07-18");
  EXPECT_EQ(p.framework_version.rfind("1.2.", 0), 0u) << p.framework_version;
  EXPECT_TRUE(warned(p, "the first that names one is taken")) << (p.warnings.empty() ? "" : p.warnings.front());
}

TEST(ResolveEvidence, AnExtraThatPullsInACudaExtensionNeedsNvcc) {
  // traker[fast] brings fast_jl, an sdist built with nvcc; plain traker does not.
  auto p = plan({{"requirements.txt", "torch==2.1.2\ntraker[fast]==0.1.3\n"}}, driver("550.54.15"), {}, "2024-05-16");
  EXPECT_EQ(p.flavor, "devel");
  EXPECT_NE(decision(p, "image")->reason.find("installs traker"), std::string::npos) << decision(p, "image")->reason;
  auto q = plan({{"requirements.txt", "torch==2.1.2\ntraker==0.1.3\n"}}, driver("550.54.15"), {}, "2024-05-16");
  EXPECT_NE(q.flavor, "devel");
}
