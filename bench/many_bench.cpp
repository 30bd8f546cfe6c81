// Many workspaces on one engine: eight clients of `dlcontainer serve --socket`, each asking
// workspace/status (cycling through every workspace) or workspace/list (every workspace container), timed
// from the request's write to its answer's last byte (the client's parse of it left out);
// and the same with --no-events (the engine asked every time) for comparison; the server's CPU time per
// request beside each.
// Prints one JSON object: per scenario p50/p99/max and requests/s, and the server's resident memory idle
// and at its peak. bench/many.sh makes the workspaces, runs it and writes bench/results/many.{json,md}.
//   dlc_many_bench DLCONTAINER WORKSPACES_FILE [REQUESTS]   (one workspace folder a line)
#include <cstdlib>
#include <string_view>

#include "rpc_load.h"

using namespace dlc::bench;

namespace {

constexpr int kClients = 8;

// Every answer must be the real one: status of a running container, the whole list.
void check(const json& r, const std::string& method, std::size_t expect_listed) {
  if (!r.contains("result")) die(method + " failed: " + r.dump());
  if (method == "workspace/status" && r["result"]["state"] != "running") die("status not running: " + r.dump());
  if (method == "workspace/list" && r["result"].size() < expect_listed) die("list is short: " + std::to_string(r["result"].size()));
}

// Until 2026-12-05 every answer was parsed into a tree to be checked: eight clients parsing a 60 KB list
// each time took more of the two cores than the server did (bench/results/many.md), and every latency
// waited behind them. An answer whose text after its id is byte for byte one this client has checked
// is that same answer: it is compared, not parsed again. DLC_BENCH_PARSE_ALL=1 parses every one as before.
struct Checked {
  std::vector<std::string> results;  // the text after the id of each answer checked so far
  bool parse_all = std::getenv("DLC_BENCH_PARSE_ALL") != nullptr;

  void operator()(const std::string& body, const std::string& method, std::size_t expect_listed) {
    auto at = body.find(",\"result\":");
    std::string_view after = at == std::string::npos ? std::string_view() : std::string_view(body).substr(at);
    if (!parse_all && !after.empty() && std::find(results.begin(), results.end(), after) != results.end()) return;
    check(json::parse(body), method, expect_listed);
    if (!parse_all && !after.empty() && results.size() < 256) results.emplace_back(after);
  }
};

std::vector<double> timed(Conn& c, int n, long first_id, const std::function<json(int)>& params_of,
                          const std::string& method, std::size_t expect_listed) {
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(n));
  Checked checked;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    c.write(request(first_id + i, method, params_of(i)));
    std::string body = c.response_body();
    auto t1 = c.last_arrived;
    checked(body, method, expect_listed);
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  return us;
}

// kClients threads, each on its own connection, each sequential; all latencies together.
json load(std::vector<Conn>& conns, int per_client, const std::string& method, const std::vector<std::string>& workspaces) {
  std::vector<std::vector<double>> per(conns.size());
  std::vector<std::thread> threads;
  auto t0 = Clock::now();
  for (std::size_t i = 0; i < conns.size(); ++i) {
    threads.emplace_back([&, i] {
      auto params_of = [&](int k) -> json {
        if (method == "workspace/list") return json::object();
        return {{"workspace", workspaces[(i * 13 + static_cast<std::size_t>(k)) % workspaces.size()]}};
      };
      per[i] = timed(conns[i], per_client, 100000, params_of, method, workspaces.size());
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  for (auto& v : per) all.insert(all.end(), v.begin(), v.end());
  return summarize(all, secs, static_cast<int>(conns.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) die("usage: dlc_many_bench DLCONTAINER WORKSPACES_FILE [REQUESTS]");
  std::string binary = argv[1];
  std::vector<std::string> workspaces;
  {
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) workspaces.push_back(line);
    }
  }
  if (workspaces.empty()) die("no workspaces in " + std::string(argv[2]));
  int n = argc > 3 ? std::stoi(argv[3]) : 8000;
  ::signal(SIGPIPE, SIG_IGN);
  json out;
  for (bool events : {true, false}) {
    std::string path = "/tmp/dlc-many-bench-" + std::to_string(::getpid()) + ".sock";
    std::vector<std::string> args{"serve", "--socket", path};
    if (!events) args.push_back("--no-events");
    Server s = start(binary, args);
    std::vector<Conn> conns(kClients);
    for (auto& c : conns) {
      c.in = c.out = connect_socket(path);
      initialize(c);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the event subscription goes live
    // Warm: every workspace's status and the list asked once (the cache holds them; the config hashes too).
    timed(conns[0], static_cast<int>(workspaces.size()), 1, [&](int k) { return json{{"workspace", workspaces[static_cast<std::size_t>(k)]}}; },
          "workspace/status", 0);
    timed(conns[0], 1, 5000, [](int) { return json::object(); }, "workspace/list", workspaces.size());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::string key = events ? "" : "NoEvents";
    if (events) out["rssKiB"]["idle"] = rss_kib(s.pid, "VmRSS:");
    // Without the cache every request is the engine's work: fewer of them, or this takes minutes.
    int count = events ? n : std::max(kClients * 25, n / 20);
    // The server's own CPU time per request beside the latencies: on two shared cores the clients'
    // parsing of the answers and other work on the machine are in every latency, not in this.
    for (const char* method : {"workspace/status", "workspace/list"}) {
      double cpu0 = cpu_us(s.pid), own0 = cpu_us(::getpid());
      json r = load(conns, count / kClients, method, workspaces);
      auto per_request = [&](double us) { return std::round(us / r["requests"].get<double>() * 10) / 10; };
      r["serverCpuUsPerRequest"] = per_request(cpu_us(s.pid) - cpu0);
      // The eight clients share the two cores with the server: what they spend is said beside it.
      r["clientCpuUsPerRequest"] = per_request(cpu_us(::getpid()) - own0);
      r["clientCheck"] = std::getenv("DLC_BENCH_PARSE_ALL") ? "parse every answer" : "compare with answers checked";
      out[std::string(method) == "workspace/status" ? "status8" + key : "list8" + key] = r;
    }
    if (events) {
      out["rssKiB"]["afterLoad"] = rss_kib(s.pid, "VmRSS:");
      out["rssKiB"]["peak"] = rss_kib(s.pid, "VmHWM:");
    }
    for (auto& c : conns) ::close(c.in);
    stop(s);
  }
  out["workspaces"] = workspaces.size();
  std::cout << out.dump(2) << std::endl;
}
