// Load for `dlcontainer serve`: workspace/status requests over stdio and over the unix socket, from one
// client and from eight, timing each request from write to response. Prints one JSON object: for each
// scenario requests/s and p50/p99/max latency, and the server's resident memory idle, after the load and
// at its peak. bench/rpc.sh runs it and writes bench/results/rpc.{json,md}.
//   dlc_rpc_bench DLCONTAINER WORKSPACE [REQUESTS]
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "rpc/transport.h"

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& why) {
  std::cerr << "dlc_rpc_bench: " << why << "\n";
  std::exit(1);
}

// One connection's two ends, and the frames read from it.
struct Conn {
  int in = -1, out = -1;
  dlc::rpc::FrameReader frames{dlc::rpc::FrameLimits{.max_header = 8192, .max_body = 64u << 20}};
  std::vector<json> ready;

  void write(const json& m) {
    std::string f = dlc::rpc::frame(m.dump());
    std::string_view rest = f;
    while (!rest.empty()) {
      ssize_t n = ::write(out, rest.data(), rest.size());
      if (n <= 0) die("write to the server failed");
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  json read() {
    char buf[65536];
    while (ready.empty()) {
      ssize_t n = ::read(in, buf, sizeof buf);
      if (n <= 0) die("the server closed the connection");
      frames.feed(std::string_view(buf, static_cast<std::size_t>(n)), [&](std::string&& b) { ready.push_back(json::parse(b)); },
                  [](const std::string& why) { die("bad frame: " + why); });
    }
    json m = std::move(ready.front());
    ready.erase(ready.begin());
    return m;
  }
  // The response with this id (notifications are skipped).
  json response() {
    for (;;) {
      json m = read();
      if (!m.contains("method")) return m;
    }
  }
};

json request(long id, const std::string& method, json params) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

void initialize(Conn& c) {
  c.write(request(0, "initialize", {{"clientInfo", {{"name", "dlc_rpc_bench"}}}}));
  json r = c.response();
  if (!r.contains("result")) die("initialize failed: " + r.dump());
  c.write({{"jsonrpc", "2.0"}, {"method", "initialized"}, {"params", json::object()}});
}

struct Server {
  pid_t pid = -1;
  Conn stdio;  // for --stdio
};

Server start(const std::string& binary, const std::vector<std::string>& args) {
  int to[2], from[2];
  if (::pipe2(to, O_CLOEXEC) || ::pipe2(from, O_CLOEXEC)) die("pipe");
  Server s;
  s.pid = ::fork();
  if (s.pid == 0) {
    ::dup2(to[0], 0);
    ::dup2(from[1], 1);
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(to[0]);
  ::close(from[1]);
  s.stdio.out = to[1];
  s.stdio.in = from[0];
  return s;
}

void stop(Server& s) {
  ::kill(s.pid, SIGTERM);
  ::waitpid(s.pid, nullptr, 0);
  ::close(s.stdio.in);
  ::close(s.stdio.out);
}

long rss_kib(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field)) return std::stol(line.substr(std::strlen(field)));
  }
  return -1;
}

int connect_socket(const std::string& path) {
  for (int i = 0; i < 200; ++i) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  die("cannot connect to " + path);
}

json summarize(std::vector<double> us, double seconds, int clients) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))]; };
  return {{"clients", clients},
          {"requests", us.size()},
          {"requestsPerSecond", std::round(static_cast<double>(us.size()) / seconds)},
          {"p50Us", std::round(at(0.50) * 10) / 10},
          {"p99Us", std::round(at(0.99) * 10) / 10},
          {"maxUs", std::round(us.back() * 10) / 10}};
}

// Sequential status requests on one connection: each waits for the previous answer.
std::vector<double> sequential(Conn& c, const std::string& workspace, int n, long first_id) {
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    c.write(request(first_id + i, "workspace/status", {{"workspace", workspace}}));
    json r = c.response();
    auto t1 = Clock::now();
    if (!r.contains("result") || r["result"]["state"] != "running") die("status failed: " + r.dump());
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  return us;
}

// `inflight` requests kept outstanding on one connection (eight editors' worth of requests sharing stdio).
std::vector<double> pipelined(Conn& c, const std::string& workspace, int n, int inflight) {
  std::map<long, Clock::time_point> sent;
  std::vector<double> us;
  long next = 1'000'000;
  int done = 0;
  auto send_one = [&] {
    sent[next] = Clock::now();
    c.write(request(next, "workspace/status", {{"workspace", workspace}}));
    ++next;
  };
  for (int i = 0; i < inflight; ++i) send_one();
  while (done < n) {
    json r = c.response();
    auto t = Clock::now();
    long id = r["id"];
    if (!r.contains("result")) die("status failed: " + r.dump());
    us.push_back(std::chrono::duration<double, std::micro>(t - sent[id]).count());
    sent.erase(id);
    ++done;
    if (done + static_cast<int>(sent.size()) < n) send_one();
  }
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) die("usage: dlc_rpc_bench DLCONTAINER WORKSPACE [REQUESTS]");
  std::string binary = argv[1], workspace = argv[2];
  int n = argc > 3 ? std::stoi(argv[3]) : 20000;
  ::signal(SIGPIPE, SIG_IGN);
  json out;

  // stdio, with the event-fed cache (the default) and without it (--no-events: the engine every time).
  for (bool events : {true, false}) {
    std::vector<std::string> args{"serve", "--stdio"};
    if (!events) args.push_back("--no-events");
    Server s = start(binary, args);
    initialize(s.stdio);
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the event subscription goes live
    sequential(s.stdio, workspace, 200, 1);               // warm: the cache holds the workspace
    std::this_thread::sleep_for(std::chrono::seconds(2));
    long idle = rss_kib(s.pid, "VmRSS:");
    int count = events ? n : std::min(n, 2000);
    auto t0 = Clock::now();
    auto us = sequential(s.stdio, workspace, count, 1000);
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    if (events) {
      out["stdio1"] = summarize(us, secs, 1);
      out["rssKiB"]["idle"] = idle;
      t0 = Clock::now();
      auto us8 = pipelined(s.stdio, workspace, n, 8);
      out["stdio8"] = summarize(us8, std::chrono::duration<double>(Clock::now() - t0).count(), 8);
      out["rssKiB"]["afterLoad"] = rss_kib(s.pid, "VmRSS:");
      out["rssKiB"]["peak"] = rss_kib(s.pid, "VmHWM:");
    } else {
      out["stdio1NoCache"] = summarize(us, secs, 1);
    }
    stop(s);
  }

  // The socket: eight clients, each on its own connection, each sequential.
  std::string path = "/tmp/dlc-rpc-bench-" + std::to_string(::getpid()) + ".sock";
  Server s = start(binary, {"serve", "--socket", path});
  std::vector<Conn> conns(8);
  for (auto& c : conns) {
    c.in = c.out = connect_socket(path);
    initialize(c);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (auto& c : conns) sequential(c, workspace, 50, 1);
  for (int clients : {1, 8}) {
    std::vector<std::vector<double>> per(static_cast<std::size_t>(clients));
    std::vector<std::thread> threads;
    auto t0 = Clock::now();
    for (int i = 0; i < clients; ++i) {
      threads.emplace_back([&, i] { per[static_cast<std::size_t>(i)] = sequential(conns[static_cast<std::size_t>(i)], workspace, n / clients, 100000); });
    }
    for (auto& t : threads) t.join();
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::vector<double> all;
    for (auto& v : per) all.insert(all.end(), v.begin(), v.end());
    out["socket" + std::to_string(clients)] = summarize(all, secs, clients);
  }
  out["rssKiB"]["socketPeak8Clients"] = rss_kib(s.pid, "VmHWM:");
  for (auto& c : conns) ::close(c.in);
  ::kill(s.pid, SIGTERM);
  ::waitpid(s.pid, nullptr, 0);
  std::cout << out.dump(2) << std::endl;
}
