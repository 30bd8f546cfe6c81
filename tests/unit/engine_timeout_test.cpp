// engine/http against engines that misbehave, each a real unix socket this test listens on: one that
// accepts and never answers (a frozen dockerd), one that trickles its header a byte at a time, one
// whose answer never ends, one that closes kept connections. Every case ends in an Error that names the
// engine and what it was asked, in bounded time and memory; none hangs.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "engine/engine.h"
#include "engine/http.h"
#include "support/error.h"
#include "support/nesting.h"

namespace dlc::engine {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

void send_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads one request's header (up to the blank line), as a server would before it answers.
bool read_request(int fd) {
  std::string got;
  char c;
  while (got.find("\r\n\r\n") == std::string::npos) {
    if (::read(fd, &c, 1) != 1) return false;
    got += c;
  }
  return true;
}

// A unix socket that runs `serve` for every connection it accepts, on threads of its own.
class FakeEngine {
 public:
  explicit FakeEngine(std::function<void(int fd, int n)> serve) : serve_(std::move(serve)) {
    path_ = (fs::temp_directory_path() / ("dlc-fake-engine-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))).string();
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    acceptor_ = std::thread([this] {
      for (int n = 0;; ++n) {
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        accepted_++;
        {
          std::lock_guard lock(mu_);
          clients_.push_back(c);
        }
        workers_.emplace_back([this, c, n] {
          serve_(c, n);
          // Held open until the test ends: a server that stops talking, not one that hangs up.
          while (!stop_) std::this_thread::sleep_for(10ms);
          ::close(c);
        });
      }
    });
  }
  ~FakeEngine() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    {
      std::lock_guard lock(mu_);  // a server blocked reading a kept connection ends too
      for (int c : clients_) ::shutdown(c, SHUT_RDWR);
    }
    ::close(fd_);
    acceptor_.join();
    for (auto& w : workers_) w.join();
    ::unlink(path_.c_str());
  }
  Endpoint endpoint() const { return Endpoint::parse("unix://" + path_, "DOCKER_HOST"); }
  int accepted() const { return accepted_; }

 private:
  static inline int counter_ = 0;
  std::function<void(int, int)> serve_;
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::vector<int> clients_;
};

// A reply timeout this test can wait for.
class ShortTimeout : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("DLC_ENGINE_TIMEOUT", "0.5", 1); }
  void TearDown() override { ::unsetenv("DLC_ENGINE_TIMEOUT"); }
};

const char* kPing = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK";

TEST_F(ShortTimeout, AnEngineThatAcceptsAndNeverAnswersIsATimeoutNamingItAndTheRequest) {
  FakeEngine frozen([](int, int) {});
  auto started = std::chrono::steady_clock::now();
  try {
    Engine::connect(frozen.endpoint());
    FAIL() << "a frozen engine was taken for a working one";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::EngineUnavailable);
    std::string what = e.what();
    EXPECT_NE(what.find("did not answer within"), std::string::npos) << what;
    EXPECT_NE(what.find("answering a ping (GET /_ping)"), std::string::npos) << what;
    EXPECT_NE(what.find("(DOCKER_HOST)"), std::string::npos) << what;
    EXPECT_NE(e.hint().find("DLC_ENGINE_TIMEOUT"), std::string::npos);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);  // bounded, not a hang (the bound is generous)
}

TEST_F(ShortTimeout, AHeaderTrickledAByteAtATimeStillMeetsItsDeadline) {
  FakeEngine trickle([](int fd, int) {
    if (!read_request(fd)) return;
    std::string header = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nX-Padding: " + std::string(200, 'a') + "\r\n\r\n";
    for (char c : header) {
      if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) return;
      std::this_thread::sleep_for(50ms);  // each gap shorter than the idle limit: only the deadline can end it
    }
  });
  try {
    Connection c(trickle.endpoint());
    c.request("GET", "/_ping");
    FAIL() << "a header trickled for seconds was waited for";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::EngineUnavailable);
    EXPECT_NE(std::string(e.what()).find("did not answer within"), std::string::npos) << e.what();
  }
}

TEST_F(ShortTimeout, AnEndlessAnswerIsRefusedAtTheLimitNotBuffered) {
  ::setenv("DLC_ENGINE_TIMEOUT", "30", 1);  // the size limit, not a timeout, must end this one
  FakeEngine endless([](int fd, int) {
    if (!read_request(fd)) return;
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    std::string chunk = "10000\r\n" + std::string(0x10000, '[') + "\r\n";
    for (std::size_t sent = 0; sent < 2 * kReplyLimit; sent += 0x10000) {
      if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0) return;
    }
  });
  try {
    Connection c(endless.endpoint());
    c.request("GET", "/v1.41/containers/json");
    FAIL() << "an answer larger than the limit was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::EngineError);
    EXPECT_NE(std::string(e.what()).find("listing containers"), std::string::npos) << e.what();
  }
}

TEST_F(ShortTimeout, AFollowedStreamMayStaySilentButStillEndsOnCancel) {
  FakeEngine quiet([](int fd, int) {
    if (!read_request(fd)) return;
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    // then nothing: an engine with no events to tell
  });
  auto cancel = CancelToken::make();
  std::thread canceller([&] {
    std::this_thread::sleep_for(1500ms);  // three times the reply timeout: silence is not an error here
    cancel.cancel();
  });
  try {
    Connection c(quiet.endpoint(), cancel);
    c.stream("GET", "/v1.41/events", {}, [](std::string_view) {}, /*follow=*/true);
    ADD_FAILURE() << "the stream ended by itself";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Cancelled) << e.what();
  }
  canceller.join();
}

TEST_F(ShortTimeout, AStreamThatIsNotFollowedMayNotStaySilent) {
  FakeEngine quiet([](int fd, int) {
    if (!read_request(fd)) return;
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  });
  Connection c(quiet.endpoint());
  EXPECT_THROW(c.stream("GET", "/v1.41/containers/x/logs", {}, [](std::string_view) {}, /*follow=*/false), Error);
}

TEST(EngineConnections, AreKeptForTheNextRequestAndReplacedWhenTheEngineClosedThem) {
  // Answers every request on a connection; the second connection is closed after its first answer.
  FakeEngine engine([](int fd, int n) {
    for (int i = 0; read_request(fd); ++i) {
      send_all(fd, kPing);
      if (n == 1) {
        ::shutdown(fd, SHUT_RDWR);
        return;
      }
    }
  });
  auto endpoint = engine.endpoint();
  for (int i = 0; i < 3; ++i) {
    Connection c(endpoint, {}, Connection::Reuse::Yes);
    EXPECT_EQ(c.request("GET", "/_ping").status, 200u);
  }
  EXPECT_EQ(engine.accepted(), 1);  // one connection carried all three

  // Without reuse, a connection each; the second one the engine closes after answering.
  { Connection c(endpoint); EXPECT_EQ(c.request("GET", "/_ping").status, 200u); }
  EXPECT_EQ(engine.accepted(), 2);
}

TEST(EngineConnections, AKeptConnectionClosedWhileIdleIsNotHandedOut) {
  FakeEngine engine([](int fd, int n) {
    if (!read_request(fd)) return;
    send_all(fd, kPing);
    if (n == 0) ::shutdown(fd, SHUT_RDWR);  // the engine restarted, say: its kept connection is gone
    while (read_request(fd)) send_all(fd, kPing);
  });
  auto endpoint = engine.endpoint();
  { Connection c(endpoint, {}, Connection::Reuse::Yes); EXPECT_EQ(c.request("GET", "/_ping").status, 200u); }
  std::this_thread::sleep_for(100ms);
  { Connection c(endpoint, {}, Connection::Reuse::Yes); EXPECT_EQ(c.request("GET", "/_ping").status, 200u); }
  EXPECT_EQ(engine.accepted(), 2);
}

TEST(EngineReplies, ThatAreNotJsonOrNestTooDeepAreEngineErrorsSayingWhatWasAsked) {
  try {
    parse_reply("<html>proxy error</html>", "listing containers");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::EngineError);
    EXPECT_NE(std::string(e.what()).find("listing containers is not the JSON the Docker Engine API sends: <html>"), std::string::npos) << e.what();
  }
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THROW(parse_reply(deep, "x"), Error);
  EXPECT_TRUE(parse_json_within(deep).is_discarded());
  EXPECT_THROW(read_reply("{\"Id\": 5}", "creating a container", [](const nlohmann::json& j) { return j.at("Id").get<std::string>(); }),
               Error);
}

TEST(EngineReplies, LinesAndFramesLargerThanTheLimitsAreRefused) {
  LineSplitter lines([](std::string_view) {});
  std::string piece(1 << 20, 'x');
  EXPECT_THROW(
      {
        for (int i = 0; i < 10; ++i) lines.feed(piece);
      },
      Error);
  Demuxer demux([](std::string_view) {}, [](std::string_view) {});
  std::string header("\x01\0\0\0\x7f\xff\xff\xff", 8);  // a frame of 2 GiB announced
  EXPECT_THROW(demux.feed(header), Error);
}

}  // namespace
}  // namespace dlc::engine
