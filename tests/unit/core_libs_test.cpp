// The libraries mirror's pure pieces: which sys.path entries are copied, mapped or left out; the stamp
// that tells a stale mirror; sizes; the archive names it accepts; and the files it writes from a tar
// stream (only source and stubs, read-only, stopped at the cap), read as the stream arrives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "core/libs_probe.h"
#include "core/libs_tree.h"
#include "engine/build_context.h"
#include "engine/tar_stream.h"
#include "support/error.h"
#include "support/shell.h"

namespace dlc::core {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

LibsFacts debian_facts() {
  LibsFacts f;
  f.version = "3.11.2";
  f.executable = "/usr/bin/python3.11";
  f.stdlib = {"/usr/lib/python3.11"};
  f.entries = {{"", "", "missing", ""},
               {"/usr/lib/python311.zip", "/usr/lib/python311.zip", "missing", ""},
               {"/usr/lib/python3.11", "/usr/lib/python3.11", "dir", "s1"},
               {"/usr/lib/python3.11/lib-dynload", "/usr/lib/python3.11/lib-dynload", "dir", "s2"},
               {"/usr/lib/python3/dist-packages", "/usr/lib/python3/dist-packages", "dir", "s3"},
               {"/workspaces/paper/src", "/workspaces/paper/src", "dir", "s4"},
               {"/opt/eggs/thing.egg", "/opt/eggs/thing.egg", "file", ""},
               {"/usr/local/lib/link", "/usr/lib/python3/dist-packages", "dir", "s3"}};
  return f;
}

TEST(LibsClassify, WorkspaceFoldersAreMappedToTheHostNeverMirrored) {
  auto c = classify_libs(debian_facts(), {{"/workspaces/paper", "/home/me/paper"}});
  ASSERT_EQ(c.paths.size(), 4u);
  EXPECT_EQ(c.paths[0].kind, "stdlib");
  EXPECT_EQ(c.paths[1].kind, "stdlib");  // lib-dynload is inside the standard library
  EXPECT_EQ(c.paths[2].kind, "packages");
  EXPECT_EQ(c.paths[3].kind, "workspace");
  EXPECT_EQ(c.paths[3].host, "/home/me/paper/src");
  // The same real folder through a link is listed once; the working folder and a missing zip not at all.
  EXPECT_THAT(c.notes, ElementsAre(HasSubstr("/opt/eggs/thing.egg is a file")));
}

TEST(LibsClassify, AFolderOnlyPrefixedByTheWorkspaceNameIsNotTheWorkspace) {
  LibsFacts f = debian_facts();
  f.entries = {{"/workspaces/paper2", "/workspaces/paper2", "dir", "x"}};
  auto c = classify_libs(f, {{"/workspaces/paper", "/home/me/paper"}});
  ASSERT_EQ(c.paths.size(), 1u);
  EXPECT_EQ(c.paths[0].kind, "packages");
}

TEST(LibsStamp, ChangesWhenPackagesChangeNotWhenTheWorkspaceDoes) {
  auto f = debian_facts();
  std::vector<std::pair<std::string, std::string>> ws{{"/workspaces/paper", "/home/me/paper"}};
  std::string before = libs_stamp(f, classify_libs(f, ws));
  f.entries[5].stamp = "changed";  // the workspace's src/
  EXPECT_EQ(libs_stamp(f, classify_libs(f, ws)), before);
  f.entries[4].stamp = "pip-installed";  // dist-packages
  EXPECT_NE(libs_stamp(f, classify_libs(f, ws)), before);
  f = debian_facts();
  f.executable = "/opt/conda/bin/python3.11";
  EXPECT_NE(libs_stamp(f, classify_libs(f, ws)), before);
}

TEST(LibsFacts, RefusesWhatIsNotTheProbesAnswer) {
  EXPECT_THROW(parse_libs_facts("Traceback (most recent call last):"), Error);
  EXPECT_THROW(parse_libs_facts("{\"entries\": 3}"), Error);
  EXPECT_THROW(parse_libs_facts(std::string(2 << 20, ' ')), Error);
  auto f = parse_libs_facts(R"({"version": "3.8.10", "executable": "/usr/bin/python3.8", "stdlib": ["/usr/lib/python3.8"],
                                "entries": [{"path": "/a", "real": "/a", "type": "dir", "stamp": "x"}]})");
  EXPECT_EQ(f.version, "3.8.10");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].stamp, "x");
}

// The probe itself, run by this host's Python 3 as the container's would run it.
TEST(LibsProbe, ThisHostsPythonAnswersFactsAndSizes) {
  ASSERT_EQ(::access("/usr/bin/python3", X_OK), 0) << "the probe needs /usr/bin/python3 here (scripts/setup.sh installs it)";
  fs::path dir = fs::temp_directory_path() / ("dlc-probe-" + std::to_string(::getpid()));
  fs::create_directories(dir / "pkg" / "skip");
  std::ofstream(dir / "pkg" / "__init__.py") << "x = 1\n";
  std::ofstream(dir / "pkg" / "mod.pyi") << "y: int\n";
  std::ofstream(dir / "pkg" / "native.so") << "ELF";
  std::ofstream(dir / "pkg" / "skip" / "other.py") << "z = 2\n";
  auto run = [&](const std::string& args) {
    FILE* p = ::popen(("PYTHONPATH=" + dir.string() + " /usr/bin/python3 -c " + shell_quote(kLibsProbeScript) + " " + args).c_str(), "r");
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    EXPECT_EQ(::pclose(p), 0);
    return out;
  };
  auto facts = parse_libs_facts(run("facts"));
  EXPECT_THAT(facts.version, ::testing::StartsWith("3."));
  EXPECT_FALSE(facts.stdlib.empty());
  bool listed = false;
  for (const auto& e : facts.entries)
    if (e.real == fs::canonical(dir).string()) listed = e.type == "dir" && e.stamp.size() == 16;
  EXPECT_TRUE(listed) << "the PYTHONPATH folder with its stamp";
  auto sizes = nlohmann::json::parse(run("sizes " + shell_quote(dir.string()) + " -- " + shell_quote((dir / "pkg" / "skip").string())));
  EXPECT_EQ(sizes[dir.string()][0], 2);  // __init__.py and mod.pyi, not native.so nor skip/other.py
  EXPECT_EQ(sizes[dir.string()][1], 6 + 7);
  fs::remove_all(dir);
}

TEST(LibsSizes, ParseAndFormat) {
  EXPECT_EQ(parse_size("512MiB"), std::uint64_t{512} << 20);
  EXPECT_EQ(parse_size("2GiB"), std::uint64_t{2} << 30);
  EXPECT_EQ(parse_size("2g"), std::uint64_t{2} << 30);
  EXPECT_EQ(parse_size("300 MB"), std::uint64_t{300} << 20);
  EXPECT_EQ(parse_size("1048576"), std::uint64_t{1} << 20);
  EXPECT_EQ(parse_size("0"), std::nullopt);
  EXPECT_EQ(parse_size("lots"), std::nullopt);
  EXPECT_EQ(parse_size("2 parsecs"), std::nullopt);
  EXPECT_EQ(parse_size("99999999999999999999"), std::nullopt);
  EXPECT_EQ(format_size(std::uint64_t{70} << 20), "70 MiB");
  EXPECT_EQ(format_size(std::uint64_t{3} << 29), "1.5 GiB");
  EXPECT_EQ(format_size(12), "12 bytes");
}

TEST(LibsTree, ArchiveNamesOutsideTheRootOrUnsafeAreRefused) {
  EXPECT_EQ(container_path_of("/usr/lib/python3/dist-packages", "dist-packages/torch/nn/__init__.py"),
            "/usr/lib/python3/dist-packages/torch/nn/__init__.py");
  EXPECT_EQ(container_path_of("/usr/lib/python3/dist-packages", "dist-packages/"), "/usr/lib/python3/dist-packages");
  EXPECT_EQ(container_path_of("/usr/lib/python3/dist-packages", "dist-packages/../../etc/passwd.py"), "");
  EXPECT_EQ(container_path_of("/usr/lib/python3/dist-packages", "/etc/x.py"), "");
  EXPECT_EQ(container_path_of("/usr/lib/python3/dist-packages", "site-packages/x.py"), "");
  EXPECT_EQ(container_path_of("/usr/lib/python3/dist-packages", "dist-packages//x.py"), "");
  std::string deep = "dist-packages";
  for (int i = 0; i < 70; ++i) deep += "/d";
  EXPECT_EQ(container_path_of("/usr/lib/python3/dist-packages", deep + "/x.py"), "");
}

TEST(LibsTree, KeepsSourceStubsAndMarkersOnly) {
  EXPECT_TRUE(is_source_or_stub("a/b/__init__.py"));
  EXPECT_TRUE(is_source_or_stub("a/_C/__init__.pyi"));
  EXPECT_TRUE(is_source_or_stub("a/py.typed"));
  EXPECT_FALSE(is_source_or_stub("a/b.pyc"));
  EXPECT_FALSE(is_source_or_stub("a/_C.cpython-311-x86_64-linux-gnu.so"));
  EXPECT_FALSE(is_source_or_stub("a/.py"));
  EXPECT_FALSE(is_source_or_stub("a/README.md"));
}

class LibsWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("dlc-libs-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_);
  }
  void TearDown() override { remove_tree(root_); }
  fs::path root_;
};

// A producer that hands the archive over in small pieces, as the engine's response arrives.
engine::TarProducer pieces(std::string tar, std::atomic<bool>* stopped = nullptr) {
  return [tar = std::move(tar), stopped](const engine::DataSink& sink, const CancelToken& stop) {
    auto reg = stop.on_cancel([stopped] {
      if (stopped) *stopped = true;
    });
    for (std::size_t off = 0; off < tar.size(); off += 1000) sink(std::string_view(tar).substr(off, 1000));
  };
}

TEST_F(LibsWriter, WritesOnlySourceAndStubsReadOnlyAndPassesOverExcludedFolders) {
  std::string tar = engine::tar_files({{"dist-packages/torch/__init__.py", "import torch._C\n", 0644},
                                       {"dist-packages/torch/_C/__init__.pyi", "def f() -> int: ...\n", 0644},
                                       {"dist-packages/torch/py.typed", "", 0644},
                                       {"dist-packages/torch/_C.cpython-311-x86_64-linux-gnu.so", std::string(5000, 'x'), 0755},
                                       {"dist-packages/torch/__pycache__/__init__.cpython-311.pyc", "pyc", 0644},
                                       {"dist-packages/mine/x.py", "secret = 1\n", 0644}});
  LibsTreeWriter writer(root_ / "tree", 1 << 20);
  ASSERT_TRUE(engine::read_tar_stream(pieces(tar), writer.visitor("/usr/lib/python3/dist-packages", {"/usr/lib/python3/dist-packages/mine"})));
  fs::path base = root_ / "tree/usr/lib/python3/dist-packages";
  EXPECT_TRUE(fs::is_regular_file(base / "torch/__init__.py"));
  EXPECT_TRUE(fs::is_regular_file(base / "torch/_C/__init__.pyi"));
  EXPECT_TRUE(fs::is_regular_file(base / "torch/py.typed"));
  EXPECT_FALSE(fs::exists(base / "torch/_C.cpython-311-x86_64-linux-gnu.so"));
  EXPECT_FALSE(fs::exists(base / "torch/__pycache__"));
  EXPECT_FALSE(fs::exists(base / "mine"));
  EXPECT_EQ(writer.files(), 3u);
  EXPECT_EQ(writer.bytes(), 16u + 20u);
  std::ifstream in(base / "torch/_C/__init__.pyi");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "def f() -> int: ...\n");

  make_read_only(root_ / "tree");
  struct stat st {};
  ASSERT_EQ(::stat((base / "torch/__init__.py").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444u);
  ASSERT_EQ(::stat((base / "torch").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u) << "folders stay removable";
}

TEST_F(LibsWriter, TheCapStopsTheStreamAndSaysSo) {
  std::vector<engine::ArchiveFile> files;
  for (int i = 0; i < 200; ++i) files.push_back({"site-packages/big/m" + std::to_string(i) + ".py", std::string(10000, 'a'), 0644});
  std::atomic<bool> stopped = false;
  LibsTreeWriter writer(root_ / "tree", 55000);
  EXPECT_FALSE(engine::read_tar_stream(pieces(engine::tar_files(files), &stopped), writer.visitor("/opt/site-packages", {})));
  EXPECT_TRUE(writer.capped());
  EXPECT_EQ(writer.files(), 5u);
  EXPECT_LE(writer.bytes(), 55000u);
  EXPECT_TRUE(stopped) << "the producer was told to stop";
}

TEST_F(LibsWriter, AProducersErrorIsThrownAndADamagedArchiveIsNamed) {
  LibsTreeWriter writer(root_ / "tree", 1 << 20);
  auto failing = [](const engine::DataSink&, const CancelToken&) { throw Error(ErrorCode::PathNotFound, "no such folder"); };
  try {
    engine::read_tar_stream(failing, writer.visitor("/x", {}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::PathNotFound);
  }
  std::string tar = engine::tar_files({{"x/a.py", std::string(3000, 'a'), 0644}});
  tar.resize(700);  // cut inside the file's data
  EXPECT_THROW(engine::read_tar_stream(pieces(tar), writer.visitor("/x", {})), Error);
}

TEST_F(LibsWriter, TheReaderRefusesEntriesThatReachOutOfTheFolder) {
  std::string deep = "x";
  for (int i = 0; i < 70; ++i) deep += "/d";
  for (const std::string& name : {std::string("x/../../etc/evil.py"), std::string("/etc/evil.py"), deep + "/a.py",
                                  "x/" + std::string(5000, 'n') + ".py"}) {
    LibsTreeWriter writer(root_ / "tree", 1 << 20);
    int seen = 0;
    auto visitor = [&](const engine::TarEntry& e, engine::TarData& d) {
      ++seen;
      return writer.visitor("/x", {})(e, d);
    };
    try {
      engine::read_tar_stream(pieces(engine::tar_files({{"x/ok.py", "a", 0644}, {name, "b", 0644}})), visitor);
      FAIL() << "accepted " << name.substr(0, 40);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::EngineError);
      EXPECT_THAT(e.what(), HasSubstr("unsafe path"));
    }
    EXPECT_EQ(seen, 1) << "only the entry before it was visited";
    EXPECT_FALSE(fs::exists(root_ / "etc"));
    remove_tree(root_ / "tree");
  }
}

TEST_F(LibsWriter, CancellingStopsBothSides) {
  auto cancel = CancelToken::make();
  std::string tar = engine::tar_files({{"x/a.py", "a", 0644}, {"x/b.py", "b", 0644}});
  LibsTreeWriter writer(root_ / "tree", 1 << 20);
  auto visitor = [&](const engine::TarEntry& e, engine::TarData& d) {
    cancel.cancel();
    return writer.visitor("/x", {})(e, d);
  };
  try {
    engine::read_tar_stream(pieces(tar), visitor, cancel);
    FAIL() << "not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Cancelled);
  }
}

TEST_F(LibsWriter, SwapPutsTheNewMirrorInPlaceAndRemovesTheOld) {
  fs::create_directories(root_ / "old/tree");
  std::ofstream(root_ / "old/tree/a.py") << "old";
  make_read_only(root_ / "old");
  fs::create_directories(root_ / "new/tree");
  std::ofstream(root_ / "new/tree/b.py") << "new";
  swap_into_place(root_ / "old", root_ / "target");  // nothing there yet: a rename
  EXPECT_TRUE(fs::exists(root_ / "target/tree/a.py"));
  swap_into_place(root_ / "new", root_ / "target");
  EXPECT_TRUE(fs::exists(root_ / "target/tree/b.py"));
  EXPECT_FALSE(fs::exists(root_ / "target/tree/a.py"));
  EXPECT_FALSE(fs::exists(root_ / "new")) << "the old mirror, swapped out, is removed";
}

}  // namespace
}  // namespace dlc::core
