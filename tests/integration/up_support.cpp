#include "integration/up_support.h"

#include <grp.h>
#include <sys/stat.h>

namespace dlc::testing {

nlohmann::json up_json(const Workspace& ws, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"up", ws.str(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = dlc(args);
  EXPECT_EQ(r.status, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

std::string in_container(const Workspace& ws, const std::string& script) {
  auto r = dlc({"exec", "-w", ws.str(), "--", "sh", "-c", script});
  EXPECT_EQ(r.status, 0) << r.err;
  return r.out;
}

std::optional<gid_t> socket_group(std::string* why) {
  struct group* docker = ::getgrnam("docker");
  struct stat sock {};
  if (::stat("/var/run/docker.sock", &sock) != 0) {
    *why = "no /var/run/docker.sock";
    return std::nullopt;
  }
  gid_t group = docker ? docker->gr_gid : sock.st_gid;
  if (sock.st_gid != group || !(sock.st_mode & S_IRGRP)) {
    *why = "the socket is not group-accessible";
    return std::nullopt;
  }
  return group;
}

}  // namespace dlc::testing
