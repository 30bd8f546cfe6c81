// `dlcontainer ssh-config` with the real OpenSSH client on the host and Debian's OpenSSH server in the
// container (image dlc-test/sshd), as PyCharm Professional, Gateway and Remote-SSH connect.
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "integration/support.h"

namespace dlc::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kSshdImage = "dlc-test/sshd:latest";

#define DLC_REQUIRE_SSH_CLIENT()                                                           \
  if (::access("/usr/bin/ssh", X_OK) != 0) {                                               \
    if (in_ci()) FAIL() << "CI=true and no OpenSSH client (/usr/bin/ssh)";                 \
    GTEST_SKIP() << "no OpenSSH client";                                                   \
  }

std::string ssh_config_json(bool ssh, const std::string& image = kSshdImage) {
  return std::string("{\"image\": \"") + image + "\", \"remoteUser\": \"dev\"" +
         (ssh ? ", \"customizations\": {\"dlcontainer\": {\"ssh\": true}}" : "") + "}";
}

// ssh with nothing from the test machine's own configuration, never asking anything.
RunResult ssh(const fs::path& config, const std::string& host, const std::string& remote_command,
              std::vector<std::string> options = {}) {
  std::vector<std::string> argv{"/usr/bin/ssh", "-F", config.string(), "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(host);
  argv.push_back(remote_command);
  return run(argv, RunOptions{.timeout_seconds = 60});
}

TEST(Ssh, RealOpenSshClientRunsPythonInTheContainerWithTheWorkspacesKey) {
  DLC_REQUIRE_ENGINE();
  DLC_REQUIRE_SSH_CLIENT();
  Workspace ws("paper");
  Workspace state("state");  // the user's state folder, kept out of the real one
  ws.devcontainer(ssh_config_json(true));
  RunOptions with_state{.env = {{"XDG_STATE_HOME", state.str()}}};

  auto r = dlc({"ssh-config", ws.str(), "--json"}, with_state);
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = json::parse(r.out);
  std::string host = j["host"];
  EXPECT_EQ(j["hostName"], "127.0.0.1");
  EXPECT_EQ(j["user"], "dev");
  fs::path config = j["configFile"].get<std::string>();
  EXPECT_EQ(state.read(fs::relative(config, state.path()).string()), j["config"].get<std::string>());

  // The port is published on the host's loopback only.
  auto info = engine.inspect_container(j["containerId"]);
  ASSERT_TRUE(info);
  int published = 0;
  for (const auto& p : info->ports) {
    if (p.container_port == 2222) {
      EXPECT_EQ(p.host_ip, "127.0.0.1");
      published = p.host_port;
    }
  }
  EXPECT_EQ(published, j["port"]);

  // The private key is the user's alone.
  struct stat st {};
  ASSERT_EQ(::stat(j["identityFile"].get<std::string>().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto out = ssh(config, host, "python3 -c 'print(1)'");
  EXPECT_EQ(out.status, 0) << out.err;
  EXPECT_EQ(out.out, "1\n");
  auto who = ssh(config, host, "id -un; pwd");
  EXPECT_EQ(who.out, "dev\n/home/dev\n") << who.err;

  // As the issue writes it, through a shell: the entry on ssh's stdin (OpenSSH closes inherited
  // descriptors before it reads -F, so `-F <(...)` is not open any more by then).
  auto piped = run({"/bin/bash", "-c",
                    std::string("'") + DLC_BINARY + "' ssh-config '" + ws.str() + "' | /usr/bin/ssh -F /dev/stdin -o BatchMode=yes " +
                        host + " \"python3 -c 'print(1)'\""},
                   with_state);
  EXPECT_EQ(piped.status, 0) << piped.err;
  EXPECT_EQ(piped.out, "1\n");

  // Never a password: the server offers public keys only.
  auto password = ssh(config, host, "true",
                      {"-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"});
  EXPECT_EQ(password.status, 255);
  EXPECT_THAT(password.err, HasSubstr("Permission denied (publickey)"));

  // Again: the same keys and container; sshd re-reads its files and still answers.
  auto again = dlc({"ssh-config", ws.str(), "--json"}, with_state);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["containerId"], j["containerId"]);
  EXPECT_EQ(json::parse(again.out)["config"], j["config"]);
  EXPECT_EQ(ssh(config, host, "echo still").out, "still\n");
}

TEST(Ssh, TurningItOnForARunningContainerRecreatesItToPublishThePort) {
  DLC_REQUIRE_ENGINE();
  DLC_REQUIRE_SSH_CLIENT();
  Workspace ws;
  Workspace state("state");
  ws.devcontainer(ssh_config_json(false));
  auto up = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  std::string first = json::parse(up.out)["containerId"];

  ws.devcontainer(ssh_config_json(true));
  auto r = dlc({"ssh-config", ws.str(), "--json"}, RunOptions{.env = {{"XDG_STATE_HOME", state.str()}}});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["recreated"], true);
  EXPECT_NE(j["containerId"], first);
  EXPECT_EQ(ssh(j["configFile"].get<std::string>(), j["host"], "echo in").out, "in\n");
}

TEST(Ssh, IsOffUnlessConfiguredAndSaysHowToTurnItOn) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  Workspace state("state");
  ws.devcontainer(ssh_config_json(false));
  auto r = dlc({"ssh-config", ws.str()}, RunOptions{.env = {{"XDG_STATE_HOME", state.str()}}});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("SSH is off"));
  EXPECT_THAT(r.err, HasSubstr("\"ssh\": true"));
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(ws.containers(engine).empty());
  EXPECT_FALSE(fs::exists(state.path() / "dlcontainer"));
}

TEST(Ssh, AnImageWithoutAnSshServerGetsAClearError) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  Workspace state("state");
  ws.devcontainer(ssh_config_json(true, kPythonImage));
  auto r = dlc({"ssh-config", ws.str()}, RunOptions{.env = {{"XDG_STATE_HOME", state.str()}}});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("no OpenSSH server"));
  EXPECT_THAT(r.err, HasSubstr("openssh-server"));
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace dlc::testing
