// requirements*.txt and PEP 508 strings, in the shapes paper repositories write them.
#include <gtest/gtest.h>

#include <map>

#include "inspect/parsers.h"

using namespace dlc::inspect;

namespace {

// The requirement of that name; a blank one (and a test failure) when there is none, so that a
// missing requirement fails its test instead of crashing the suite.
const Requirement* find(const RepoFacts& f, const std::string& name) {
  for (const auto& r : f.requirements) {
    if (r.name == name) return &r;
  }
  ADD_FAILURE() << "no requirement " << name;
  static const Requirement none;
  return &none;
}

bool has_hint(const RepoFacts& f, const std::string& subject, const std::string& spec, const std::string& at) {
  for (const auto& h : f.hints) {
    if (h.subject == subject && h.spec == spec && h.source.str() == at) return true;
  }
  return false;
}

FileReader reader_of(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string& rel) -> std::optional<std::string> {
    auto it = files.find(rel);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST(Requirements, ReadsEveryConstructOfARealFile) {
  const char* text =
      "# Training requirements\n"
      "-r requirements/base.txt\n"
      "--extra-index-url https://download.pytorch.org/whl/cu113\n"
      "-f https://download.pytorch.org/whl/torch_stable.html\n"
      "torch==1.11.0+cu113\n"
      "torchvision>=0.12,<0.13 ; python_version >= \"3.7\"\n"
      "opencv-python~=4.5.5\n"
      "numpy!=1.19.0\n"
      "scipy<2  # pinned below 2 for the old API\n"
      "tensorflow-gpu==1.14\n"
      "paddlepaddle-gpu==2.4.2.post117\n"
      "mmcv-full @ git+https://github.com/open-mmlab/mmcv.git@v1.7.0\n"
      "git+https://github.com/facebookresearch/detectron2.git#egg=detectron2\n"
      "-e .\n"
      "timm[extra1, Extra_Two] >= 0.4 \\\n"
      "    --hash=sha256:0123456789abcdef\n"
      "pycocotools ; sys_platform != 'win32'\n";
  RepoFacts f;
  parse_requirements(text, "requirements.txt", reader_of({{"requirements/base.txt", "PyYAML>=5.1\n"}}), f);
  derive_hints(f);
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();

  auto* yaml = find(f, "pyyaml");
  EXPECT_EQ(yaml->source.str(), "requirements/base.txt:1");
  EXPECT_EQ(yaml->specifier, ">=5.1");

  auto* torch = find(f, "torch");
  EXPECT_EQ(torch->specifier, "==1.11.0+cu113");
  EXPECT_EQ(torch->source.str(), "requirements.txt:5");
  EXPECT_EQ(torch->origin, "pip");

  auto* tv = find(f, "torchvision");
  EXPECT_EQ(tv->specifier, ">=0.12,<0.13");
  EXPECT_EQ(tv->marker, "python_version >= \"3.7\"");

  EXPECT_EQ(find(f, "opencv-python")->specifier, "~=4.5.5");
  EXPECT_EQ(find(f, "numpy")->specifier, "!=1.19.0");
  EXPECT_EQ(find(f, "scipy")->specifier, "<2");
  EXPECT_EQ(find(f, "tensorflow-gpu")->specifier, "==1.14");
  EXPECT_EQ(find(f, "paddlepaddle-gpu")->specifier, "==2.4.2.post117");
  EXPECT_EQ(find(f, "mmcv-full")->url, "git+https://github.com/open-mmlab/mmcv.git@v1.7.0");
  EXPECT_EQ(find(f, "detectron2")->url, "git+https://github.com/facebookresearch/detectron2.git#egg=detectron2");
  EXPECT_TRUE(find(f, ".")->editable);

  auto* timm = find(f, "timm");
  EXPECT_EQ(timm->specifier, ">=0.4");
  EXPECT_EQ(timm->extras, (std::vector<std::string>{"extra1", "extra-two"}));
  EXPECT_EQ(timm->source.str(), "requirements.txt:15");  // the continued line is reported where it starts
  EXPECT_EQ(timm->raw.find("--hash"), std::string::npos);
  EXPECT_EQ(find(f, "pycocotools")->source.str(), "requirements.txt:17");

  ASSERT_EQ(f.pip_options.size(), 2u);
  EXPECT_EQ(f.pip_options[0].option, "--extra-index-url");
  EXPECT_EQ(f.pip_options[0].value, "https://download.pytorch.org/whl/cu113");
  EXPECT_EQ(f.pip_options[1].option, "--find-links");

  // What follows from them: CUDA 11.3 (index URL, local version), 11.7 (post117), a GPU build.
  EXPECT_TRUE(has_hint(f, "cuda", "==11.3.*", "requirements.txt:3"));
  EXPECT_TRUE(has_hint(f, "cuda", "==11.3.*", "requirements.txt:5"));
  EXPECT_TRUE(has_hint(f, "cuda", "==11.7.*", "requirements.txt:11"));
  EXPECT_TRUE(has_hint(f, "gpu", "", "requirements.txt:10"));
  EXPECT_EQ(f.manifests, (std::vector<std::string>{"requirements.txt", "requirements/base.txt"}));
}

TEST(Requirements, IncludeCyclesAreCutAndMissingFilesWarned) {
  RepoFacts f;
  parse_requirements("-r b.txt\nnumpy\n-r missing.txt\n", "a.txt",
                     reader_of({{"b.txt", "-r a.txt\nscipy\n"}, {"a.txt", "-r b.txt\nnumpy\n"}}), f);
  EXPECT_TRUE(find(f, "scipy"));
  EXPECT_TRUE(find(f, "numpy"));
  ASSERT_EQ(f.warnings.size(), 2u);
  EXPECT_NE(f.warnings[0].find("b.txt:1: a.txt includes itself"), std::string::npos) << f.warnings[0];
  EXPECT_NE(f.warnings[1].find("a.txt:3: missing.txt cannot be read"), std::string::npos) << f.warnings[1];
}

// Found by requirements_fuzz (10 minutes): a file with several includes whose paths grow with each
// level (a folder that links to itself in a cloned repository reads the same way) made b^10 parses
// under the depth limit. The files one manifest pulls in are bounded; the rest are warned of.
TEST(Requirements, IncludesThatMultiplyAreBoundedAndSaid) {
  RepoFacts f;
  std::string text = "numpy\n";
  for (int i = 0; i < 8; ++i) text += "-r d" + std::to_string(i) + "/requirements.txt\n";
  int reads = 0;
  parse_requirements(text, "requirements.txt", [&](const std::string&) { ++reads; return std::optional<std::string>(text); }, f);
  EXPECT_LE(reads, 64);
  EXPECT_TRUE(find(f, "numpy"));
  ASSERT_FALSE(f.warnings.empty());
  EXPECT_NE(f.warnings.back().find("more than 64 files"), std::string::npos) << f.warnings.back();
}

TEST(Requirements, IncludesResolveRelativeToTheIncludingFile) {
  RepoFacts f;
  parse_requirements("-r ../common.txt\n", "requirements/train.txt", reader_of({{"common.txt", "einops\n"}}), f, "train");
  auto* e = find(f, "einops");
  EXPECT_EQ(e->group, "train");
  EXPECT_EQ(e->source.str(), "common.txt:1");
}

TEST(Requirements, ConstraintFilesAreAGroupOfTheirOwn) {
  RepoFacts f;
  parse_requirements("-c constraints.txt\ntorch\n", "requirements.txt", reader_of({{"constraints.txt", "torch<1.9\n"}}), f);
  ASSERT_EQ(f.requirements.size(), 2u);
  EXPECT_EQ(f.requirements[0].group, "constraints");
  EXPECT_EQ(f.requirements[0].specifier, "<1.9");
}

TEST(Requirements, WhatIsNotARequirementIsAWarningWithItsLine) {
  RepoFacts f;
  parse_requirements("numpy\ntorch 1.4\n???\nscipy>=\n", "requirements.txt", reader_of({}), f);
  EXPECT_EQ(f.requirements.size(), 1u);
  ASSERT_EQ(f.warnings.size(), 3u);
  EXPECT_EQ(f.warnings[0].rfind("requirements.txt:2: ", 0), 0u) << f.warnings[0];
  EXPECT_EQ(f.warnings[1].rfind("requirements.txt:3: ", 0), 0u) << f.warnings[1];
  EXPECT_EQ(f.warnings[2].rfind("requirements.txt:4: ", 0), 0u) << f.warnings[2];
}

TEST(Requirements, WheelUrlsAndCrlfLines) {
  RepoFacts f;
  parse_requirements("https://download.pytorch.org/whl/cu102/torch-1.9.0%2Bcu102-cp38-cp38-linux_x86_64.whl\r\nPillow>=8\r\n",
                     "requirements.txt", reader_of({}), f);
  ASSERT_EQ(f.requirements.size(), 2u);
  EXPECT_EQ(f.requirements[0].name, "torch");
  EXPECT_EQ(f.requirements[1].name, "pillow");
  EXPECT_EQ(f.requirements[1].specifier, ">=8");
  derive_hints(f);
}

TEST(Requirements, LocalVersionCpuAndCupyNameCuda) {
  RepoFacts f;
  parse_requirements("torch==1.8.1+cpu\ncupy-cuda102\ncupy-cuda11x\n", "requirements.txt", reader_of({}), f);
  derive_hints(f);
  EXPECT_TRUE(has_hint(f, "cpu", "", "requirements.txt:1"));
  EXPECT_TRUE(has_hint(f, "cuda", "==10.2.*", "requirements.txt:2"));
  EXPECT_TRUE(has_hint(f, "cuda", "==11.*", "requirements.txt:3"));
}

TEST(Requirements, Pep508Strings) {
  std::string why;
  auto r = parse_requirement("requests [security] (>=2.8.1, ==2.8.*) ; python_version < \"2.7\"", Source{"x", 1}, &why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->name, "requests");
  EXPECT_EQ(r->specifier, ">=2.8.1,==2.8.*");
  EXPECT_EQ(r->marker, "python_version < \"2.7\"");
  auto url = parse_requirement("pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686", Source{});
  ASSERT_TRUE(url);
  EXPECT_EQ(url->name, "pip");
  EXPECT_FALSE(parse_requirement("[extra]", Source{}, &why));
  EXPECT_FALSE(parse_requirement("name[extra", Source{}, &why));
  EXPECT_NE(why.find("unclosed"), std::string::npos);
}

// pip reads options after a requirement on its line: an index for the whole install ("torch==2.3.0
// --index-url .../whl/cu121", as repositories pin a CUDA build), a hash of the one requirement.
TEST(Requirements, OptionsAfterARequirementOnItsLine) {
  RepoFacts f;
  parse_requirements("torch==2.3.0 --index-url https://download.pytorch.org/whl/cu121\n"
                     "torchvision==0.18.0\t--extra-index-url=https://download.pytorch.org/whl/cu121 --pre\n"
                     "xformers==0.0.26.post1 --hash=sha256:00 --hash sha256:11\n"
                     "scikit-learn>=1.0 ; python_version >= \"3.8\"\n",
                     "requirements.txt", reader_of({}), f);
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  ASSERT_EQ(f.requirements.size(), 4u);
  EXPECT_EQ(find(f, "torch")->specifier, "==2.3.0");
  EXPECT_EQ(find(f, "torchvision")->specifier, "==0.18.0");
  EXPECT_EQ(find(f, "xformers")->specifier, "==0.0.26.post1");
  EXPECT_EQ(find(f, "scikit-learn")->specifier, ">=1.0");
  ASSERT_EQ(f.pip_options.size(), 3u);
  EXPECT_EQ(f.pip_options[0].option, "--index-url");
  EXPECT_EQ(f.pip_options[0].value, "https://download.pytorch.org/whl/cu121");
  EXPECT_EQ(f.pip_options[1].option, "--extra-index-url");
  EXPECT_EQ(f.pip_options[2].option, "--pre");
  derive_hints(f);
  EXPECT_TRUE(has_hint(f, "cuda", "==12.1.*", "requirements.txt:1"));
}

// pip reads a line with a '/' that is neither a URL nor a specifier as a local project's path.
TEST(Requirements, APathWithoutDotSlashIsALocalProject) {
  RepoFacts f;
  parse_requirements("submodules/diff-gaussian-rasterization\nsubmodules/simple-knn/\ntorch==1.12.1\n", "requirements.txt", reader_of({}), f);
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  ASSERT_EQ(f.requirements.size(), 3u);
  EXPECT_EQ(f.requirements[0].name, "diff-gaussian-rasterization");
  EXPECT_TRUE(f.requirements[0].editable);
  EXPECT_EQ(f.requirements[1].name, "simple-knn");
  EXPECT_FALSE(f.requirements[2].editable);
  RepoFacts conda;
  parse_environment_yml("dependencies:\n  - pip:\n    - submodules/simple-knn\n", "environment.yml", conda);
  EXPECT_TRUE(conda.warnings.empty()) << conda.warnings.front();
  ASSERT_EQ(conda.requirements.size(), 1u);
  EXPECT_EQ(conda.requirements[0].name, "simple-knn");
}

// A pip freeze of a torch 1.13+ install names the CUDA runtime the wheel brought.
TEST(Requirements, NvidiasCudaRuntimeWheelNamesTheCuda) {
  RepoFacts f;
  parse_requirements("torch==2.2.0\nnvidia-cuda-runtime-cu11==11.8.89\nnvidia-cudnn-cu11==8.7.0.84\n", "requirements.txt", reader_of({}), f);
  derive_hints(f);
  EXPECT_TRUE(has_hint(f, "cuda", "==11.8.*", "requirements.txt:2"));
  RepoFacts g;
  parse_requirements("nvidia-cuda-runtime-cu12==12.1.105\n", "requirements.txt", reader_of({}), g);
  derive_hints(g);
  EXPECT_TRUE(has_hint(g, "cuda", "==12.1.*", "requirements.txt:1"));
  // A README command's index URL in Markdown's backticks is the URL.
  RepoFacts h;
  parse_readme("`pip install torch==2.1.1 --index-url https://download.pytorch.org/whl/cu118`\n", "README.md", h);
  ASSERT_EQ(h.pip_options.size(), 1u);
  EXPECT_EQ(h.pip_options[0].value, "https://download.pytorch.org/whl/cu118");
}
