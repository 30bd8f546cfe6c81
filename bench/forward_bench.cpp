// Load for forwarded ports against a published one, all reaching tests/integration/mux_server.py in
// the same container (bench/forward.sh sets it up): the published port, a forward on its direct lane
// and a forward kept on the exec stream (DLC_FORWARD_LANE=stream). Prints one JSON object, each
// figure per way in ("published", "direct", "stream"):
//   newConnectionMs   a connection made, one byte echoed, closed: one after another, each timed
//   bulk             256 MiB from the container (gen) and to it (hash), MB/s, median of RUNS
//   concurrent       64 connections at once, each echoing 4 MiB: total MB/s and each one's time
//                    (the slowest against the fastest says whether progress was fair)
//   rss              each forwarding process's resident memory idle, then before and after 10,000 connections
// Also an exec per connection (what a forward cost before agent sessions: `agent connect` per
// connection through the engine), timed the same way, for the record. The ways take turns in every
// loop, so that whatever else the machine does weighs on each alike.
//   dlc_forward_bench CONTAINER AGENT_PATH RUNS PUBLISHED_PORT DIRECT_PORT DIRECT_PID STREAM_PORT STREAM_PID
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& why) {
  std::cerr << "dlc_forward_bench: " << why << "\n";
  std::exit(1);
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

int dial(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("connect to " + std::to_string(port) + ": " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval limit{120, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  return fd;
}

void send_all(int fd, std::string_view d) {
  while (!d.empty()) {
    ssize_t n = ::send(fd, d.data(), d.size(), MSG_NOSIGNAL);
    if (n <= 0) die(std::string("send: ") + std::strerror(errno));
    d.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads to the end; returns how many bytes came (the bytes are not kept).
std::size_t drain(int fd) {
  static thread_local char buf[256 * 1024];
  std::size_t total = 0;
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) total += static_cast<std::size_t>(n);
  return total;
}

// One new connection: "echo", one byte, half close, its echo, the end.
double one_connection(int port) {
  auto t = Clock::now();
  int fd = dial(port);
  send_all(fd, "echo\nx");
  ::shutdown(fd, SHUT_WR);
  if (drain(fd) != 1) die("port " + std::to_string(port) + " did not echo");
  ::close(fd);
  return ms_since(t);
}

// The same exchange carried by an exec of `agent connect`, as forwards did before agent sessions.
double one_exec_connection(const dlc::engine::Engine& engine, const std::string& container, const std::string& agent) {
  auto t = Clock::now();
  dlc::engine::ExecSpec spec;
  spec.cmd = {agent, "connect", "127.0.0.1", "9100"};
  spec.attach_stdin = true;
  dlc::engine::ExecIO io;
  io.stdin_data = "echo\nx";
  std::string out;
  io.on_stdout = [&](std::string_view d) { out.append(d); };
  engine.run_exec(container, spec, io);
  if (out != "x") die("the exec connection did not echo");
  return ms_since(t);
}

double bulk_mb_s(int port, bool download, std::size_t bytes) {
  static const std::string block(1 << 20, 'b');
  auto t = Clock::now();
  int fd = dial(port);
  if (download) {
    send_all(fd, "gen " + std::to_string(bytes) + "\n");
    if (drain(fd) != bytes) die("short bulk download on port " + std::to_string(port));
  } else {
    send_all(fd, "hash\n");
    for (std::size_t sent = 0; sent < bytes; sent += block.size()) send_all(fd, block);
    ::shutdown(fd, SHUT_WR);
    if (drain(fd) != 64) die("no hash after a bulk upload on port " + std::to_string(port));
  }
  ::close(fd);
  return static_cast<double>(bytes) / 1e6 / (ms_since(t) / 1000);
}

json concurrent(int port, int connections, std::size_t bytes) {
  std::vector<double> each(static_cast<std::size_t>(connections));
  std::vector<std::thread> threads;
  auto t = Clock::now();
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&, i] {
      auto start = Clock::now();
      int fd = dial(port);
      std::thread writer([&] {
        static const std::string block(64 * 1024, 'c');
        send_all(fd, "echo\n");
        for (std::size_t sent = 0; sent < bytes; sent += block.size()) send_all(fd, block);
        ::shutdown(fd, SHUT_WR);
      });
      if (drain(fd) != bytes) die("short echo in the concurrent run");
      writer.join();
      ::close(fd);
      each[static_cast<std::size_t>(i)] = ms_since(start);
    });
  }
  for (auto& th : threads) th.join();
  double total_ms = ms_since(t);
  auto [lo, hi] = std::minmax_element(each.begin(), each.end());
  return {{"connections", connections},
          {"bytesEach", bytes},
          {"totalMBs", 2.0 * connections * static_cast<double>(bytes) / 1e6 / (total_ms / 1000)},
          {"medianConnectionMs", median(each)},
          {"fastestMs", *lo},
          {"slowestMs", *hi}};
}

long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

struct Way {
  std::string name;
  int port = 0;
  int pid = 0;  // the forwarding process (0: the published port, the engine's)
};

json rss_over_connections(const Way& way) {
  long before = rss_kib(way.pid);
  std::vector<long> samples;
  for (int round = 0; round < 10; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 125; ++i) one_connection(way.port);
      });
    }
    for (auto& th : threads) th.join();
    samples.push_back(rss_kib(way.pid));
  }
  return {{"before", before}, {"after1000", samples.front()}, {"after10000", samples.back()}, {"every1000", samples}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9) die("usage: dlc_forward_bench CONTAINER AGENT_PATH RUNS PUBLISHED_PORT DIRECT_PORT DIRECT_PID STREAM_PORT STREAM_PID");
  std::string container = argv[1], agent = argv[2];
  int runs = std::atoi(argv[3]);
  std::vector<Way> ways = {{"published", std::atoi(argv[4]), 0},
                           {"direct", std::atoi(argv[5]), std::atoi(argv[6])},
                           {"stream", std::atoi(argv[7]), std::atoi(argv[8])}};
  auto engine = dlc::engine::Engine::connect();
  json out;
  out["runs"] = runs;
  for (const auto& w : ways)
    if (w.pid > 0) out["rssKiB"][w.name]["idle"] = rss_kib(w.pid);  // before any connection

  std::map<std::string, std::vector<double>> lat;
  std::vector<double> lat_exec;
  for (int i = 0; i < 10; ++i)
    for (const auto& w : ways) one_connection(w.port);  // warm-up
  for (int i = 0; i < 200; ++i) {
    for (const auto& w : ways) lat[w.name].push_back(one_connection(w.port));
    if (i < 20) lat_exec.push_back(one_exec_connection(engine, container, agent));
  }
  for (const auto& w : ways) out["newConnectionMs"][w.name] = median(lat[w.name]);
  out["newConnectionMs"]["execPerConnection"] = median(lat_exec);
  out["newConnectionMs"]["samples"] = lat["published"].size();
  out["newConnectionMs"]["execSamples"] = lat_exec.size();

  constexpr std::size_t kBulk = 256u << 20;
  for (bool download : {true, false}) {
    std::map<std::string, std::vector<double>> mbs;
    for (int i = 0; i < runs; ++i)
      for (const auto& w : ways) mbs[w.name].push_back(bulk_mb_s(w.port, download, kBulk));
    for (const auto& w : ways) out["bulkMBs"][download ? "fromContainer" : "toContainer"][w.name] = median(mbs[w.name]);
  }

  for (const auto& w : ways) out["concurrent"][w.name] = concurrent(w.port, 64, 4u << 20);

  for (const auto& w : ways)
    if (w.pid > 0) out["rssKiB"][w.name].update(rss_over_connections(w));
  std::cout << out.dump(2) << "\n";
}
