// The agent's `ports --wait PORT --pid N --own`, which Jupyter's start waits on, run on this machine:
// here, as in a container on the host's network (a Slurm job's, --network host), the sockets of other
// programs are in the same table. Only a socket of process N, or of a process it started, is the
// service coming up; another program's listener on the port is not.
#include <signal.h>

#include <filesystem>
#include <string>

#include "agent/protocol.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

std::string agent_binary() { return (std::filesystem::path(dlc_binary()).parent_path() / "dlcontainer-agent").string(); }

RunResult wait_port(int port, pid_t pid, const char* seconds, bool own = true) {
  RunOptions o;
  o.timeout_seconds = 30;
  std::vector<std::string> argv{agent_binary(), "ports", "--wait", std::to_string(port), "--pid", std::to_string(pid), "--timeout", seconds};
  if (own) argv.push_back("--own");
  return run(argv, o);
}

// A python3 that listens on 127.0.0.1:PORT, says so, and waits.
std::string listener_script(int port) {
  return "import socket, time\n"
         "s = socket.socket()\n"
         "s.bind(('127.0.0.1', " + std::to_string(port) + "))\n"
         "s.listen()\n"
         "print('listening', flush=True)\n"
         "time.sleep(60)\n";
}

TEST(AgentPorts, AnotherProgramsListenerOnThePortIsNotTheServiceComingUp) {
  HeldPort other;  // this test's socket: not a process the service started
  Spawned service({"/bin/sleep", "60"});  // Spawned runs a path (execv)
  auto r = wait_port(other.port(), service.pid(), "1");
  EXPECT_EQ(r.status, agent::kExitTimeout) << r.out << r.err;
  EXPECT_NE(r.err.find("nothing listens on port " + std::to_string(other.port())), std::string::npos) << r.err;
  // Without --own any listener on the port will do (what the other services wait for).
  EXPECT_EQ(wait_port(other.port(), service.pid(), "1", false).status, 0);

  // The service ends without listening (as Jupyter does when the port is taken): said as such.
  ::kill(service.pid(), SIGKILL);
  ASSERT_TRUE(service.wait_exit(10));
  auto gone = wait_port(other.port(), service.pid(), "10");
  EXPECT_EQ(gone.status, agent::kExitGone) << gone.out << gone.err;
  EXPECT_NE(gone.err.find("ended before it listened"), std::string::npos) << gone.err;
}

TEST(AgentPorts, TheServicesOwnSocketOrOneOfAProcessItStartedIsUp) {
  const int direct = HeldPort().port();
  Spawned itself({"/usr/bin/python3", "-c", listener_script(direct)});
  ASSERT_TRUE(itself.wait_for("listening", 20)) << itself.output;
  auto r = wait_port(direct, itself.pid(), "10");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(std::to_string(direct) + " 127.0.0.1 " + std::to_string(itself.pid()) + " "), std::string::npos) << r.out;

  // A launcher whose child listens (sh runs python3 as a child, not by exec: `; true` follows it).
  const int child = HeldPort().port();
  Spawned launcher({"/bin/sh", "-c", "python3 -c \"$0\"; true", listener_script(child)});
  ASSERT_TRUE(launcher.wait_for("listening", 20)) << launcher.output;
  auto c = wait_port(child, launcher.pid(), "10");
  EXPECT_EQ(c.status, 0) << c.out << c.err;
}

}  // namespace
}  // namespace dlc::testing
