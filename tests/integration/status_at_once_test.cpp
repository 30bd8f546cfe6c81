// A status answered without a worker (core::Workspaces::status_text_at_once, the server's I/O thread):
// kept only while the engine's events and the kernel's file events both say nothing it was read from
// has changed. The real engine, the real files; the answer at once is compared with a fresh lookup.
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "core/slurm_placement.h"
#include "core/workspace.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string config(const std::string& extra = "") {
  return std::string(R"({"image": ")") + kBaseImage + "\"" + (extra.empty() ? "" : ", " + extra) + "}";
}

// A Workspaces that follows the engine's events, as `dlcontainer serve` does, on a thread of its own.
class Following {
 public:
  explicit Following(engine::Engine& engine) : w(engine) {
    thread_ = std::thread([this] { w.watch({}, cancel_); });
  }
  ~Following() {
    cancel_.cancel();
    thread_.join();
  }
  core::Workspaces w;

 private:
  CancelToken cancel_ = CancelToken::make();
  std::thread thread_;
};

// The worker's answer, asked until it is kept for answers at once (the subscription goes live first);
// at most 10 s. Returns whether it was kept.
bool kept_after_asking(core::Workspaces& w, const core::StatusParams& p) {
  for (int i = 0; i < 100; ++i) {
    w.status_text(p);
    if (w.status_text_at_once(p)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

json at_once(core::Workspaces& w, const core::StatusParams& p) {
  auto text = w.status_text_at_once(p);
  return text ? json::parse(*text->text) : json();
}

// The Slurm records in a folder of the test's own, and the variable put back after.
struct StateHome {
  explicit StateHome(const fs::path& dir) {
    if (const char* old = std::getenv("XDG_STATE_HOME")) old_ = old;
    ::setenv("XDG_STATE_HOME", dir.c_str(), 1);
  }
  ~StateHome() {
    if (old_) ::setenv("XDG_STATE_HOME", old_->c_str(), 1);
    else ::unsetenv("XDG_STATE_HOME");
  }
  std::optional<std::string> old_;
};

TEST(StatusAtOnce, IsKeptUntilAFileItWasReadFromChanges) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  StateHome state(ws.path().parent_path() / "state");
  ws.devcontainer(config());
  ws.write("train.py", "print(1)\n");
  Following f(engine);
  core::StatusParams p{.workspace = ws.str()};
  f.w.up(core::UpParams{.workspace = ws.str()});
  core::Workspaces fresh(engine);  // follows no events: it asks the engine and reads the files every time

  ASSERT_TRUE(kept_after_asking(f.w, p));
  EXPECT_EQ(at_once(f.w, p), json(fresh.status(p)));
  EXPECT_EQ(at_once(f.w, p)["outOfDate"], false);
  ws.write("train.py", "print(2)\n");  // not what a status reads: still kept
  EXPECT_EQ(at_once(f.w, p)["state"], "running");

  // devcontainer.json edited: not answered at once; the worker's answer says out of date, and is kept.
  ws.devcontainer(config(R"("remoteEnv": {"X": "1"})"));
  EXPECT_EQ(at_once(f.w, p), json());
  ASSERT_TRUE(kept_after_asking(f.w, p));
  EXPECT_EQ(at_once(f.w, p)["outOfDate"], true);
  EXPECT_EQ(at_once(f.w, p), json(fresh.status(p)));

  // Put back as it was (an editor's save: a new file renamed over it): up to date again.
  ws.write(".devcontainer/new.json", config());
  fs::rename(ws.path() / ".devcontainer/new.json", ws.path() / ".devcontainer/devcontainer.json");
  EXPECT_EQ(at_once(f.w, p), json());
  ASSERT_TRUE(kept_after_asking(f.w, p));
  EXPECT_EQ(at_once(f.w, p)["outOfDate"], false);

  // A Slurm record made for the folder (another `up --slurm`): a status must read it.
  auto record = core::slurm_record_path(ws.str());
  fs::create_directories(record.parent_path());
  std::ofstream(record) << "{}";
  EXPECT_EQ(at_once(f.w, p), json());
  fs::remove(record);

  // The container stopped behind its back: the engine's event drops it.
  ASSERT_TRUE(kept_after_asking(f.w, p));
  auto id = ws.containers(engine).at(0).id;
  engine.stop_container(id, 1);
  bool dropped = false;
  for (int i = 0; i < 100 && !dropped; ++i) {
    dropped = !f.w.status_text_at_once(p);
    if (!dropped) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(dropped);
  ASSERT_TRUE(kept_after_asking(f.w, p));
  EXPECT_EQ(at_once(f.w, p)["state"], "exited");
  EXPECT_EQ(at_once(f.w, p), json(fresh.status(p)));
}

TEST(StatusAtOnce, OnlyACanonicalFolderIsKept) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(config());
  fs::create_directory_symlink(ws.path(), ws.path().parent_path() / "link");
  Following f(engine);
  f.w.up(core::UpParams{.workspace = ws.str()});
  ASSERT_TRUE(kept_after_asking(f.w, core::StatusParams{.workspace = ws.str()}));
  // The same folder through a link, or with a trailing part to resolve: resolved on a worker each time.
  for (auto other : {(ws.path().parent_path() / "link").string(), ws.str() + "/.devcontainer/.."}) {
    core::StatusParams p{.workspace = other};
    EXPECT_EQ(json::parse(*f.w.status_text(p).text)["workspace"], ws.str());
    EXPECT_EQ(f.w.status_text(p).text, f.w.status_text(core::StatusParams{.workspace = ws.str()}).text);
    EXPECT_FALSE(f.w.status_text_at_once(p)) << other;
  }
}

}  // namespace
}  // namespace dlc::testing
