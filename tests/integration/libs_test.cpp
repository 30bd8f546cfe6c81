// The container's Python libraries mirrored for the host's tools (`dlcontainer interpreter`'s libs),
// against the real engine: only source and stubs, read-only, keyed by the container's image, the
// workspace never copied, a change in the container's packages said stale until --refresh, and the
// size cap honoured with a message that says how to raise it.
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/libs_tree.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::HasSubstr;

// A cache folder of the test's own, so that each test starts without a mirror.
class LibsCache {
 public:
  LibsCache() : dir_(fs::temp_directory_path() / ("dlc-libs-it-" + std::to_string(::getpid()) + "-" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::create_directories(dir_);
  }
  ~LibsCache() { core::remove_tree(dir_); }
  json interpreter(const Workspace& ws, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"interpreter", ws.str(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = dlc(args, RunOptions{.env = {{"XDG_CACHE_HOME", dir_.string()}}});
    EXPECT_EQ(r.status, 0) << r.err;
    auto j = json::parse(r.out, nullptr, false);
    return j.is_object() && j.contains("libs") ? j : json::object({{"libs", json::object()}, {"out", r.out}});
  }

 private:
  fs::path dir_;
};

std::string host_of(const json& libs, const std::string& kind) {
  for (const auto& p : libs.value("paths", json::array()))
    if (p["kind"] == kind) return p["host"];
  return "";
}

// docker exec as root: what a `pip install` in the container would change.
void exec_root(const std::string& container, const std::string& script) {
  auto r = run({"docker", "exec", "-u", "0", container, "/bin/sh", "-c", script});
  ASSERT_EQ(r.status, 0) << r.err;
}

TEST(LibsMirror, CopiesSourceAndStubsReadOnlyKeyedByImageAndNeverTheWorkspace) {
  DLC_REQUIRE_ENGINE();
  LibsCache cache;
  Workspace ws("paper");
  ws.devcontainer(std::string("{\"image\": \"") + kPythonImage + "\", \"remoteEnv\": {\"PYTHONPATH\": \"/workspaces/paper/src\"}}");
  ws.write("src/mine.py", "secret = 1\n");
  auto r = cache.interpreter(ws);
  const json& libs = r["libs"];
  ASSERT_TRUE(libs.contains("root")) << r.dump();
  auto info = engine.inspect_container(r["containerId"]);
  ASSERT_TRUE(info);
  std::string image = info->image_id.substr(info->image_id.find(':') + 1, 12);
  EXPECT_EQ(fs::path(libs["root"].get<std::string>()).filename(), image) << "keyed by the container's image";
  EXPECT_EQ(libs["refreshed"], true);
  EXPECT_EQ(libs["stale"], false);
  EXPECT_EQ(libs["partial"], false);
  EXPECT_GT(libs["files"].get<int>(), 100);

  // The workspace's folder on sys.path is the host's own folder, never copied.
  EXPECT_EQ(host_of(libs, "workspace"), (ws.path() / "src").string());
  std::string stdlib = host_of(libs, "stdlib");
  ASSERT_FALSE(stdlib.empty());
  EXPECT_TRUE(fs::is_regular_file(fs::path(stdlib) / "json" / "__init__.py"));
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(libs["root"].get<std::string>() + "/tree")) {
    if (!e.is_regular_file()) continue;
    ++files;
    std::string name = e.path().filename();
    EXPECT_TRUE(name.ends_with(".py") || name.ends_with(".pyi") || name == "py.typed") << e.path();
    EXPECT_NE(name, "mine.py") << "the workspace was copied: " << e.path();
    struct stat st {};
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0444u) << e.path();
  }
  EXPECT_EQ(files, libs["files"].get<int>());

  // Again, for the same image: the copy is reused.
  auto again = cache.interpreter(ws);
  EXPECT_EQ(again["libs"]["refreshed"], false);
  EXPECT_EQ(again["libs"]["root"], libs["root"]);
  EXPECT_EQ(again["libs"]["stale"], false);
}

TEST(LibsMirror, APackageInstalledInTheContainerMakesItStaleUntilRefreshed) {
  DLC_REQUIRE_ENGINE();
  LibsCache cache;
  Workspace ws;
  ws.devcontainer(std::string("{\"image\": \"") + kPythonImage + "\"}");
  auto first = cache.interpreter(ws);
  std::string packages = "/usr/lib/python3/dist-packages";
  fs::path copy = first["libs"]["root"].get<std::string>() + "/tree" + packages;
  ASSERT_TRUE(fs::is_directory(copy)) << first.dump();
  // What pip does: the package's folder and its *.dist-info.
  exec_root(first["containerId"], "mkdir -p " + packages + "/newpkg " + packages + "/newpkg-1.0.dist-info && echo 'def hello(): ...' > " +
                                      packages + "/newpkg/__init__.py");

  auto stale = cache.interpreter(ws);
  EXPECT_EQ(stale["libs"]["stale"], true);
  EXPECT_EQ(stale["libs"]["refreshed"], false);
  ASSERT_FALSE(stale["libs"]["notes"].empty());
  EXPECT_THAT(stale["libs"]["notes"][0].get<std::string>(), HasSubstr("dlcontainer interpreter --refresh"));
  EXPECT_FALSE(fs::exists(copy / "newpkg"));

  auto refreshed = cache.interpreter(ws, {"--refresh"});
  EXPECT_EQ(refreshed["libs"]["refreshed"], true);
  EXPECT_EQ(refreshed["libs"]["stale"], false);
  EXPECT_TRUE(fs::is_regular_file(copy / "newpkg" / "__init__.py"));
}

// A mirror as an earlier run left it: its manifest and one file.
void plant_mirror(const fs::path& dir, const std::string& image_id, const std::string& engine_url) {
  fs::create_directories(dir / "tree" / "usr");
  std::ofstream(dir / "tree" / "usr" / "old.py") << "x = 1\n";
  json m = {{"version", 1},   {"imageId", image_id}, {"executable", "/usr/bin/python3"}, {"stamp", "s"},
            {"roots", {"/usr"}}, {"files", 1},        {"bytes", 6}, {"maxBytes", 1 << 30}, {"partial", false},
            {"engine", engine_url}};
  std::ofstream(dir / "mirror.json") << m.dump();
}

TEST(LibsMirror, AMirrorOfAnImageGoneFromItsEngineIsRemovedAndOtherEnginesMirrorsStay) {
  DLC_REQUIRE_ENGINE();
  LibsCache cache;
  Workspace ws;
  ws.devcontainer(std::string("{\"image\": \"") + kPythonImage + "\"}");
  auto first = cache.interpreter(ws);
  fs::path root = first["libs"]["root"].get<std::string>();
  auto manifest = json::parse(std::ifstream(root / "mirror.json"), nullptr, false);
  ASSERT_TRUE(manifest.is_object() && manifest.contains("engine")) << "the mirror names its engine";
  std::string url = manifest["engine"];
  ASSERT_FALSE(url.empty());

  const std::string gone = "sha256:" + std::string(64, 'e');  // no engine has an image with this id
  plant_mirror(root.parent_path() / "eeeeeeeeeee1", gone, url);
  plant_mirror(root.parent_path() / "eeeeeeeeeee2", gone, "ssh://gpu-server.invalid");
  plant_mirror(root.parent_path() / "eeeeeeeeeee3", gone, "");  // made before mirrors named their engine

  auto again = cache.interpreter(ws);
  EXPECT_FALSE(fs::exists(root.parent_path() / "eeeeeeeeeee1")) << "its engine no longer has the image";
  EXPECT_TRUE(fs::exists(root.parent_path() / "eeeeeeeeeee2" / "mirror.json")) << "another engine's image may be there";
  EXPECT_TRUE(fs::exists(root.parent_path() / "eeeeeeeeeee3" / "mirror.json")) << "whose engine is unknown";
  EXPECT_TRUE(fs::exists(root / "mirror.json")) << "the image in use stays";
  EXPECT_THAT(again["libs"]["notes"].dump(), HasSubstr("removed the mirror of image eeeeeeeeeee1"));
}

TEST(LibsMirror, TheSizeCapStopsTheCopyAndSaysHowToRaiseIt) {
  DLC_REQUIRE_ENGINE();
  LibsCache cache;
  Workspace ws;
  ws.devcontainer(std::string("{\"image\": \"") + kPythonImage + "\"}");
  auto capped = cache.interpreter(ws, {"--libs-max-size", "64KiB"});
  const json& libs = capped["libs"];
  EXPECT_EQ(libs["partial"], true) << capped.dump();
  EXPECT_EQ(libs["maxBytes"], 65536);
  EXPECT_LE(libs["bytes"].get<std::uint64_t>(), 65536u);
  EXPECT_GT(libs["neededBytes"].get<std::uint64_t>(), 65536u);
  ASSERT_FALSE(libs["notes"].empty());
  EXPECT_THAT(libs["notes"][0].get<std::string>(), HasSubstr("partial"));
  EXPECT_THAT(libs["notes"][0].get<std::string>(), HasSubstr("--libs-max-size"));

  // Under the default cap (larger), the partial copy is made again, whole.
  auto whole = cache.interpreter(ws);
  EXPECT_EQ(whole["libs"]["partial"], false);
  EXPECT_EQ(whole["libs"]["refreshed"], true);
}

TEST(LibsMirror, ContradictoryOrBadFlagsAreRefusedBeforeAnythingRuns) {
  Workspace ws;
  auto r = dlc({"interpreter", ws.str(), "--no-libs", "--refresh"});
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("--no-libs contradicts"));
  r = dlc({"interpreter", ws.str(), "--libs-max-size", "lots"});
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("is not a size"));
}

}  // namespace
}  // namespace dlc::testing
