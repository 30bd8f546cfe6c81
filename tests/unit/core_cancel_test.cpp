// Cancellation as the RPC methods use it, without a daemon: a plan stops walking and keeps no partial
// import cache, and waiting for a service's HTTP answer ends at the cancel instead of its deadline.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/plan.h"
#include "inspect/inspect.h"
#include "plan_fixtures.h"
#include "services/probe.h"
#include "support/error.h"

using namespace dlc;
using dlc::testing::TempRepo;

namespace {

// The steps a ProgressSink was told about.
class Steps : public ProgressSink {
 public:
  void begin(std::string_view title) override { seen.emplace_back(title); }
  void report(std::string_view message, std::optional<int>) override { seen.emplace_back(message); }
  std::vector<std::string> seen;
};

// Sets an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::Internal;  // did not throw
}

}  // namespace

TEST(PlanCancel, ACancelledInspectionThrowsCancelledAndKeepsNoImportCache) {
  TempRepo repo, cache;
  for (int i = 0; i < 100; ++i) repo.write("pkg/m" + std::to_string(i) + ".py", "import torch\n");
  inspect::InspectOptions options;
  options.cache_dir = cache.path() / "imports";
  options.cancel = CancelToken::make();
  options.cancel.cancel();
  EXPECT_EQ(code_of([&] { inspect::inspect_repository(repo.path(), options); }), ErrorCode::Cancelled);
  EXPECT_FALSE(std::filesystem::exists(options.cache_dir) && !std::filesystem::is_empty(options.cache_dir));

  // The same inspection uncancelled reads them all.
  options.cancel = CancelToken();
  auto facts = inspect::inspect_repository(repo.path(), options);
  EXPECT_GE(facts.files_seen, 100u);
}

TEST(PlanCancel, PlanWorkspaceReportsItsStepsAndStopsWhenCancelled) {
  TempRepo repo, home;
  ScopedEnv cache("XDG_CACHE_HOME", (home.path() / "cache").string());
  ScopedEnv config("XDG_CONFIG_HOME", (home.path() / "config").string());
  repo.write("requirements.txt", "torch==2.1.0\n");
  repo.write("train.py", "import torch\n");
  core::PlanParams params;
  params.workspace = repo.path().string();
  params.driver = "535.104.05";

  Steps steps;
  auto r = core::plan_workspace(params, steps, CancelToken::make());
  EXPECT_EQ(r.plan.framework, "pytorch");
  ASSERT_EQ(steps.seen.size(), 2u);
  EXPECT_TRUE(steps.seen[0].starts_with("reading the repository")) << steps.seen[0];
  EXPECT_TRUE(steps.seen[1].starts_with("resolving")) << steps.seen[1];

  auto cancelled = CancelToken::make();
  cancelled.cancel();
  EXPECT_EQ(code_of([&] { core::plan_workspace(params, no_progress(), cancelled); }), ErrorCode::Cancelled);
}

TEST(ProbeCancel, WaitingForAnHttpAnswerEndsAtTheCancelNotTheDeadline) {
  // A port bound and never listened on: every try is refused, so the wait would last its whole deadline.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  auto cancel = CancelToken::make();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel.cancel();
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(code_of([&] { services::wait_http("127.0.0.1", port, "/", {}, 200, std::chrono::seconds(60), cancel); }),
            ErrorCode::Cancelled);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ::close(fd);
}
