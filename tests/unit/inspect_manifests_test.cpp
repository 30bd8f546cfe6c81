// environment.yml, pyproject.toml, setup.py/setup.cfg, Dockerfile, README and imports.
#include <gtest/gtest.h>

#include "inspect/parsers.h"

using namespace dlc::inspect;

namespace {

const Requirement* find(const RepoFacts& f, const std::string& name) {
  for (const auto& r : f.requirements) {
    if (r.name == name) return &r;
  }
  ADD_FAILURE() << "no requirement " << name;
  static const Requirement none;
  return &none;
}

const VersionHint* hint(const RepoFacts& f, const std::string& subject) {
  for (const auto& h : f.hints) {
    if (h.subject == subject) return &h;
  }
  return nullptr;
}

}  // namespace

TEST(EnvironmentYml, CondaPackagesCudaPythonAndThePipSection) {
  const char* text =
      "name: paper\n"
      "channels:\n"
      "  - pytorch\n"
      "  - conda-forge\n"
      "dependencies:\n"
      "  - python=3.8\n"
      "  - pytorch=1.7\n"
      "  - torchvision==0.8.1\n"
      "  - cudatoolkit=10.1\n"
      "  - cudnn\n"
      "  - numpy=1.19.2=py38h54aff64_0\n"
      "  - conda-forge::scikit-learn>=0.23\n"
      "  - pip\n"
      "  - pip:\n"
      "    - --extra-index-url https://download.pytorch.org/whl/cu101\n"
      "    - opencv-python==4.4.0.46\n"
      "    - -e .\n";
  RepoFacts f;
  parse_environment_yml(text, "environment.yml", f);
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  EXPECT_EQ(f.conda_channels, (std::vector<std::string>{"pytorch", "conda-forge"}));
  auto* py = hint(f, "python");
  ASSERT_TRUE(py);
  EXPECT_EQ(py->spec, "==3.8.*");
  EXPECT_EQ(py->source.str(), "environment.yml:6");
  auto* cuda = hint(f, "cuda");
  ASSERT_TRUE(cuda);
  EXPECT_EQ(cuda->spec, "==10.1.*");
  EXPECT_EQ(cuda->source.str(), "environment.yml:9");
  ASSERT_TRUE(hint(f, "cudnn"));
  EXPECT_EQ(hint(f, "cudnn")->spec, "");
  auto* torch = find(f, "torch");  // conda's pytorch is pip's torch
  EXPECT_EQ(torch->specifier, "==1.7.*");
  EXPECT_EQ(torch->origin, "conda");
  EXPECT_EQ(torch->source.str(), "environment.yml:7");
  EXPECT_EQ(find(f, "torchvision")->specifier, "==0.8.1");
  EXPECT_EQ(find(f, "numpy")->specifier, "==1.19.2.*");  // the build string is not part of the version
  EXPECT_EQ(find(f, "scikit-learn")->specifier, ">=0.23");
  auto* cv = find(f, "opencv-python");
  EXPECT_EQ(cv->origin, "pip");
  EXPECT_EQ(cv->source.str(), "environment.yml:16");
  ASSERT_EQ(f.pip_options.size(), 1u);
  EXPECT_EQ(f.pip_options[0].value, "https://download.pytorch.org/whl/cu101");
  EXPECT_TRUE(find(f, ".")->editable);
}

TEST(EnvironmentYml, SpacesAfterAnOperatorOrACommaArePartOfTheVersion) {
  // NVIDIA's environment files write "python >= 3.8"; conda reads it as ">=3.8".
  RepoFacts f;
  parse_environment_yml("dependencies:\n  - python >= 3.8\n  - pytorch >= 1.13\n  - numpy >=1.20, <2 py38_0\n  - scipy 1.7.1 py38_0\n",
                        "environment.yml", f);
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  ASSERT_TRUE(hint(f, "python"));
  EXPECT_EQ(hint(f, "python")->spec, ">=3.8");
  EXPECT_EQ(find(f, "torch")->specifier, ">=1.13");
  EXPECT_EQ(find(f, "numpy")->specifier, ">=1.20,<2");  // the build string after the version is not part of it
  EXPECT_EQ(find(f, "scipy")->specifier, "==1.7.1.*");
}

TEST(EnvironmentYml, BrokenYamlIsAWarningWithItsLine) {
  RepoFacts f;
  parse_environment_yml("name: x\ndependencies:\n  - python=3.8\n  - [unclosed\n", "environment.yml", f);
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_EQ(f.warnings[0].rfind("environment.yml:", 0), 0u);
  RepoFacts g;
  parse_environment_yml("dependencies: 3\n", "environment.yml", g);
  ASSERT_EQ(g.warnings.size(), 1u);
  EXPECT_NE(g.warnings[0].find("must be a list"), std::string::npos);
}

TEST(Pyproject, Pep621DependenciesGroupsAndRequiresPython) {
  const char* text =
      "[project]\n"
      "name = \"paper\"\n"
      "requires-python = \">= 3.8\"\n"
      "dependencies = [\n"
      "  \"torch>=1.12,<2\",\n"
      "  \"einops\",\n"
      "]\n"
      "[project.optional-dependencies]\n"
      "dev = [\"pytest>=7\"]\n"
      "[[tool.uv.index]]\n"
      "name = \"pytorch-cu121\"\n"
      "url = \"https://download.pytorch.org/whl/cu121\"\n";
  RepoFacts f;
  parse_pyproject(text, "pyproject.toml", f);
  derive_hints(f);
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  auto* torch = find(f, "torch");
  EXPECT_EQ(torch->specifier, ">=1.12,<2");
  EXPECT_EQ(torch->source.str(), "pyproject.toml:5");
  EXPECT_EQ(torch->group, "");
  EXPECT_EQ(find(f, "pytest")->group, "dev");
  auto* py = hint(f, "python");
  ASSERT_TRUE(py);
  EXPECT_EQ(py->spec, ">=3.8");
  EXPECT_EQ(py->source.str(), "pyproject.toml:3");
  auto* cuda = hint(f, "cuda");
  ASSERT_TRUE(cuda);
  EXPECT_EQ(cuda->spec, "==12.1.*");
}

TEST(Pyproject, PoetryTablesGroupsAndSources) {
  const char* text =
      "[tool.poetry]\n"
      "name = \"paper\"\n"
      "[tool.poetry.dependencies]\n"
      "python = \"^3.8\"\n"
      "torch = { version = \"^1.11\", source = \"torch\" }\n"
      "numpy = \"~1.21\"\n"
      "detectron2 = { git = \"https://github.com/facebookresearch/detectron2.git\" }\n"
      "[tool.poetry.group.dev.dependencies]\n"
      "black = \"*\"\n"
      "[[tool.poetry.source]]\n"
      "name = \"torch\"\n"
      "url = \"https://download.pytorch.org/whl/cu113\"\n";
  RepoFacts f;
  parse_pyproject(text, "pyproject.toml", f);
  derive_hints(f);
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  auto* torch = find(f, "torch");
  EXPECT_EQ(torch->specifier, ">=1.11,<2");
  EXPECT_EQ(torch->origin, "poetry");
  EXPECT_EQ(torch->source.str(), "pyproject.toml:5");
  EXPECT_EQ(find(f, "numpy")->specifier, ">=1.21,<1.22");
  EXPECT_EQ(find(f, "detectron2")->url, "git+https://github.com/facebookresearch/detectron2.git");
  EXPECT_EQ(find(f, "black")->group, "dev");
  ASSERT_TRUE(hint(f, "python"));
  EXPECT_EQ(hint(f, "python")->spec, ">=3.8,<4");
  ASSERT_TRUE(hint(f, "cuda"));
  EXPECT_EQ(hint(f, "cuda")->spec, "==11.3.*");
}

TEST(Pyproject, BrokenTomlIsAWarningWithItsLine) {
  RepoFacts f;
  parse_pyproject("[project]\ndependencies = [\"torch\"\nname = 1\n", "pyproject.toml", f);
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_EQ(f.warnings[0].rfind("pyproject.toml:", 0), 0u);
}

TEST(SetupPy, InstallRequiresAndCudaExtensionsReadAsText) {
  const char* text =
      "import os\n"
      "from setuptools import setup, find_packages\n"
      "from torch.utils.cpp_extension import BuildExtension, CUDAExtension\n"
      "\n"
      "setup(\n"
      "    name='deform_conv',\n"
      "    python_requires='>=3.6',\n"
      "    install_requires=[\n"
      "        'torch>=1.4',  # CUDA ops need it\n"
      "        \"numpy\",\n"
      "    ],\n"
      "    ext_modules=[CUDAExtension('deform_conv_cuda', ['src/deform_conv_cuda.cpp', 'src/deform_conv_cuda_kernel.cu'])],\n"
      "    cmdclass={'build_ext': BuildExtension})\n";
  RepoFacts f;
  parse_setup_py(text, "setup.py", f, true);
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  auto* torch = find(f, "torch");
  EXPECT_EQ(torch->specifier, ">=1.4");
  EXPECT_EQ(torch->source.str(), "setup.py:9");
  EXPECT_EQ(torch->origin, "setup.py");
  EXPECT_TRUE(find(f, "numpy"));
  ASSERT_TRUE(hint(f, "python"));
  EXPECT_EQ(hint(f, "python")->spec, ">=3.6");
  ASSERT_FALSE(f.cuda_code.empty());
  EXPECT_EQ(f.cuda_code[0].kind, "cuda-extension");
  EXPECT_EQ(f.cuda_code[0].source.str(), "setup.py:3");
}

TEST(SetupPy, ComputedInstallRequiresIsNamedNotGuessed) {
  RepoFacts f;
  parse_setup_py("reqs = open('requirements.txt').read().splitlines()\nsetup(install_requires=reqs)\n", "setup.py", f, true);
  EXPECT_TRUE(f.requirements.empty());
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_NE(f.warnings[0].find("setup.py:2: install_requires is computed"), std::string::npos) << f.warnings[0];
  // A nested setup.py counts for its CUDA code, not for what the repository installs.
  RepoFacts g;
  parse_setup_py("setup(install_requires=['x'], ext_modules=[CUDAExtension('a', ['a.cu'])])\n", "ops/setup.py", g, false);
  EXPECT_TRUE(g.requirements.empty());
  ASSERT_EQ(g.cuda_code.size(), 1u);
  EXPECT_EQ(g.cuda_code[0].source.str(), "ops/setup.py:1");
  // Commented out, it is not used.
  RepoFacts h;
  parse_setup_py("# ext_modules=[CUDAExtension('a', ['a.cu'])]\nsetup()\n", "setup.py", h, false);
  EXPECT_TRUE(h.cuda_code.empty());
}

TEST(SetupCfg, OptionsInstallRequires) {
  RepoFacts f;
  parse_setup_cfg("[metadata]\nname = x\n[options]\npython_requires = >=3.7\ninstall_requires =\n    torch>=1.8\n    tqdm\n[options.extras_require]\ndev = pytest\n",
                  "setup.cfg", f);
  ASSERT_EQ(f.requirements.size(), 2u);
  EXPECT_EQ(f.requirements[0].source.str(), "setup.cfg:6");
  EXPECT_EQ(f.requirements[1].name, "tqdm");
  ASSERT_TRUE(hint(f, "python"));
  EXPECT_EQ(hint(f, "python")->spec, ">=3.7");
}

TEST(Dockerfile, FromLinesWithArgsAndStages) {
  const char* text =
      "# syntax=docker/dockerfile:1\n"
      "ARG CUDA=11.3.1\n"
      "ARG BASE=nvidia/cuda:${CUDA}-cudnn8-devel-ubuntu20.04\n"
      "FROM --platform=linux/amd64 ${BASE} AS build\n"
      "RUN make \\\n"
      "  all\n"
      "FROM pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime\n"
      "COPY --from=build /out /out\n";
  RepoFacts f;
  parse_dockerfile(text, "Dockerfile", f);
  ASSERT_EQ(f.dockerfiles.size(), 2u);
  EXPECT_EQ(f.dockerfiles[0].image, "nvidia/cuda:11.3.1-cudnn8-devel-ubuntu20.04");
  EXPECT_EQ(f.dockerfiles[0].stage, "build");
  EXPECT_FALSE(f.dockerfiles[0].final_stage);
  EXPECT_EQ(f.dockerfiles[1].image, "pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime");
  EXPECT_TRUE(f.dockerfiles[1].final_stage);
  EXPECT_EQ(f.dockerfiles[1].source.str(), "Dockerfile:7");
}

TEST(Readme, ProseAndInstallCommandsAreWeakHints) {
  const char* text =
      "# Paper\n"
      "Tested with PyTorch 1.4 and CUDA 10.1 on Ubuntu 18.04.\n"
      "Requires Python 3.6+.\n"
      "```\n"
      "conda install pytorch==1.4.0 torchvision==0.5.0 cudatoolkit=10.1 -c pytorch\n"
      "pip install -r requirements.txt && pip install opencv-python==4.2.0.32\n"
      "CUDA_VISIBLE_DEVICES=0 python train.py --epochs 10\n"
      "```\n";
  RepoFacts f;
  parse_readme(text, "README.md", f);
  auto has = [&](const std::string& subject, const std::string& spec, int line) {
    for (const auto& h : f.hints) {
      if (h.subject == subject && h.spec == spec && h.source.line == line && h.weak) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("torch", "==1.4.*", 2));
  EXPECT_TRUE(has("cuda", "==10.1.*", 2));
  EXPECT_TRUE(has("python", ">=3.6", 3));
  EXPECT_TRUE(has("cuda", "==10.1.*", 5));  // cudatoolkit=10.1 in the conda command
  auto* torch = find(f, "torch");
  EXPECT_TRUE(torch->weak);
  EXPECT_EQ(torch->specifier, "==1.4.0");
  EXPECT_EQ(torch->source.str(), "README.md:5");
  auto* cv = find(f, "opencv-python");
  EXPECT_TRUE(cv->weak);
  EXPECT_EQ(cv->source.str(), "README.md:6");
  for (const auto& h : f.hints) EXPECT_NE(h.source.line, 7) << "CUDA_VISIBLE_DEVICES is not a CUDA version";
}

TEST(Imports, ModulesThatNeedSystemLibraries) {
  RepoFacts f;
  scan_imports("import os\nimport numpy as np, cv2\nfrom soundfile import read\nx = 'import librosa'\n", "train.py", f);
  ASSERT_EQ(f.system_needs.size(), 2u);
  EXPECT_EQ(f.system_needs[0].module, "cv2");
  EXPECT_EQ(f.system_needs[0].packages, (std::vector<std::string>{"libgl1", "libglib2.0-0"}));
  EXPECT_EQ(f.system_needs[0].source.str(), "train.py:2");
  EXPECT_EQ(f.system_needs[1].module, "soundfile");
  EXPECT_EQ(f.system_needs[1].source.str(), "train.py:3");
  // Notebooks hold code as JSON strings; the first import of a module is the one recorded.
  scan_imports("{\"cells\": [{\"source\": [\"import cv2\\n\", \"import pydub\\n\"]}]}", "demo.ipynb", f);
  ASSERT_EQ(f.system_needs.size(), 3u);
  EXPECT_EQ(f.system_needs[2].module, "pydub");
}

TEST(Imports, JitCompiledCudaNeedsNvcc) {
  RepoFacts f;
  scan_imports("from torch.utils.cpp_extension import load\nops = load('ops', ['ops.cu'])\n", "ops.py", f);
  ASSERT_EQ(f.cuda_code.size(), 1u);
  EXPECT_EQ(f.cuda_code[0].kind, "jit-load");
  EXPECT_EQ(f.cuda_code[0].source.str(), "ops.py:1");

  // The same compile called through the module, as a plain import leaves it.
  RepoFacts g;
  scan_imports("import os\nimport torch.utils.cpp_extension\n\nplugin = torch.utils.cpp_extension.load(name='p', sources=s)\n",
               "torch/ops.py", g);
  ASSERT_EQ(g.cuda_code.size(), 1u);
  EXPECT_EQ(g.cuda_code[0].kind, "jit-load");
  EXPECT_EQ(g.cuda_code[0].source.str(), "torch/ops.py:4");
  RepoFacts h;
  scan_imports("from torch.utils import cpp_extension\nm = cpp_extension.load_inline('m', cpp_sources=[src])\n", "m.py", h);
  ASSERT_EQ(h.cuda_code.size(), 1u);
  // Only building C++ extensions ahead (setup.py's BuildExtension) is not a compile at run time.
  RepoFacts none;
  scan_imports("from torch.utils.cpp_extension import BuildExtension\n", "setup.py", none);
  EXPECT_TRUE(none.cuda_code.empty());
}

// The README's hints as "file:line subject spec", in the order read.
static std::vector<std::string> readme_hints(std::string_view text) {
  RepoFacts f;
  parse_readme(text, "README.md", f);
  std::vector<std::string> hints;
  for (const auto& h : f.hints) hints.push_back(h.source.str() + " " + h.subject + " " + h.spec);
  return hints;
}

TEST(Readme, TensorflowsOwnReleaseNamesAreVersions) {
  RepoFacts f;
  parse_readme("The code is tested using Tensorflow r1.7 under Ubuntu 14.04.\n", "README.md", f);
  ASSERT_EQ(f.hints.size(), 1u);
  EXPECT_EQ(f.hints[0].subject, "tensorflow");
  EXPECT_EQ(f.hints[0].spec, "==1.7.*");
}

// A release name alone belongs to TensorFlow only in the clause right after one that named it without a
// version; other bare "r1.0"s (branches, ranges) say nothing.
TEST(Readme, AReleaseNameRightAfterTensorflowIsNamedIsItsVersion) {
  EXPECT_EQ(readme_hints("  - A basic Tensorflow installation. The code follows **r1.2** format. If you are using r1.0, "
                         "please check out the r1.0 branch (r0.1-r0.12).\n"),
            std::vector<std::string>{"README.md:1 tensorflow ==1.2.*"});
  EXPECT_TRUE(readme_hints("Install Tensorflow. Then check out the r1.0 branch.\n").empty());
  EXPECT_TRUE(readme_hints("See the r1.2 branch for PyTorch.\n").empty());
  EXPECT_TRUE(readme_hints("Tensorflow is needed.\nThe code follows r1.2 format.\n").empty());  // another line
  EXPECT_TRUE(readme_hints("Tensorflow 1.4 works. The r1.2 format is not supported.\n").size() == 1);
}

TEST(Readme, MarkdownLinksNegationsAndNightliesAreReadAsMeant) {
  EXPECT_EQ(readme_hints("* [TensorFlow](https://www.tensorflow.org/) 1.15 (although we hope to support 2.0 later)\n"
                         "PyTorch 1.0 from a nightly release. It will not work with 1.0 nor 1.0.1.\n"
                         "TensorFlow 1.14 or 1.15 with GPU support. The code does not support TensorFlow 2.0.\n"),
            (std::vector<std::string>{"README.md:1 tensorflow ==1.15.*", "README.md:3 tensorflow ==1.14.*"}));
}

TEST(Readme, ANegationOrAHopeInAnAsideLeavesTheReleaseBeforeIt) {
  EXPECT_EQ(readme_hints("* Pytorch 0.4.0 (**now it does not support 0.4.1 or higher**)\n"
                         "* TensorFlow 1.15 (although we hope to support TensorFlow 2.0 at a future date)\n"
                         "* TensorFlow 1.4 (see [the guide](https://example.org/) for TensorFlow 2.1); not PyTorch 1.2\n"),
            (std::vector<std::string>{"README.md:1 torch ==0.4.0.*", "README.md:2 tensorflow ==1.15.*", "README.md:3 tensorflow ==1.4.*",
                                      "README.md:3 tensorflow ==2.1.*"}));
}

TEST(Readme, AVersionInParenthesesBelongsToTheNameBeforeIt) {
  EXPECT_EQ(readme_hints("- PyTorch (>= 1.7)\n- TensorFlow (1.14 or later)\n- CUDA (10.1 is not supported)\n"),
            (std::vector<std::string>{"README.md:1 torch >=1.7", "README.md:2 tensorflow >=1.14"}));
}

TEST(Readme, ACudaBuildTagGluedToTheWordIsItsVersion) {
  // JAX's wheel names: "cuda101" is CUDA 10.1, not 101; "cuda10 image" is CUDA 10.
  RepoFacts f;
  parse_readme("# Remember to change cuda101 to your CUDA version, e.g. cuda110 for CUDA 11.0.\nFor driver >= 410.48, the cuda10 image.\n", "README.md", f);
  std::vector<std::string> specs;
  for (const auto& h : f.hints) {
    if (h.subject == "cuda") specs.push_back(h.spec + "@" + std::to_string(h.source.line));
  }
  EXPECT_EQ(specs, (std::vector<std::string>{"==10.1.*@1", "==11.0.*@1", "==10.*@2"}));
}

TEST(Requirements, AWheelUrlNamesItsProjectAndVersion) {
  RepoFacts f;
  parse_readme("pip install https://h.example/mxnet_cu101-1.6.0b20191214-py2.py3-none-manylinux1_x86_64.whl --user\n", "README.md", f);
  auto* mx = find(f, "mxnet-cu101");
  EXPECT_EQ(mx->specifier, "==1.6.0b20191214");
  EXPECT_TRUE(mx->weak);
  // jaxlib's local label names its CUDA as "cuda101".
  RepoFacts g;
  parse_readme("pip install --upgrade jax jaxlib==0.1.65+cuda101 -f https://storage.googleapis.com/jax-releases/jax_releases.html\n", "README.md", g);
  derive_hints(g);
  auto* h = hint(g, "cuda");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->spec, "==10.1.*");
}

TEST(Dockerfile, ACudaVersionFromAnUndefinedArgumentIsNoCudaHint) {
  // ARG CUDA is defined, CUDA_VERSION is not: the conda line says nothing of the CUDA version.
  RepoFacts f;
  parse_dockerfile("ARG CUDA=11.0\nFROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu18.04\n"
                   "RUN conda install -y -c conda-forge openmm=7.5.1 cudatoolkit==${CUDA_VERSION} python=3.7\n",
                   "docker/Dockerfile", f);
  EXPECT_EQ(hint(f, "cuda"), nullptr);
  bool warned = false;
  for (const auto& w : f.warnings) warned |= w.find("cannot read the version of \"cudatoolkit==${CUDA_VERSION}\"") != std::string::npos;
  EXPECT_TRUE(warned);
  ASSERT_NE(hint(f, "python"), nullptr);
  EXPECT_EQ(hint(f, "python")->spec, "==3.7.*");
}

// "Install PyTorch ... The code has been tested with `1.9.1` to `1.12.0`": the version of the framework
// named just before, and a range as a range; "TF1.2" glued; "PyTorch 1.1~1.10".
TEST(Readme, TestedVersionsAfterTheFrameworkIsNamedAndRangesAndGluedNames) {
  EXPECT_EQ(readme_hints("You should first install PyTorch by following the [official instructions](https://pytorch.org/). "
                         "The code has been tested with `1.9.1` to `1.12.0` on Ubuntu 20.04.\n"),
            std::vector<std::string>{"README.md:1 torch >=1.9.1,<1.13"});
  EXPECT_EQ(readme_hints("The code is tested under TF1.2 GPU version.\n"), std::vector<std::string>{"README.md:1 tensorflow ==1.2.*"});
  EXPECT_EQ(readme_hints("* PyTorch 1.1~1.10 (spconv 1.0~2.x)\n"), std::vector<std::string>{"README.md:1 torch >=1.1,<1.11"});
  EXPECT_EQ(readme_hints("Python 3.6 - 3.8 is supported.\n"), std::vector<std::string>{"README.md:1 python >=3.6,<3.9"});
  // Not a range, and not TensorFlow: a CUDA tag after a version, tf.Session in prose.
  EXPECT_EQ(readme_hints("Use CUDA 10.1-cudnn7 images.\n"), (std::vector<std::string>{"README.md:1 cudnn ==7.*", "README.md:1 cuda ==10.1.*"}));
  EXPECT_TRUE(readme_hints("Call tf.Session 2 times.\n").empty());
  EXPECT_EQ(readme_hints("Built on PyTorch 1.0 - 2019 edition.\n"), std::vector<std::string>{"README.md:1 torch ==1.0.*"});
  // A clause of its own names nothing carried: "tested with" only right after the name.
  EXPECT_TRUE(readme_hints("Install PyTorch.\nIt was tested with 1.4.\n").empty());
}

// "- `tensorflow-gpu==1.6.0`" in a README's list of the packages it was tested with: a pin, as weak as an
// install command; a list item that is not one exact pin is prose.
TEST(Readme, AListedPinIsAnInstall) {
  RepoFacts f;
  parse_readme("The script has been tested running under Python 3.5.2, with the following packages installed:\n\n"
               "- `numpy==1.14.1`\n- `tensorflow-gpu==1.6.0`\n- scipy\n- `torch>=1.4`\n* see `x==1` for details\n",
               "README.md", f);
  std::vector<std::string> pins;
  for (const auto& r : f.requirements) pins.push_back(r.name + r.specifier + (r.weak ? " weak " : " ") + r.group);
  EXPECT_EQ(pins, (std::vector<std::string>{"numpy==1.14.1 weak readme", "tensorflow-gpu==1.6.0 weak readme"}));
}
