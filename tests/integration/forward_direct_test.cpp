// The direct lane of an agent session (services/direct_lane.h, agent/direct.cpp) against a real
// container: its listener on the container's address relays nothing to a connection that does not
// present the session's secret, and reads only a bounded number of such connections at once; where
// the lane cannot be had (no network) or stops being reachable (the container leaves its network),
// connections go over the exec stream instead; and an agent from before the lane, which must never be
// sent the frame it does not know, still carries connections. forward_session_test.cpp runs the
// data-carrying tests on both lanes.
#include <atomic>
#include <sstream>

#include "integration/forward_support.h"
#include "support/hash.h"

namespace dlc::testing {
namespace {

using namespace forwarding;

// Whether the other side closes fd within `ms` having sent nothing at all.
bool closed_empty_within(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) != 1) return false;
  char c;
  return ::recv(fd, &c, 1, 0) <= 0;
}

TEST(ForwardDirect, AConnectionWithoutTheSecretGetsNothingFromTheContainerAndIsClosed) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine);
  wait_for_server(fx.port());
  auto lane = services::agent_session(engine, fx.container_id)->direct_lane();
  ASSERT_TRUE(lane) << "no direct lane on a local engine's bridge network";
  // A line of the right form with a wrong secret: had it been relayed, the server would send 1000 bytes.
  int wrong = dial(lane->second, lane->first);
  ASSERT_TRUE(send_all(wrong, std::string(64, '0') + " 127.0.0.1 " + std::to_string(kServerPort) + "\ngen 1000\n"));
  EXPECT_TRUE(closed_empty_within(wrong, 10000)) << "a wrong secret was answered or left open";
  ::close(wrong);
  // One that says nothing is closed once the time to present the secret is over (2 s), not held open
  // (20 s here: a loaded 2-core machine once took more than 10).
  int silent = dial(lane->second, lane->first);
  EXPECT_TRUE(closed_empty_within(silent, 20000)) << "a silent connection was held open";
  ::close(silent);
  // A first line longer than any the lane takes, with no newline, is closed too.
  int endless = dial(lane->second, lane->first);
  send_all(endless, std::string(4096, 'a'));
  EXPECT_TRUE(closed_empty_within(endless, 10000));
  ::close(endless);
  // The forward itself, which knows the secret, goes on through the lane.
  int before = services::agent_session(engine, fx.container_id)->direct_connections();
  EXPECT_EQ(echo(fx.port(), "after"), "after");
  EXPECT_EQ(services::agent_session(engine, fx.container_id)->direct_connections(), before + 1);
}

TEST(ForwardDirect, ConnectionsBeyondTheBoundOfUncheckedOnesAreClosedAtOnce) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine);
  wait_for_server(fx.port());
  auto lane = services::agent_session(engine, fx.container_id)->direct_lane();
  ASSERT_TRUE(lane);
  // 40 connections that say nothing: 32 wait for their secret (up to 2 s), the rest are closed unread.
  std::vector<int> idle;
  for (int i = 0; i < 40; ++i) idle.push_back(dial(lane->second, lane->first));
  int closed_early = 0;
  for (int fd : idle) closed_early += closed_empty_within(fd, 0) ? 1 : 0;
  for (int i = 0; i < 10 && closed_early < 8; ++i) {  // the agent may not have accepted them all yet
    std::this_thread::sleep_for(100ms);
    closed_early = 0;
    for (int fd : idle) closed_early += closed_empty_within(fd, 0) ? 1 : 0;
  }
  EXPECT_GE(closed_early, 8) << "more unchecked connections were held than the bound";
  // Every one of them ends, unanswered.
  for (int fd : idle) {
    EXPECT_TRUE(closed_empty_within(fd, 10000));
    ::close(fd);
  }
  EXPECT_EQ(echo(fx.port(), "still"), "still");
}

TEST(ForwardDirect, ALaneThatStopsBeingReachableFallsBackToTheStreamOnceForTheSession) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine);
  wait_for_server(fx.port());
  auto session = services::agent_session(engine, fx.container_id);
  ASSERT_TRUE(session->direct_lane());
  int direct_before = session->direct_connections();
  // The container leaves its networks: its address answers no more; the exec stream needs none.
  auto nets = run({"docker", "inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", fx.container_id});
  ASSERT_EQ(nets.status, 0) << nets.err;
  std::istringstream names(nets.out);
  for (std::string net; names >> net;) {
    auto r = run({"docker", "network", "disconnect", net, fx.container_id});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  std::string data = random_bytes(4 << 20, 3);
  EXPECT_EQ(sha256_hex(echo(fx.port(), data)), sha256_hex(data));
  EXPECT_FALSE(session->direct_lane()) << "the session still offers a lane it could not reach";
  for (int i = 0; i < 20; ++i) ASSERT_EQ(echo(fx.port(), "s" + std::to_string(i)), "s" + std::to_string(i));
  EXPECT_EQ(session->direct_connections(), direct_before) << "a connection went the unreachable way";
  EXPECT_TRUE(session->alive());
}

TEST(ForwardDirect, AContainerWithoutANetworkIsForwardedOverTheStream) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine, "auto", R"(["--network", "none"])");
  wait_for_server(fx.port());
  auto session = services::agent_session(engine, fx.container_id);
  EXPECT_FALSE(session->direct_lane()) << "a lane on a container with only loopback";
  std::string data = random_bytes(4 << 20, 5);
  EXPECT_EQ(sha256_hex(echo(fx.port(), data)), sha256_hex(data));
  EXPECT_EQ(session->direct_connections(), 0);
}

TEST(ForwardDirect, AnAgentFromBeforeTheLaneIsNeverAskedForItAndStillCarriesConnections) {
  DLC_REQUIRE_ENGINE();
  Fixture fx(engine);
  wait_for_server(fx.port());
  // --no-direct: its hello names no lane, and a Listen frame would end its session, as it ends an
  // older agent's (a frame of unknown type).
  services::AgentSession old(engine, fx.container_id, {"--no-direct"});
  EXPECT_FALSE(old.direct_lane());
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  ASSERT_TRUE(old.open(pair[0], "127.0.0.1", kServerPort));
  std::string data = random_bytes(2 << 20, 9);
  std::thread writer([&] {
    send_all(pair[1], "echo\n" + data);
    ::shutdown(pair[1], SHUT_WR);
  });
  timeval limit{60, 0};
  ::setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string back = read_to_end(pair[1]);
  writer.join();
  ::close(pair[1]);
  EXPECT_EQ(sha256_hex(back), sha256_hex(data));
  EXPECT_TRUE(old.alive()) << "the host sent the old agent a frame it does not know";
  EXPECT_EQ(old.direct_connections(), 0);
}

}  // namespace
}  // namespace dlc::testing
