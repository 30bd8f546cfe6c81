#include "integration/services_support.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>

namespace dlc::testing {

using json = nlohmann::json;

std::string config_with(const std::string& image, const std::string& extra) {
  return R"({"image": ")" + image + "\"" + (extra.empty() ? "" : ", " + extra) + "}";
}

json up(const Workspace& ws) {
  auto r = dlc({"up", ws.str(), "--json"});
  EXPECT_EQ(r.status, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

json json_of(const RunResult& r) {
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}

void start_in_container(const Workspace& ws, const std::string& command) {
  // In a session of its own, and still running a second later: a command that ends at once says why
  // here (its output), not as an effect that never comes.
  auto r = dlc({"exec", "-w", ws.str(), "-T", "--", "sh", "-c",
                "setsid " + command + " >/tmp/dlc-test-started.log 2>&1 < /dev/null & pid=$!; sleep 1; "
                "kill -0 $pid 2>/dev/null || { echo \"it ended at once:\"; cat /tmp/dlc-test-started.log; exit 1; }"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
}

bool process_runs(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace dlc::testing
