// What the forwarded-connection tests share (forward_session_test.cpp, forward_direct_test.cpp): a
// workspace whose container runs tests/integration/mux_server.py, a forward to it, and sockets that
// give up rather than hang.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>

#include "integration/support.h"
#include "services/agent_session.h"
#include "services/forward.h"

namespace dlc::testing::forwarding {

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr int kServerPort = 9100;

// A workspace whose container runs mux_server.py on its loopback, and a forward to it. `lane` is
// DLC_FORWARD_LANE while the forward's session starts ("auto": the direct lane where it can be had;
// "stream": channels of the exec stream only); `run_args` go to the devcontainer.json.
struct Fixture {
  Workspace ws{"mux"};
  std::string container_id;
  std::unique_ptr<services::PortForwarder> forward;

  explicit Fixture(engine::Engine& engine, const std::string& lane = "auto", const std::string& run_args = "[]") {
    ::setenv("DLC_AGENT", (fs::path(DLC_BINARY).parent_path() / "dlcontainer-agent").c_str(), 1);
    std::ifstream script(fs::path(DLC_SOURCE_DIR) / "tests/integration/mux_server.py");
    ws.write("mux_server.py", std::string(std::istreambuf_iterator<char>(script), {}));
    ws.devcontainer(R"({"image": "dlc-test/python:latest", "runArgs": )" + run_args + "}");
    auto r = dlc({"up", ws.str(), "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    auto up = json::parse(r.out, nullptr, false);
    container_id = up.value("containerId", "");
    std::string folder = up.value("remoteWorkspaceFolder", "");
    auto start = dlc({"exec", "-w", ws.str(), "-T", "--", "sh", "-c",
                      "setsid python3 " + folder + "/mux_server.py " + std::to_string(kServerPort) + " >/tmp/mux.log 2>&1 </dev/null &"});
    EXPECT_EQ(start.status, 0) << start.err;
    ::setenv("DLC_FORWARD_LANE", lane.c_str(), 1);
    forward = std::make_unique<services::PortForwarder>(
        engine, services::PortForwarder::Options{.container_id = container_id, .container_port = kServerPort});
  }
  ~Fixture() { ::unsetenv("DLC_FORWARD_LANE"); }  // set while it lives: sessions started again use it too
  int port() const { return forward->forward().host_port; }
};

// A connected socket to the forward, with reads and writes that give up after a minute (a hang is a failure).
inline int dial(int port, const std::string& ip = "127.0.0.1") {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  timeval limit{60, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  return fd;
}

inline bool send_all(int fd, std::string_view d) {
  while (!d.empty()) {
    ssize_t n = ::send(fd, d.data(), d.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    d.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Everything until the other side closes (or `limit` bytes, or an error: then what came).
inline std::string read_to_end(int fd, std::size_t limit = SIZE_MAX) {
  std::string got;
  char buf[65536];
  while (got.size() < limit) {
    ssize_t n = ::recv(fd, buf, std::min(sizeof buf, limit - got.size()), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

inline std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

// What mux_server.py's "gen N" sends: byte k is k % 251.
inline bool is_gen_stream(std::string_view got, std::size_t offset = 0) {
  for (std::size_t k = 0; k < got.size(); ++k)
    if (static_cast<unsigned char>(got[k]) != (offset + k) % 251) return false;
  return true;
}

// One echo connection: sends data while reading the echo back, half-closes, returns what came back.
inline std::string echo(int port, const std::string& data) {
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
inline void wait_for_server(int port) {
  for (int i = 0; i < 100; ++i) {
    if (echo(port, "ping") == "ping") return;
    std::this_thread::sleep_for(200ms);
  }
  FAIL() << "the server in the container never answered through the forward";
}

inline long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace dlc::testing::forwarding
