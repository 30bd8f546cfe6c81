// Forwarded connections as channels of one agent session per container (services/agent_session.h),
// against a real container: many connections at once keep every byte in both directions, a half
// close reaches the other side, a reader that stops reading holds back only its own connection, and
// a killed agent costs the connections it carried, not the next one. A server in the container
// (tests/integration/mux_server.py, run by the image's python3) answers each connection by its first line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "integration/support.h"
#include "services/agent_session.h"
#include "services/forward.h"
#include "support/hash.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kServerPort = 9100;

// A workspace whose container runs mux_server.py on its loopback, and a forward to it.
struct Fixture {
  Workspace ws{"mux"};
  std::string container_id;
  std::unique_ptr<services::PortForwarder> forward;

  explicit Fixture(engine::Engine& engine) {
    ::setenv("DLC_AGENT", (fs::path(DLC_BINARY).parent_path() / "dlcontainer-agent").c_str(), 1);
    std::ifstream script(fs::path(DLC_SOURCE_DIR) / "tests/integration/mux_server.py");
    ws.write("mux_server.py", std::string(std::istreambuf_iterator<char>(script), {}));
    ws.devcontainer(R"({"image": "dlc-test/python:latest"})");
    auto r = dlc({"up", ws.str(), "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    auto up = json::parse(r.out, nullptr, false);
    container_id = up.value("containerId", "");
    std::string folder = up.value("remoteWorkspaceFolder", "");
    auto start = dlc({"exec", "-w", ws.str(), "-T", "--", "sh", "-c",
                      "setsid python3 " + folder + "/mux_server.py " + std::to_string(kServerPort) + " >/tmp/mux.log 2>&1 </dev/null &"});
    EXPECT_EQ(start.status, 0) << start.err;
    forward = std::make_unique<services::PortForwarder>(
        engine, services::PortForwarder::Options{.container_id = container_id, .container_port = kServerPort});
  }
  int port() const { return forward->forward().host_port; }
};

// A connected socket to the forward, with reads and writes that give up after a minute (a hang is a failure).
int dial(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  timeval limit{60, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  return fd;
}

bool send_all(int fd, std::string_view d) {
  while (!d.empty()) {
    ssize_t n = ::send(fd, d.data(), d.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    d.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Everything until the other side closes (or `limit` bytes, or an error: then what came).
std::string read_to_end(int fd, std::size_t limit = SIZE_MAX) {
  std::string got;
  char buf[65536];
  while (got.size() < limit) {
    ssize_t n = ::recv(fd, buf, std::min(sizeof buf, limit - got.size()), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

// What mux_server.py's "gen N" sends: byte k is k % 251.
bool is_gen_stream(std::string_view got, std::size_t offset = 0) {
  for (std::size_t k = 0; k < got.size(); ++k)
    if (static_cast<unsigned char>(got[k]) != (offset + k) % 251) return false;
  return true;
}

// One echo connection: sends data while reading the echo back, half-closes, returns what came back.
std::string echo(int port, const std::string& data) {
  int fd = dial(port);
  std::thread writer([&] {
    send_all(fd, "echo\n");
    send_all(fd, data);
    ::shutdown(fd, SHUT_WR);
  });
  std::string back = read_to_end(fd);
  writer.join();
  ::close(fd);
  return back;
}

// The server answers only once it listens; the first connections may come before.
void wait_for_server(int port) {
  for (int i = 0; i < 100; ++i) {
    if (echo(port, "ping") == "ping") return;
    std::this_thread::sleep_for(200ms);
  }
  FAIL() << "the server in the container never answered through the forward";
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

template <class F>
bool eventually(F condition, std::chrono::milliseconds limit = 20s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

TEST(ForwardSession, SixtyFourConnectionsAtOnceKeepEveryByteInBothDirectionsOverOneExec) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine);
  wait_for_server(fx.port());
  int sessions_before = services::agent_sessions_started();
  int connections_before = fx.forward->connections();
  constexpr int kConnections = 64;
  constexpr std::size_t kBytes = 1 << 20;
  std::vector<std::string> sent(kConnections), back(kConnections);
  std::vector<std::thread> clients;
  for (int i = 0; i < kConnections; ++i) {
    sent[i] = random_bytes(kBytes + static_cast<std::size_t>(i) * 997, static_cast<unsigned>(i));
    clients.emplace_back([&, i] { back[i] = echo(fx.port(), sent[i]); });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < kConnections; ++i) {
    ASSERT_EQ(back[i].size(), sent[i].size()) << "connection " << i;
    EXPECT_EQ(sha256_hex(back[i]), sha256_hex(sent[i])) << "connection " << i;
  }
  // A hundred more, one after another: still no new exec.
  for (int i = 0; i < 100; ++i) ASSERT_EQ(echo(fx.port(), "n" + std::to_string(i)), "n" + std::to_string(i));
  EXPECT_EQ(services::agent_sessions_started(), sessions_before) << "connections started execs of their own";
  EXPECT_EQ(fx.forward->connections() - connections_before, kConnections + 100);
  // Each connection's channel was let go of at its end.
  auto session = services::agent_session(engine, fx.container_id);
  EXPECT_TRUE(eventually([&] { return session->open_channels() == 0; })) << session->open_channels() << " channels left";
}

TEST(ForwardSession, AHalfClosedConnectionStillGetsItsAnswerAndTheServersEndReachesTheClient) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine);
  wait_for_server(fx.port());
  // The server answers "hash" only once it has read to the end: the client's half close must arrive.
  std::string data = random_bytes(3 << 20, 7);
  int fd = dial(fx.port());
  ASSERT_TRUE(send_all(fd, "hash\n" + data));
  ASSERT_EQ(::shutdown(fd, SHUT_WR), 0);
  EXPECT_EQ(read_to_end(fd), sha256_hex(data));
  ::close(fd);
  // The other way: the server sends a known stream and closes; the client sees all of it, then the end.
  fd = dial(fx.port());
  ASSERT_TRUE(send_all(fd, "gen 5000000\n"));
  std::string got = read_to_end(fd);
  EXPECT_EQ(got.size(), 5000000u);
  EXPECT_TRUE(is_gen_stream(got));
  // The client may still send after the server's end: its half is its own.
  EXPECT_TRUE(send_all(fd, "late"));
  ::close(fd);
}

TEST(ForwardSession, AReaderThatStopsReadingHoldsBackOnlyItsOwnConnection) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine);
  wait_for_server(fx.port());
  constexpr std::size_t kLarge = 128u << 20;  // far beyond every buffer on the way
  long rss_before = rss_kib();
  int slow = dial(fx.port());
  ASSERT_TRUE(send_all(slow, "gen " + std::to_string(kLarge) + "\n"));
  std::string first = read_to_end(slow, 1000);  // it has started, then nothing is read for a while
  ASSERT_EQ(first.size(), 1000u);
  // Meanwhile others come and go, whole.
  std::vector<std::thread> others;
  std::atomic<int> whole{0};
  for (int i = 0; i < 8; ++i) {
    others.emplace_back([&, i] {
      std::string data = random_bytes(256 << 10, 100 + static_cast<unsigned>(i));
      if (echo(fx.port(), data) == data) ++whole;
    });
  }
  for (auto& t : others) t.join();
  EXPECT_EQ(whole.load(), 8) << "connections stalled behind one that did not read";
  // By now the server has long been blocked by the window: this process (the forward's) holds at most
  // the window's megabyte for it (and the others' data and threads, some 15 MiB), not the 128 MiB asked for.
  EXPECT_LT(rss_kib() - rss_before, 48 * 1024) << "the forward buffered what its client did not read";
  // The slow one resumes where it stopped and loses nothing.
  std::string rest = read_to_end(slow);
  ::close(slow);
  EXPECT_EQ(first.size() + rest.size(), kLarge);
  EXPECT_TRUE(is_gen_stream(first) && is_gen_stream(rest, first.size()));
}

TEST(ForwardSession, AKilledAgentEndsItsConnectionsAndTheNextConnectionStartsANewSession) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine);
  wait_for_server(fx.port());
  auto session = services::agent_session(engine, fx.container_id);
  int pid = session->agent_pid();
  ASSERT_GT(pid, 0);
  int started = services::agent_sessions_started();
  int streaming = dial(fx.port());
  ASSERT_TRUE(send_all(streaming, "gen 2000000000\n"));
  ASSERT_EQ(read_to_end(streaming, 1 << 20).size(), 1u << 20);
  // Killed from outside, as an OOM killer or a user's `kill -9` would.
  auto killed = dlc({"exec", "-w", fx.ws.str(), "-T", "--", "/usr/local/lib/dlcontainer/agent", "signal", "--pid",
                     std::to_string(pid), "KILL"});
  ASSERT_EQ(killed.status, 0) << killed.err;
  // The connection it carried ends (well short of the 2 GB asked for), within the read limit.
  std::string rest = read_to_end(streaming);
  ::close(streaming);
  EXPECT_LT(rest.size(), 1500000000u);
  EXPECT_TRUE(eventually([&] { return !session->alive(); }));
  session.reset();
  // The next connection works, through a new session.
  EXPECT_EQ(echo(fx.port(), "after"), "after");
  EXPECT_EQ(services::agent_sessions_started(), started + 1);
  auto next = services::agent_session(engine, fx.container_id);
  EXPECT_TRUE(next->alive());
  EXPECT_NE(next->agent_pid(), pid);
}

TEST(ForwardSession, APortWhereNothingListensClosesThatConnectionAndTheSessionGoesOn) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine);
  wait_for_server(fx.port());
  services::PortForwarder nowhere(engine, {.container_id = fx.container_id, .container_port = 9199});
  int fd = dial(nowhere.forward().host_port);
  // Its end comes as soon as the agent says the connect failed, not when some later event wakes the host.
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1) << "the refused connection was left open";
  char c;
  EXPECT_LE(::recv(fd, &c, 1, 0), 0);
  ::close(fd);
  EXPECT_EQ(echo(fx.port(), "still"), "still");
  EXPECT_TRUE(services::agent_session(engine, fx.container_id)->alive());
}

}  // namespace
}  // namespace dlc::testing
