// `dlcontainer plan`, `init`, and `up` on a repository without devcontainer.json, through the real
// binary; the build runs on the real engine from a locally built base (nothing is pulled).
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "integration/support.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;

// The caches' folder, made by the first test that asks and removed when the tests end: by gtest's
// tear-down, not a static destructor, which would run after OpenSSL's own exit handler (the
// Workspace's clean-up hashes its path) and crash the test binary.
class PlanCache : public ::testing::Environment {
 public:
  const Workspace& get() {
    if (!cache_) {
      cache_ = std::make_unique<Workspace>("cache");
      std::filesystem::permissions(cache_->path(), std::filesystem::perms::all);
    }
    return *cache_;
  }
  void TearDown() override { cache_.reset(); }

 private:
  std::unique_ptr<Workspace> cache_;
};
PlanCache* const plan_cache = static_cast<PlanCache*>(::testing::AddGlobalTestEnvironment(new PlanCache));

// The binary, with its caches in a folder of the test's own, so that nothing is left in the user's
// ~/.cache.
RunResult dlcp(const std::vector<std::string>& args, RunOptions options = {}) {
  options.env.emplace("XDG_CACHE_HOME", plan_cache->get().str());
  return dlc(args, options);
}

json parse(const RunResult& r) {
  EXPECT_EQ(r.status, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

// A paper-like repository: pinned torch with its CUDA index, OpenCV imported.
void paper_repo(const Workspace& ws) {
  ws.write("requirements.txt",
           "--extra-index-url https://download.pytorch.org/whl/cu113\n"
           "torch==1.11.0+cu113\n"
           "opencv-python>=4.5\n");
  ws.write("train.py", "import cv2\nimport torch\n");
  ws.write("README.md", "Tested with PyTorch 1.11 and CUDA 11.3.\n");
}

TEST(Plan, PrintsTheImageAndWhyWithoutTouchingAnything) {
  Workspace ws("paper");
  paper_repo(ws);
  auto before = snapshot(ws.path());
  auto r = dlcp({"plan", ws.str(), "--driver", "515.48.07"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("requirements.txt:2 (torch==1.11.0+cu113)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("train.py:1 imports cv2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("per Docker Hub: pytorch/pytorch tags"), std::string::npos) << r.out;
  EXPECT_EQ(snapshot(ws.path()), before);

  auto j = parse(dlcp({"plan", ws.str(), "--driver", "515.48.07", "--json"}));
  EXPECT_EQ(j["plan"]["baseImage"], "pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime");
  EXPECT_EQ(j["plan"]["cuda"], "11.3");
  EXPECT_EQ(j["plan"]["aptPackages"], json::parse(R"(["libgl1", "libglib2.0-0"])"));
  EXPECT_EQ(j["facts"]["requirements"][0]["source"]["line"], 2);
  EXPECT_EQ(j["image"].get<std::string>().rfind("dlcontainer/plan:", 0), 0u);
  EXPECT_NE(j["dockerfile"].get<std::string>().find("FROM pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime"), std::string::npos);

  auto df = dlcp({"plan", ws.str(), "--driver", "515.48.07", "--dockerfile"});
  ASSERT_EQ(df.status, 0) << df.err;
  EXPECT_EQ(df.out, j["dockerfile"].get<std::string>());
}

TEST(Plan, TheDriverDecidesAndAnOldOneIsAClearError) {
  Workspace ws;
  paper_repo(ws);
  auto old = dlcp({"plan", ws.str(), "--driver", "440.64"});
  EXPECT_EQ(old.status, 1);
  EXPECT_NE(old.err.find("error: requirements.txt:2 (torch==1.11.0+cu113)"), std::string::npos) << old.err;
  EXPECT_NE(old.err.find("hint: update the NVIDIA driver to >= 450.80.02"), std::string::npos) << old.err;
  auto cpu = parse(dlcp({"plan", ws.str(), "--no-gpu", "--json"}));
  EXPECT_FALSE(cpu["plan"]["gpu"].get<bool>());
  EXPECT_EQ(cpu["plan"]["baseImage"].get<std::string>().rfind("python:3.", 0), 0u);
  auto bad = dlcp({"plan", ws.str(), "--driver", "latest"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("--driver latest is not an NVIDIA driver version"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("hint:"), std::string::npos);
}

TEST(Plan, AGitUrlIsClonedIntoTheDataFolderAndItsDateUsed) {
  Workspace origin("origin");
  origin.write("requirements.txt", "tensorflow-gpu\n");
  RunOptions at{.cwd = origin.path()};
  at.env = {{"GIT_AUTHOR_DATE", "2020-05-20T12:00:00Z"}, {"GIT_COMMITTER_DATE", "2020-05-20T12:00:00Z"}};
  ASSERT_EQ(run({"git", "init", "-q"}, at).status, 0);
  ASSERT_EQ(run({"git", "add", "."}, at).status, 0);
  ASSERT_EQ(run({"git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "paper"}, at).status, 0);
  Workspace data("data");
  RunOptions env;
  env.env = {{"XDG_DATA_HOME", data.str()}};
  std::string url = "file://" + origin.str();
  auto j = parse(dlcp({"plan", url, "--driver", "440.64", "--json"}, env));
  std::string folder = j["workspace"];
  EXPECT_EQ(folder.rfind(data.str() + "/dlcontainer/clones/origin-", 0), 0u) << folder;
  EXPECT_EQ(j["plan"]["commitDate"], "2020-05-20");
  // Unpinned TensorFlow of May 2020 on a CUDA 10.2 driver: 2.2.0.
  EXPECT_EQ(j["plan"]["baseImage"], "tensorflow/tensorflow:2.2.0-gpu");
  auto again = parse(dlcp({"plan", url, "--driver", "440.64", "--json"}, env));
  EXPECT_EQ(again["workspace"], folder);
}

TEST(Up, AGitUrlIsClonedThenOpenedAndOtherCommandsFindIt) {
  DLC_REQUIRE_ENGINE();
  Workspace origin("paper-origin");
  origin.devcontainer(R"({"image": "dlc-test/python:latest"})");
  origin.write("train.py", "print('hi')\n");
  RunOptions at{.cwd = origin.path()};
  ASSERT_EQ(run({"git", "init", "-q"}, at).status, 0);
  ASSERT_EQ(run({"git", "add", "."}, at).status, 0);
  ASSERT_EQ(run({"git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "paper"}, at).status, 0);
  Workspace data("data");
  RunOptions env;
  env.env = {{"XDG_DATA_HOME", data.str()}};
  std::string url = "file://" + origin.str();
  auto before = dlcp({"status", url}, env);
  EXPECT_EQ(before.status, 1);
  EXPECT_NE(before.err.find("is not cloned yet"), std::string::npos) << before.err;
  auto up = parse(dlcp({"up", url, "--json"}, env));
  std::string folder = up["workspace"];
  EXPECT_EQ(folder.rfind(data.str() + "/dlcontainer/clones/paper-origin-", 0), 0u) << folder;
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(folder) / "train.py"));
  auto status = parse(dlcp({"status", url, "--json"}, env));
  EXPECT_EQ(status["state"], "running");
  EXPECT_EQ(status["containerId"], up["containerId"]);
  for (const auto& c : engine.list_containers({{"dev.dlcontainer.workspace", folder}})) engine.remove_container(c.id, true);
}

TEST(Init, WritesDevcontainerJsonThatUpAndStockToolsUseAndNeverOverwritesUnasked) {
  Workspace ws("initme");
  paper_repo(ws);
  auto r = dlcp({"init", ws.str(), "--driver", "515.48.07"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto dc = json::parse(ws.read(".devcontainer/devcontainer.json"));
  EXPECT_EQ(dc["build"]["dockerfile"], "Dockerfile");
  EXPECT_EQ(dc["customizations"]["dlcontainer"]["framework"]["version"], "1.11.0");
  EXPECT_EQ(dc["customizations"]["dlcontainer"]["cuda"], "11.3");
  std::string dockerfile = ws.read(".devcontainer/Dockerfile");
  EXPECT_NE(dockerfile.find("FROM pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime"), std::string::npos);
  EXPECT_NE(dockerfile.find("uid=1000"), std::string::npos);

  // A second init changes nothing and says how to go on.
  ws.write(".devcontainer/devcontainer.json", "{ // mine now\n \"image\": \"dlc-test/python:latest\" }\n");
  auto before = snapshot(ws.path());
  auto again = dlcp({"init", ws.str()});
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.err.find("exist"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(snapshot(ws.path()), before);

  // plan now follows the file; --force writes it again.
  auto followed = parse(dlcp({"plan", ws.str(), "--json"}));
  EXPECT_EQ(followed["plan"]["mode"], "devcontainer");
  EXPECT_EQ(followed["plan"]["baseImage"], "dlc-test/python:latest");
  ASSERT_EQ(dlcp({"init", ws.str(), "--force", "--driver", "515.48.07"}).status, 0);
  EXPECT_EQ(json::parse(ws.read(".devcontainer/devcontainer.json"))["customizations"]["dlcontainer"]["cuda"], "11.3");
  EXPECT_TRUE(std::filesystem::exists(ws.path() / "train.py"));
}

// The real build: a catalog override points PyTorch 1.11.0 at the local dlc-test/python image, so the
// generated Dockerfile, the streamed context, the uid mapping, the apt extras and the cache are real.
TEST(Build, UpWithoutDevcontainerBuildsThePlanOnceWithTheHostUid) {
  DLC_REQUIRE_ENGINE();
  bool root = ::geteuid() == 0;
  Workspace ws("planned");
  ws.write("requirements.txt", "torch==1.11.0\n");
  ws.write("audio.py", "import soundfile\n");  // needs libsndfile1 from apt
  Workspace config("config");
  // The same local base for a GPU plan and a CPU one: the host's driver (or none) picks which.
  config.write("dlcontainer/catalog.json", R"({
    "frameworks": [{"name": "pytorch", "releases": [{"version": "1.11.0", "images": [
      {"image": "dlc-test/python:latest", "kind": "gpu", "flavor": "runtime", "cuda": "11.3", "cudnn": "8", "provides": ["torch"]},
      {"image": "dlc-test/python:latest", "kind": "cpu", "provides": ["torch"]}]}]}]
  })");
  config.write("dlcontainer/config.json", R"({"mirrors": {"apt": "http://deb.debian.org"}})");
  RunOptions as;
  as.env = {{"XDG_CONFIG_HOME", config.str()}};
  uid_t uid = ::geteuid();
  if (root) {
    // As another user, in the docker group, so that the uid in the image is not root's.
    struct group* docker = ::getgrnam("docker");
    struct stat sock {};
    ASSERT_EQ(::stat("/var/run/docker.sock", &sock), 0);
    uid = 4242;
    std::filesystem::permissions(ws.path(), std::filesystem::perms::all);
    ASSERT_EQ(::chown(ws.path().c_str(), uid, uid), 0);
    as.uid = uid;
    as.gid = uid;
    as.groups = {docker ? docker->gr_gid : sock.st_gid};
    as.unset_env = {"XDG_RUNTIME_DIR"};
  }
  auto planned = parse(dlcp({"plan", ws.str(), "--json"}, as));
  std::string tag = planned["image"];
  EXPECT_EQ(planned["plan"]["baseImage"], "dlc-test/python:latest");
  EXPECT_NE(planned["dockerfile"].get<std::string>().find("libsndfile1"), std::string::npos);
  EXPECT_NE(planned["dockerfile"].get<std::string>().find("http://deb.debian.org/debian#g"), std::string::npos);
  engine.remove_image(tag, true);  // a leftover of an earlier run would hide the build

  auto first = dlcp({"up", ws.str(), "--json"}, as);
  ASSERT_EQ(first.status, 0) << first.err;
  auto up = json::parse(first.out);
  EXPECT_EQ(up["action"], "created");
  EXPECT_NE(first.err.find("Building " + tag), std::string::npos) << first.err;
  auto built = engine.inspect_image(tag);
  ASSERT_TRUE(built);
  EXPECT_EQ(built->labels["dev.dlcontainer.built-for"], std::filesystem::weakly_canonical(ws.path()).string());

  auto inside = dlcp({"exec", "-w", ws.str(), "--", "sh", "-c", "id -u; ls /usr/lib/x86_64-linux-gnu | grep -c '^libsndfile.so.1$'; touch made-here"}, as);
  ASSERT_EQ(inside.status, 0) << inside.err;
  EXPECT_EQ(inside.out.substr(0, inside.out.find('\n')), std::to_string(uid)) << inside.out;
  EXPECT_NE(inside.out.find("\n1\n"), std::string::npos) << inside.out;  // libsndfile1 is installed
  struct stat made {};
  ASSERT_EQ(::stat((ws.path() / "made-here").c_str(), &made), 0);
  EXPECT_EQ(made.st_uid, uid);

  // An unchanged plan is not built again: the same image, and the build is skipped.
  ASSERT_EQ(dlcp({"down", ws.str(), "--remove"}, as).status, 0);
  auto second = dlcp({"up", ws.str(), "--json"}, as);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(second.err.find("Building"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("is up to date"), std::string::npos) << second.err;
  EXPECT_EQ(engine.inspect_image(tag)->id, built->id);
  EXPECT_EQ(json::parse(second.out)["image"], up["image"]);

  // A changed plan is a new tag, and the container says it is out of date.
  ws.write("requirements.txt", "torch==1.11.0\n# a comment changes nothing\n");
  EXPECT_EQ(parse(dlcp({"plan", ws.str(), "--json"}, as))["image"], tag);
  ws.write("viz.py", "import cv2\n");
  EXPECT_NE(parse(dlcp({"plan", ws.str(), "--json"}, as))["image"], tag);
  auto status = parse(dlcp({"status", ws.str(), "--json"}, as));
  EXPECT_TRUE(status["outOfDate"].get<bool>());

  for (const auto& c : ws.containers(engine)) engine.remove_container(c.id, true);
  engine.remove_image(tag, true);
}

TEST(Build, APlannedBaseThatCannotBePulledFailsAndLeavesNoContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.write("train.py", "print('hi')\n");
  Workspace config("config");
  config.write("dlcontainer/catalog.json",
               R"({"pythonImages": [{"image": "dlc-test/does-not-exist:3.11", "python": "3.11", "released": "2022-10-24"}]})");
  RunOptions o;
  o.env = {{"XDG_CONFIG_HOME", config.str()}};
  auto r = dlcp({"up", ws.str()}, o);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("dlc-test/does-not-exist:3.11"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint:"), std::string::npos) << r.err;
  EXPECT_TRUE(ws.containers(engine).empty());
}

}  // namespace
}  // namespace dlc::testing
