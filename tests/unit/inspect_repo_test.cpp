// The walk over a repository, HEAD's date, and clones of file:// URLs (libgit2, no network).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <vector>

#include "inspect/repo.h"
#include "plan_fixtures.h"
#include "support/error.h"

using namespace dlc;
using namespace dlc::inspect;
using dlc::testing::TempRepo;

TEST(InspectRepository, FindsManifestsWhereRepositoriesKeepThem) {
  TempRepo repo;
  repo.write("requirements.txt", "-r requirements/runtime.txt\nnumpy\n");
  repo.write("requirements/runtime.txt", "torch==1.11.0\n");
  repo.write("requirements/docs.txt", "sphinx\n");
  repo.write("requirements-dev.txt", "pytest\n");
  repo.write("environment.yml", "dependencies:\n  - python=3.8\n");
  repo.write("README.md", "Tested with CUDA 11.3.\n");
  repo.write(".python-version", "3.8.12\n");
  repo.write("ops/dcn/setup.py", "setup(ext_modules=[CUDAExtension('dcn', ['dcn.cu'])])\n");
  repo.write("ops/dcn/src/dcn_kernel.cu", "__global__ void k() {}\n");
  repo.write("tools/train.py", "import cv2\n");
  repo.write(".devcontainer/devcontainer.json", "{}");
  repo.write("node_modules/x/requirements.txt", "evil==1\n");
  repo.write("third_party/lib/requirements.txt", "nested==1\n");  // another project's, not this one's
  repo.write(".venv/lib/site.py", "import soundfile\n");
  auto f = repo.inspect();
  auto group_of = [&](const std::string& name) -> std::string {
    for (const auto& r : f.requirements) {
      if (r.name == name) return r.group;
    }
    return "<absent>";
  };
  EXPECT_EQ(group_of("torch"), "");  // included by requirements.txt: main
  EXPECT_EQ(group_of("numpy"), "");
  EXPECT_EQ(group_of("sphinx"), "docs");
  EXPECT_EQ(group_of("pytest"), "dev");
  EXPECT_EQ(group_of("evil"), "<absent>");
  EXPECT_EQ(group_of("nested"), "<absent>");
  ASSERT_TRUE(f.devcontainer);
  EXPECT_EQ(f.devcontainer->file, ".devcontainer/devcontainer.json");
  bool cu = false, ext = false;
  for (const auto& c : f.cuda_code) {
    cu |= c.kind == "cu-source" && c.source.file == "ops/dcn/src/dcn_kernel.cu";
    ext |= c.kind == "cuda-extension" && c.source.str() == "ops/dcn/setup.py:1";
  }
  EXPECT_TRUE(cu);
  EXPECT_TRUE(ext);
  ASSERT_EQ(f.system_needs.size(), 1u);  // cv2 from tools/, not soundfile from the virtualenv
  EXPECT_EQ(f.system_needs[0].source.str(), "tools/train.py:1");
  bool python_version = false, readme_cuda = false;
  for (const auto& h : f.hints) {
    python_version |= h.subject == "python" && h.spec == "==3.8.12.*" && h.source.file == ".python-version";
    readme_cuda |= h.subject == "cuda" && h.weak && h.source.str() == "README.md:1";
  }
  EXPECT_TRUE(python_version);
  EXPECT_TRUE(readme_cuda);
  EXPECT_TRUE(f.commit.empty());
  EXPECT_GT(f.files_seen, 10u);
}

TEST(InspectRepository, ReadsHeadsDateAndSkipsWhatGitIgnores) {
  TempRepo repo;
  repo.write("requirements.txt", "torch\n");
  repo.write(".gitignore", "data/\n");
  repo.write("data/samples/requirements.txt", "never==1\n");
  repo.write("data/loader.py", "import cv2\n");
  repo.commit(dlc::testing::utc(2019, 6, 1));
  auto f = repo.inspect();
  EXPECT_EQ(f.commit_date, "2019-06-01");
  EXPECT_EQ(f.commit.size(), 40u);
  EXPECT_TRUE(f.system_needs.empty());
  for (const auto& r : f.requirements) EXPECT_NE(r.name, "never");
}

TEST(InspectRepository, TheImportCacheGivesTheSameFactsAndSeesChanges) {
  TempRepo repo, cache;
  for (int k = 0; k < 100; ++k) repo.write("pkg/m" + std::to_string(k) + ".py", "import os\n");
  repo.write("pkg/audio.py", "import os\nimport soundfile\n");
  repo.write("pkg/ops.py", "from torch.utils.cpp_extension import load\n");
  InspectOptions options;
  options.cache_dir = cache.path();
  auto first = inspect_repository(repo.path(), options);
  auto uncached = inspect_repository(repo.path());
  auto second = inspect_repository(repo.path(), options);  // from the cache
  nlohmann::json a = first, b = second, c = uncached;
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  ASSERT_EQ(second.system_needs.size(), 1u);
  EXPECT_EQ(second.system_needs[0].source.str(), "pkg/audio.py:2");
  ASSERT_EQ(second.cuda_code.size(), 1u);
  EXPECT_EQ(second.cuda_code[0].kind, "jit-load");
  // A file that changes is read again (its size changes, so its stamp does).
  repo.write("pkg/audio.py", "import os\nimport os\nimport cv2\n");
  auto third = inspect_repository(repo.path(), options);
  ASSERT_EQ(third.system_needs.size(), 1u);
  EXPECT_EQ(third.system_needs[0].module, "cv2");
  EXPECT_EQ(third.system_needs[0].source.str(), "pkg/audio.py:3");
  // A cache file that is not ours is ignored, not trusted.
  for (const auto& entry : std::filesystem::directory_iterator(cache.path())) {
    std::ofstream(entry.path()) << "garbage\n1:2:3\tpkg/audio.py\tsoundfile@9\n";
  }
  auto fourth = inspect_repository(repo.path(), options);
  ASSERT_EQ(fourth.system_needs.size(), 1u);
  EXPECT_EQ(fourth.system_needs[0].module, "cv2");
}

TEST(InspectRepository, AFolderThatDoesNotExist) {
  try {
    inspect_repository("/nonexistent/dlc-repo");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::PathNotFound);
    EXPECT_FALSE(e.hint().empty());
  }
}

// The walk shares folders among threads; what it finds does not depend on which thread read what.
TEST(InspectRepository, AWalkOverManyFoldersGivesTheSameFactsEachTime) {
  TempRepo repo;
  for (int k = 0; k < 120; ++k) {
    std::string dir = "pkg" + std::to_string(k % 7) + "/sub" + std::to_string(k) + "/";
    repo.write(dir + "m.py", k % 3 == 0 ? "import cv2\n" : "import os\n");
    repo.write(dir + "k" + std::to_string(k) + ".cu", "__global__ void k() {}\n");
    repo.write(dir + "setup.py", "from setuptools import setup\n");
  }
  auto first = repo.inspect();
  nlohmann::json expected = first;
  for (int run = 0; run < 5; ++run) EXPECT_EQ(nlohmann::json(repo.inspect()), expected);
  EXPECT_EQ(first.files_seen, 120u * 3 + 7 + 120);  // files and folders
  // The first .cu files and the first import by path, whatever the order of reading.
  std::vector<std::string> cu;
  for (const auto& c : first.cuda_code) {
    if (c.kind == "cu-source") cu.push_back(c.source.file);
  }
  ASSERT_EQ(cu.size(), 10u);
  EXPECT_TRUE(std::is_sorted(cu.begin(), cu.end()));
  EXPECT_EQ(cu.front(), "pkg0/sub0/k0.cu");
  ASSERT_EQ(first.system_needs.size(), 1u);
  EXPECT_EQ(first.system_needs[0].source.str(), "pkg0/sub0/m.py:1");

  // A walk that meets more entries than allowed stops and says so.
  InspectOptions few;
  few.max_entries = 50;
  auto stopped = inspect_repository(repo.path(), few);
  EXPECT_EQ(stopped.files_seen, 50u);
  ASSERT_EQ(stopped.warnings.size(), 1u);
  EXPECT_NE(stopped.warnings[0].find("stopped after 50 files"), std::string::npos);
}

// HEAD's date is remembered by commit id, read from .git's files without libgit2: a loose ref, packed
// refs and a detached HEAD each find the remembered answer; a new commit or a changed .git/config
// does not.
TEST(InspectRepository, RemembersHeadsDateByCommitAndSeesHeadMove) {
  TempRepo repo, cache;
  repo.write("requirements.txt", "torch\n");
  repo.commit(dlc::testing::utc(2019, 6, 1));
  auto first = git_info(repo.path(), cache.path());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->date, "2019-06-01");
  // What the cache holds is what is answered while HEAD stays: shown by editing the remembered date.
  auto remembered = [&] {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(cache.path())) {
      if (e.path().extension() == ".head") files.push_back(e.path());
    }
    return files;
  };
  ASSERT_EQ(remembered().size(), 1u);
  auto forge = [&](const std::string& date) {
    std::ifstream in(remembered()[0]);
    std::string line;
    std::getline(in, line);
    in.close();
    auto a = line.find('\t'), b = line.find('\t', a + 1), c = line.find('\t', b + 1);
    std::ofstream(remembered()[0]) << line.substr(0, b + 1) << date << line.substr(c) << "\n";
  };
  forge("1999-01-01");
  EXPECT_EQ(git_info(repo.path(), cache.path())->date, "1999-01-01");  // loose ref
  repo.with_git([](git_repository* r) {
    git_refdb* db = nullptr;
    ASSERT_EQ(git_repository_refdb(&db, r), 0);
    ASSERT_EQ(git_refdb_compress(db), 0);
    git_refdb_free(db);
  });
  ASSERT_TRUE(std::filesystem::exists(repo.path() / ".git" / "packed-refs"));
  EXPECT_EQ(git_info(repo.path(), cache.path())->date, "1999-01-01");  // packed-refs

  // A new commit moves HEAD: libgit2 reads it, and the new answer is remembered.
  repo.write("train.py", "import torch\n");
  repo.commit(dlc::testing::utc(2024, 3, 1));
  auto moved = git_info(repo.path(), cache.path());
  EXPECT_EQ(moved->date, "2024-03-01");
  EXPECT_NE(moved->commit, first->commit);
  EXPECT_EQ(git_info(repo.path(), cache.path())->date, "2024-03-01");

  // Detached at the first commit.
  repo.with_git([&](git_repository* r) {
    git_oid id;
    ASSERT_EQ(git_oid_fromstr(&id, first->commit.c_str()), 0);
    ASSERT_EQ(git_repository_set_head_detached(r, &id), 0);
  });
  EXPECT_EQ(git_info(repo.path(), cache.path())->date, "2019-06-01");

  // An origin added to .git/config is seen although HEAD did not move.
  EXPECT_EQ(git_info(repo.path(), cache.path())->origin, "");
  repo.with_git([](git_repository* r) {
    git_remote* remote = nullptr;
    ASSERT_EQ(git_remote_create(&remote, r, "origin", "https://example.invalid/paper.git"), 0);
    git_remote_free(remote);
  });
  EXPECT_EQ(git_info(repo.path(), cache.path())->origin, "https://example.invalid/paper.git");
  // Without a cache folder nothing is remembered and the answer is the same.
  EXPECT_EQ(git_info(repo.path(), "")->date, "2019-06-01");
}

TEST(Checkout, ClonesAFileUrlOnceAndReusesIt) {
  TempRepo origin;
  origin.write("requirements.txt", "tensorflow==2.2.0\n");
  origin.commit(dlc::testing::utc(2020, 5, 20));
  TempRepo clones;
  std::string url = "file://" + origin.path().string();
  EXPECT_TRUE(is_remote(url));
  auto folder = checkout(url, clones.path());
  EXPECT_EQ(folder, clone_folder(url, clones.path()));
  EXPECT_TRUE(std::filesystem::exists(folder / "requirements.txt"));
  auto info = git_info(folder);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->date, "2020-05-20");
  EXPECT_EQ(info->origin, url);
  // A second checkout finds the clone and leaves the user's working copy alone.
  std::ofstream(folder / "local-change.txt") << "mine";
  EXPECT_EQ(checkout(url, clones.path()), folder);
  EXPECT_TRUE(std::filesystem::exists(folder / "local-change.txt"));
}

TEST(Checkout, AUrlThatCannotBeClonedLeavesNothingBehind) {
  TempRepo clones;
  std::string url = "file:///nonexistent/dlc-origin.git";
  try {
    checkout(url, clones.path());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::PathNotFound);
    EXPECT_NE(std::string(e.what()).find("cannot clone"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(clone_folder(url, clones.path())));
}

TEST(Checkout, WhatIsARemote) {
  EXPECT_TRUE(is_remote("https://github.com/x/paper.git"));
  EXPECT_TRUE(is_remote("git@github.com:x/paper.git"));
  EXPECT_TRUE(is_remote("ssh://git@host/x.git"));
  EXPECT_FALSE(is_remote("./paper"));
  EXPECT_FALSE(is_remote("/home/u/src/paper"));
  EXPECT_FALSE(is_remote("/home/u@x/a:b"));
  EXPECT_EQ(clone_folder("https://github.com/x/Paper.git/", "/r").filename().string().rfind("Paper-", 0), 0u);
}

TEST(InspectRepository, AGetStartedPageAtTheRootIsReadLikeTheReadme) {
  TempRepo repo;
  repo.write("get_started.md", "conda install pytorch==1.7.1 torchvision==0.8.2 cudatoolkit=10.1 -c pytorch\n");
  repo.write("GETTING_STARTED.md", "Tested with CUDA 10.1.\n");
  repo.write("notes.md", "pip install torch==2.0.0\n");  // not an install document
  auto f = repo.inspect();
  bool torch = false, other = false;
  for (const auto& r : f.requirements) {
    torch |= r.name == "torch" && r.weak && r.source.file == "get_started.md";
    other |= r.source.file == "notes.md";
  }
  EXPECT_TRUE(torch);
  EXPECT_FALSE(other);
  EXPECT_TRUE(std::any_of(f.hints.begin(), f.hints.end(), [](const VersionHint& h) { return h.subject == "cuda" && h.source.file == "GETTING_STARTED.md"; }));
}

TEST(InspectRepository, AnImportOfAPackageBuiltWithNvccIsCudaCodeAndSurvivesTheCache) {
  TempRepo repo, cache;
  repo.write("train.py", "import torch\nfrom apex import amp\nimport apex.parallel\n");
  repo.write("util.py", "import flash_attn_extra\n");  // another module, not flash_attn
  InspectOptions options;
  options.cache_dir = cache.path();
  auto first = inspect_repository(repo.path(), options);
  auto second = inspect_repository(repo.path(), options);  // from the cache
  nlohmann::json a = first, b = second;
  EXPECT_EQ(a, b);
  ASSERT_EQ(second.cuda_code.size(), 1u);
  EXPECT_EQ(second.cuda_code[0].kind, "build-import:apex");
  EXPECT_EQ(second.cuda_code[0].source.str(), "train.py:2");
}

TEST(InspectRepository, AnInstallDocumentTheReadmeLinksToIsReadWhereverItIs) {
  TempRepo repo;
  repo.write("README.md", "## Installation\nSee [Installation](g3doc/setup/installation.md#gpu), [the paper](https://x.org/a.md), "
                          "[notes](docs/notes.md).\n");
  repo.write("g3doc/setup/installation.md", "pip install tensorflow==2.5\n");
  repo.write("docs/notes.md", "pip install torch==2.0.0\n");  // linked, but not about installing
  repo.write("sub/README.md", "[x](other/install.md)\n");
  repo.write("sub/other/install.md", "pip install jax==0.4.1\n");  // linked from a README that is not the root's
  auto f = repo.inspect();
  std::vector<std::string> read;
  for (const auto& r : f.requirements) read.push_back(r.name + "@" + r.source.str());
  EXPECT_EQ(read, std::vector<std::string>{"tensorflow@g3doc/setup/installation.md:1"});
}

TEST(InspectRepository, BuildScriptsThatRunNvccAndTensorflowCudaSourcesAreCudaCode) {
  TempRepo repo;
  repo.write("compile.sh", "#!/bin/bash\n# nvcc is needed\nif [ gpu ]; then\n  nvcc -std=c++14 -c -o op.cu.o op.cu.cc\nfi\n");
  auto f = repo.inspect();
  ASSERT_EQ(f.cuda_code.size(), 1u);
  EXPECT_EQ(f.cuda_code[0].kind, "nvcc-build");
  EXPECT_EQ(f.cuda_code[0].source.str(), "compile.sh:4");

  TempRepo other;
  other.write("lib/make.sh", "echo building\n$CUDA_PATH/bin/nvcc -c roi.cu -o roi.cu.o -x cu\n");
  other.write("scripts/run.sh", "python train.py  # no nvcc here\necho nvcc\n");
  auto g = other.inspect();
  ASSERT_EQ(g.cuda_code.size(), 1u);
  EXPECT_EQ(g.cuda_code[0].source.str(), "lib/make.sh:2");

  TempRepo op;
  op.write("ops/kernels/merge_op_kernel.cu.cc", "#include \"tensorflow/core/framework/op_kernel.h\"\n");
  auto h = op.inspect();
  ASSERT_EQ(h.cuda_code.size(), 1u);
  EXPECT_EQ(h.cuda_code[0].kind, "cu-source");
}
