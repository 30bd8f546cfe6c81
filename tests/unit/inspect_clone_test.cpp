// Clones that can be stopped, and a network failure that says so (issue 20): 127.0.0.1 only.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "inspect/repo.h"
#include "plan_fixtures.h"
#include "support/cancel.h"
#include "support/error.h"

using namespace dlc;
using namespace dlc::inspect;
using dlc::testing::TempRepo;

namespace {

// A loopback port that nothing listens on: bound (so no one else takes it) but never listening.
struct ClosedPort {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0;
  ClosedPort() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~ClosedPort() { ::close(fd); }
};

ErrorCode code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::Internal;
}

}  // namespace

TEST(Clone, AHostThatCannotBeReachedIsANetworkErrorNotAMissingPath) {
  TempRepo clones;
  ClosedPort closed;
  std::string url = "http://127.0.0.1:" + std::to_string(closed.port) + "/paper.git";
  EXPECT_EQ(code_of([&] { checkout(url, clones.path()); }), ErrorCode::NetworkUnavailable);
  EXPECT_FALSE(std::filesystem::exists(clone_folder(url, clones.path())));
}

TEST(Clone, ACancelledCloneStopsAndLeavesNothingBehind) {
  TempRepo origin;
  for (int i = 0; i < 20; ++i) origin.write("f" + std::to_string(i) + ".txt", std::string(1000, 'x'));
  origin.commit(dlc::testing::utc(2021, 1, 1));
  TempRepo clones;
  std::string url = "file://" + origin.path().string();
  auto cancel = CancelToken::make();
  cancel.cancel();
  EXPECT_EQ(code_of([&] { checkout(url, clones.path(), cancel); }), ErrorCode::Cancelled);
  EXPECT_FALSE(std::filesystem::exists(clone_folder(url, clones.path())));
}
