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
  auto r = dlc({"exec", "-w", ws.str(), "-T", "--", "sh", "-c", "setsid " + command + " >/dev/null 2>&1 < /dev/null &"});
  ASSERT_EQ(r.status, 0) << r.err;
}

bool process_runs(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace dlc::testing
