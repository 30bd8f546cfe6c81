// Forwarded connections through one agent session per container (services/agent_session.h), against
// a real container, on each of its two lanes (the direct lane to the container's address, and
// channels of the exec stream, which DLC_FORWARD_LANE=stream forces): many connections at once keep
// every byte in both directions, a half close reaches the other side, a reader that stops reading
// holds back only its own connection, and a killed agent costs the connections it carried, not the
// next one. A server in the container (tests/integration/mux_server.py, run by the image's python3)
// answers each connection by its first line.
#include <atomic>

#include "integration/forward_support.h"
#include "support/hash.h"

namespace dlc::testing {
namespace {

using namespace forwarding;

// Each test runs on both lanes; the session must be on the lane asked for, or the test proves
// nothing about it.
class ForwardSession : public ::testing::TestWithParam<std::string> {
 protected:
  bool direct() const { return GetParam() == "auto"; }
  void expect_lane(engine::Engine& engine, const Fixture& fx) {
    auto session = services::agent_session(engine, fx.container_id);
    EXPECT_EQ(session->direct_lane().has_value(), direct()) << "the session is not on the lane the test is for";
  }
  // Connections that took the direct lane, in this process's live session of the container.
  int carried_direct(engine::Engine& engine, const Fixture& fx) {
    return services::agent_session(engine, fx.container_id)->direct_connections();
  }
};

TEST_P(ForwardSession, SixtyFourConnectionsAtOnceKeepEveryByteInBothDirectionsOverOneExec) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine, GetParam());
  expect_lane(engine, fx);
  wait_for_server(fx.port());
  int sessions_before = services::agent_sessions_started();
  int connections_before = fx.forward->connections();
  int direct_before = carried_direct(engine, fx);
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
  EXPECT_EQ(carried_direct(engine, fx) - direct_before, direct() ? kConnections + 100 : 0);
  // Each connection's channel was let go of at its end.
  auto session = services::agent_session(engine, fx.container_id);
  EXPECT_TRUE(eventually([&] { return session->open_channels() == 0; })) << session->open_channels() << " channels left";
}

TEST_P(ForwardSession, AHalfClosedConnectionStillGetsItsAnswerAndTheServersEndReachesTheClient) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine, GetParam());
  expect_lane(engine, fx);
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

TEST_P(ForwardSession, AReaderThatStopsReadingHoldsBackOnlyItsOwnConnection) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine, GetParam());
  expect_lane(engine, fx);
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

TEST_P(ForwardSession, AKilledAgentEndsItsConnectionsAndTheNextConnectionStartsANewSession) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine, GetParam());
  expect_lane(engine, fx);
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

TEST_P(ForwardSession, APortWhereNothingListensClosesThatConnectionAndTheSessionGoesOn) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine, GetParam());
  expect_lane(engine, fx);
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

INSTANTIATE_TEST_SUITE_P(Lanes, ForwardSession, ::testing::Values("auto", "stream"),
                         [](const auto& info) { return info.param == "auto" ? std::string("direct") : std::string("stream"); });

}  // namespace
}  // namespace dlc::testing
