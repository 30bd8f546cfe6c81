// inspect/: what code says of its framework (imports, PyTorch's C++ headers, APIs a release removed)
// and what Dockerfiles anywhere in the repository say (FROM, RUN pip install), as facts with file:line.
#include <gtest/gtest.h>

#include <filesystem>

#include "inspect/inspect.h"
#include "plan_fixtures.h"

using namespace dlc;
using dlc::testing::facts_of;
using dlc::testing::TempRepo;

namespace {

const inspect::CodeFact* code(const inspect::RepoFacts& f, const std::string& kind, const std::string& subject) {
  for (const auto& c : f.code) {
    if (c.kind == kind && c.subject == subject) return &c;
  }
  return nullptr;
}

const inspect::Requirement* requirement(const inspect::RepoFacts& f, const std::string& name) {
  for (const auto& r : f.requirements) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

}  // namespace

TEST(InspectCode, FrameworkImportsAreFactsWithTheirFirstFileAndHowManyFiles) {
  auto f = facts_of({{"tools/train.py", "import os\nimport paddle\nfrom paddle import nn\n"},
                     {"tools/eval.py", "import paddle.fluid as fluid\n"},
                     {"models/net.py", "from tensorflow import keras\nimport keras\n"},
                     {"notebooks/demo.ipynb", "{\"cells\": [{\"source\": [\"import mxnet as mx\\n\"]}]}\n"}});
  auto* paddle = code(f, "import", "paddle");
  ASSERT_TRUE(paddle);
  EXPECT_EQ(paddle->source.str(), "tools/eval.py:1");  // the first by path
  EXPECT_EQ(paddle->files, 2);
  ASSERT_TRUE(code(f, "import", "tensorflow"));
  EXPECT_EQ(code(f, "import", "tensorflow")->source.str(), "models/net.py:1");
  EXPECT_TRUE(code(f, "import", "keras"));
  EXPECT_TRUE(code(f, "import", "mxnet"));
  EXPECT_FALSE(code(f, "import", "os"));  // only frameworks are facts
}

TEST(InspectCode, PytorchExtensionHeadersAndSetupPyImportsMeanPytorch) {
  auto f = facts_of({{"setup.py", "from setuptools import setup\nfrom torch.utils.cpp_extension import CUDAExtension\n"},
                     {"csrc/op.cu", "#include <ATen/ATen.h>\n#include <THC/THC.h>\n__global__ void k() {}\n"},
                     {"csrc/bind.cpp", "#include <torch/extension.h>\n"}});
  auto* torch = code(f, "import", "torch");
  ASSERT_TRUE(torch);
  EXPECT_EQ(torch->files, 3);
  EXPECT_EQ(torch->source.str(), "csrc/bind.cpp:1");
  auto* thc = code(f, "api", "THC");
  ASSERT_TRUE(thc);
  EXPECT_EQ(thc->source.str(), "csrc/op.cu:2");
}

TEST(InspectCode, AtCheckIsAFactButAMacroThatEndsInItIsNot) {
  auto f = facts_of({{"csrc/a.cu", "#include <torch/extension.h>\nvoid f() {\n  MY_AT_CHECK(x);\n  AT_CHECK(x.is_cuda(), \"x\");\n}\n"},
                     {"csrc/b.cpp", "#define TORCH_AT_CHECK(c) TORCH_CHECK(c)\nTORCH_AT_CHECK(y);\n"}});
  auto* at = code(f, "api", "AT_CHECK");
  ASSERT_TRUE(at);
  EXPECT_EQ(at->source.str(), "csrc/a.cu:4");
  EXPECT_EQ(at->files, 1);
}

TEST(InspectCode, TensorflowOneApisAreFactsUnlessTheFileUsesCompatV1) {
  auto f = facts_of({{"train.py", "import tensorflow as tf\nflags = tf.app.flags\nx = tf.placeholder(tf.float32)\nwith tf.Session() as s:\n  pass\n"},
                     {"model.py", "import tensorflow.contrib.slim as slim\n"},
                     {"v2/port.py", "import tensorflow.compat.v1 as tf\nsess = tf.Session()\n"}});
  ASSERT_TRUE(code(f, "api", "tf.Session"));
  EXPECT_EQ(code(f, "api", "tf.Session")->source.str(), "train.py:4");
  EXPECT_EQ(code(f, "api", "tf.Session")->files, 1);  // v2/port.py runs on TensorFlow 2 through tf.compat.v1
  EXPECT_EQ(code(f, "api", "tf.placeholder")->source.str(), "train.py:3");
  EXPECT_EQ(code(f, "api", "tf.app.flags")->source.str(), "train.py:2");
  EXPECT_EQ(code(f, "api", "tf.contrib")->source.str(), "model.py:1");
}

TEST(InspectCode, PytorchZeroThreeIdiomsAreFacts) {
  auto f = facts_of({{"train.py", "import torch\nfrom torch.autograd import Variable\nx = Variable(t, volatile=True)\n"
                                  "losses.update(loss.data[0], n)\nfirst = batch.data[0]\n"},
                     {"ext/build.py", "from torch.utils.ffi import create_extension\n"},
                     {"utils.py", "from torch._six import string_classes\n"}});
  EXPECT_EQ(code(f, "api", "volatile=True")->source.str(), "train.py:3");
  EXPECT_EQ(code(f, "api", "loss.data[0]")->source.str(), "train.py:4");  // a loss, not any tensor's first row
  EXPECT_EQ(code(f, "api", "torch.utils.ffi")->source.str(), "ext/build.py:1");
  EXPECT_EQ(code(f, "api", "torch._six")->source.str(), "utils.py:1");
}

TEST(InspectCode, CodeFactsComeBackFromTheImportCacheUnchanged) {
  TempRepo repo;
  repo.write("train.py", "import torch\nx = Variable(t, volatile=True)\n");
  repo.write("k.cu", "#include <torch/extension.h>\n");
  auto cache = repo.path() / ".cache-dir";
  inspect::InspectOptions options;
  options.cache_dir = cache;
  auto first = inspect::inspect_repository(repo.path(), options);
  auto second = inspect::inspect_repository(repo.path(), options);
  EXPECT_EQ(nlohmann::json(first.code), nlohmann::json(second.code));
  ASSERT_TRUE(code(second, "import", "torch"));
  EXPECT_EQ(code(second, "import", "torch")->files, 2);
  EXPECT_TRUE(code(second, "api", "volatile=True"));
}

TEST(InspectCode, DockerfilesAnywhereGiveTheirBaseAndTheirPipInstalls) {
  auto f = facts_of({{"docker/gpu/Dockerfile.train",
                      "ARG TORCH=1.7.1\nFROM pytorch/pytorch:1.7.1-cuda11.0-cudnn8-devel\nARG VISION=0.8.2\n"
                      "RUN pip install torch==${TORCH} torchvision==${VISION} \\\n    -f https://download.pytorch.org/whl/cu110/torch_stable.html\n"
                      "RUN pip install mystery==${UNSET}\n"},
                     {"Dockerfile.gpu", "FROM tensorflow/tensorflow:1.15.2-gpu-py3\n"}});
  ASSERT_EQ(f.dockerfiles.size(), 2u);
  EXPECT_EQ(f.dockerfiles[0].image, "tensorflow/tensorflow:1.15.2-gpu-py3");
  EXPECT_EQ(f.dockerfiles[1].image, "pytorch/pytorch:1.7.1-cuda11.0-cudnn8-devel");
  auto* torch = requirement(f, "torch");
  ASSERT_TRUE(torch);
  EXPECT_EQ(torch->specifier, "==1.7.1");
  EXPECT_EQ(torch->group, "dockerfile");
  EXPECT_EQ(torch->source.str(), "docker/gpu/Dockerfile.train:4");
  EXPECT_EQ(requirement(f, "torchvision")->specifier, "==0.8.2");
  EXPECT_FALSE(requirement(f, "mystery"));  // a build argument without a value says nothing
  bool url = false;
  for (const auto& o : f.pip_options) url |= o.option == "dockerfile-url";
  EXPECT_TRUE(url);
}

TEST(InspectCode, MxnetWheelsNameTheirCuda) {
  auto f = facts_of({{"requirements.txt", "mxnet-cu101==1.6.0\n"}});
  bool cuda = false;
  for (const auto& h : f.hints) cuda |= h.subject == "cuda" && h.spec == "==10.1.*";
  EXPECT_TRUE(cuda);
}

TEST(InspectCode, PythonTwoStatementsAreFacts) {
  auto f = facts_of({{"train.py", "import os\nfor i in xrange(10):\n    print \"step\", i\n"},
                     {"py3.py", "print(\"fine\")\nprint (x)\nprint = log\nfor i in range(3): pass\n"}});
  ASSERT_TRUE(code(f, "api", "xrange"));
  EXPECT_EQ(code(f, "api", "xrange")->source.str(), "train.py:2");
  ASSERT_TRUE(code(f, "api", "print-statement"));
  EXPECT_EQ(code(f, "api", "print-statement")->source.str(), "train.py:3");
  EXPECT_EQ(code(f, "api", "print-statement")->files, 1);  // py3.py's prints are Python 3
}
