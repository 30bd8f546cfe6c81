// What the RPC load generators share (dlc_rpc_bench, dlc_many_bench): a framed connection to
// `dlcontainer serve`, starting the server, its resident memory, and latency summaries.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "rpc/transport.h"

namespace dlc::bench {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;


[[noreturn]] inline void die(const std::string& why) {
  std::cerr << "dlc bench: " << why << "\n";
  std::exit(1);
}

// One connection's two ends, and the frames read from it.
struct Conn {
  int in = -1, out = -1;
  dlc::rpc::FrameReader frames{dlc::rpc::FrameLimits{.max_header = 8192, .max_body = 64u << 20}};
  std::vector<std::string> ready;  // bodies read, not yet parsed
  // When each frame's last byte was read, before it was parsed: a latency is the server's, not the
  // client's parse of a large answer. last_arrived: the message read() returned last.
  std::vector<Clock::time_point> arrived;
  Clock::time_point last_arrived;

  void write(const json& m) {
    std::string f = dlc::rpc::frame(m.dump());
    std::string_view rest = f;
    while (!rest.empty()) {
      ssize_t n = ::write(out, rest.data(), rest.size());
      if (n <= 0) die("write to the server failed");
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // The next message's body as it came.
  std::string read_body() {
    char buf[65536];
    while (ready.empty()) {
      ssize_t n = ::read(in, buf, sizeof buf);
      if (n <= 0) die("the server closed the connection");
      frames.feed(std::string_view(buf, static_cast<std::size_t>(n)),
                  [&](std::string&& b) {
                    arrived.push_back(Clock::now());
                    ready.push_back(std::move(b));
                  },
                  [](const std::string& why) { die("bad frame: " + why); });
    }
    std::string m = std::move(ready.front());
    ready.erase(ready.begin());
    last_arrived = arrived.front();
    arrived.erase(arrived.begin());
    return m;
  }
  json read() { return json::parse(read_body()); }
  // The response with this id (notifications are skipped).
  json response() {
    for (;;) {
      json m = read();
      if (!m.contains("method")) return m;
    }
  }
  // The same as the body's text: a response's starts {"jsonrpc":"2.0","id": (message.h's envelope).
  std::string response_body() {
    for (;;) {
      std::string m = read_body();
      if (!m.starts_with(R"({"jsonrpc":"2.0","method":)")) return m;  // a notification's, made by nlohmann's dump
    }
  }
};

inline json request(long id, const std::string& method, json params) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

inline void initialize(Conn& c) {
  c.write(request(0, "initialize", {{"clientInfo", {{"name", "dlc_rpc_bench"}}}}));
  json r = c.response();
  if (!r.contains("result")) die("initialize failed: " + r.dump());
  c.write({{"jsonrpc", "2.0"}, {"method", "initialized"}, {"params", json::object()}});
}

struct Server {
  pid_t pid = -1;
  Conn stdio;  // for --stdio
};

inline Server start(const std::string& binary, const std::vector<std::string>& args) {
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

inline void stop(Server& s) {
  ::kill(s.pid, SIGTERM);
  ::waitpid(s.pid, nullptr, 0);
  ::close(s.stdio.in);
  ::close(s.stdio.out);
}

inline long rss_kib(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field)) return std::stol(line.substr(std::strlen(field)));
  }
  return -1;
}

// The CPU time (user + system) a process has used so far, in microseconds (/proc/PID/stat).
inline double cpu_us(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
  }
  return (utime + stime) * 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

inline int connect_socket(const std::string& path) {
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

inline json summarize(std::vector<double> us, double seconds, int clients) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))]; };
  return {{"clients", clients},
          {"requests", us.size()},
          {"requestsPerSecond", std::round(static_cast<double>(us.size()) / seconds)},
          {"p50Us", std::round(at(0.50) * 10) / 10},
          {"p99Us", std::round(at(0.99) * 10) / 10},
          {"maxUs", std::round(us.back() * 10) / 10}};
}


}  // namespace dlc::bench
