// Load for `dlcontainer serve`: workspace/status requests over stdio and over the unix socket, from one
// client and from eight, timing each request from write to response. Prints one JSON object: for each
// scenario requests/s and p50/p99/max latency, and the server's resident memory idle, after the load and
// at its peak. bench/rpc.sh runs it and writes bench/results/rpc.{json,md}.
//   dlc_rpc_bench DLCONTAINER WORKSPACE [REQUESTS]
#include <map>

#include "rpc_load.h"

using namespace dlc::bench;

namespace {

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
