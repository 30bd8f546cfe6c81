// Where a repository keeps what it needs besides its root: manifests in the code's folder (a
// monorepo's projects), install pages in a folder of documents, Dockerfiles named Dockerfile_x, and
// README install commands that disagree or are marked optional.
#include <gtest/gtest.h>

#include "resolve_fixtures.h"

using namespace dlc;
using namespace dlc::resolve;
using namespace dlc::testing;

TEST(ResolveFolders, ARootWithoutManifestsReadsTheCodeFoldersRequirementsAsMain) {
  auto p = plan({{"efficientdet/requirements.txt", "tensorflow>=2.4.0\ntensorflow-addons>=0.12\n"}, {"efficientdet/main.py", "import tensorflow as tf\n"}},
                driver("460.27.04"), {}, "2020-12-31");
  EXPECT_EQ(p.framework, "tensorflow");
  EXPECT_EQ(p.framework_version, "2.4.0");
  EXPECT_TRUE(contains(p.pip_packages, "tensorflow-addons>=0.12"));  // main requirements are installed
  auto* fw = decision(p, "framework");
  ASSERT_TRUE(fw);
  EXPECT_NE(fw->reason.find("efficientdet/requirements.txt:1"), std::string::npos) << fw->reason;
}

TEST(ResolveFolders, RootManifestsWinAndFoldersOfOthersCodeAreNotRead) {
  // The root's requirements are the repository's: a folder's are not read beside them.
  auto p = plan({{"requirements.txt", "torch==1.8.1\n"}, {"tools/requirements.txt", "torch==1.4.0\n"}}, driver("470.57.02"));
  EXPECT_EQ(p.framework_version, "1.8.1");
  // Vendored code speaks for another project.
  auto q = plan({{"third_party/lib/requirements.txt", "tensorflow==1.15.0\n"}, {"train.py", "import torch\n"}}, driver("470.57.02"), {}, "2021-06-01");
  EXPECT_EQ(q.framework, "pytorch");
}

TEST(ResolveFolders, SeveralProjectsFoldersAreOptionalGroupsThatNeverConflict) {
  // A monorepo: two projects pin different releases; neither is the repository's main requirement.
  auto p = plan({{"classification/requirements.txt", "torch==1.11.0\n"},
                 {"detection/requirements.txt", "torch==1.9.0\n"},
                 {"classification/train.py", "import torch\n"}},
                driver("510.47.03"), {}, "2022-06-01");
  EXPECT_EQ(p.framework, "pytorch");
  EXPECT_FALSE(contains(p.pip_packages, "torch==1.9.0"));
}

TEST(ResolveFolders, FolderManifestsAreBoundedInCountAndDepth) {
  std::map<std::string, std::string> files = {{"a.py", "import torch\n"}};
  for (int k = 0; k < 12; ++k) files["p" + std::to_string(10 + k) + "/requirements.txt"] = "numpy\n";
  files["x/y/z/requirements.txt"] = "torch==1.4.0\n";  // three folders down: not read
  auto f = facts_of(files);
  bool warned_limit = false;
  for (const auto& w : f.warnings) warned_limit |= w.find("read the first 8 of 12 manifests") != std::string::npos;
  EXPECT_TRUE(warned_limit);
  for (const auto& r : f.requirements) EXPECT_NE(r.source.file, "x/y/z/requirements.txt");
}

TEST(ResolveFolders, AnInstallPageInAFolderOfDocumentsIsRead) {
  // readme/INSTALL.md says PyTorch v0.4.1; the era alone (2019-11) would say 1.3.
  auto p = plan({{"readme/INSTALL.md", "The code was tested with Python 3.6 and [PyTorch]((http://pytorch.org/)) v0.4.1.\n"
                                       "    conda install pytorch=0.4.1 torchvision -c pytorch\n"},
                 {"src/main.py", "import torch\n"}},
                driver("440.33.01"), {}, "2019-11-18");
  EXPECT_EQ(p.framework_version, "0.4.1");
  // A script named install is not a document.
  auto f = facts_of({{"scripts/install.sh", "pip install torch==1.4.0\n"}});
  EXPECT_TRUE(f.requirements.empty());
}

TEST(ResolveFolders, ADockerfileWithAnUnderscoreSuffixIsEvidence) {
  auto p = plan({{"detection/Dockerfile_mmdet", "ARG PYTORCH=\"1.8.0\"\nARG CUDA=\"11.1\"\nFROM pytorch/pytorch:${PYTORCH}-cuda${CUDA}-cudnn8-devel\n"},
                 {"train.py", "import torch\n"}},
                driver("510.73.05"), {}, "2022-06-28");
  EXPECT_EQ(p.framework_version, "1.8.0");
}

TEST(ResolveFolders, ReadmeCommandsUnderAnOptionalCommentDoNotPickTheRelease) {
  const char* readme =
      "```\n# Required: Sampling\nconda install pytorch=1.4 torchvision=0.5 cudatoolkit=10.0 -c pytorch\n\n"
      "# Optional: Apex for faster training\nconda install pytorch=1.1 torchvision=0.3 cudatoolkit=10.0 -c pytorch\n```\n";
  auto p = plan({{"README.md", readme}, {"a.py", "import torch\n"}}, driver("455.38"), {}, "2020-11-14");
  EXPECT_EQ(p.framework_version, "1.4.0");
  EXPECT_FALSE(warned(p, "ask different"));
  // Unmarked and disagreeing: the first install command is the install.
  auto q = plan({{"README.md", "conda install pytorch=1.4 -c pytorch\nconda install pytorch=1.1 -c pytorch\n"}, {"a.py", "import torch\n"}},
                driver("455.38"), {}, "2020-11-14");
  EXPECT_EQ(q.framework_version, "1.4.0");
  EXPECT_TRUE(warned(q, "the first install command is taken"));
}
