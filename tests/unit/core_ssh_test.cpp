// The files dlcontainer writes for SSH: sshd's config in the container and the client's Host entry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/ssh.h"

namespace dlc::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SshdConfig, KeysOnlyForTheRemoteUserWithTheContainersEnvironment) {
  auto t = sshd_config_text("dev", {{"LANG", "C.UTF-8"}, {"CUDA_HOME", "/usr/local/cuda"}, {"SPACED", "a b"}, {"BAD", "x\"y"}});
  EXPECT_THAT(t, HasSubstr("\nPort 2222\n"));
  EXPECT_THAT(t, HasSubstr("\nAllowUsers dev\n"));
  EXPECT_THAT(t, HasSubstr("\nPasswordAuthentication no\n"));
  EXPECT_THAT(t, HasSubstr("\nKbdInteractiveAuthentication no\n"));
  EXPECT_THAT(t, HasSubstr("\nPermitEmptyPasswords no\n"));
  EXPECT_THAT(t, HasSubstr("\nAuthorizedKeysFile /etc/dlcontainer/ssh/authorized_keys\n"));
  EXPECT_THAT(t, HasSubstr("\nSetEnv LANG=C.UTF-8\n"));
  EXPECT_THAT(t, HasSubstr("\nSetEnv CUDA_HOME=/usr/local/cuda\n"));
  EXPECT_THAT(t, HasSubstr("\nSetEnv \"SPACED=a b\"\n"));
  EXPECT_THAT(t, Not(HasSubstr("BAD")));  // a value sshd_config cannot hold is left out
}

TEST(SshHostEntry, PinsTheHostKeyUnderTheAliasAndOffersOnlyTheKey) {
  SshConfigResult r;
  r.workspace = "/home/me/paper";
  r.host = "dlc-paper-12345678";
  r.port = 2223;
  r.user = "dev";
  r.identity_file = "/home/me/.local/state/dlcontainer/ssh/dlc-paper-12345678/id_ed25519";
  r.known_hosts_file = "/home/me/my state/known_hosts";
  auto t = ssh_host_entry(r);
  EXPECT_THAT(t, HasSubstr("\nHost dlc-paper-12345678\n  HostName 127.0.0.1\n  Port 2223\n  User dev\n"));
  EXPECT_THAT(t, HasSubstr("\n  IdentityFile " + r.identity_file + "\n  IdentitiesOnly yes\n"));
  EXPECT_THAT(t, HasSubstr("\n  HostKeyAlias dlc-paper-12345678\n"));
  EXPECT_THAT(t, HasSubstr("\n  UserKnownHostsFile \"/home/me/my state/known_hosts\"\n"));
  EXPECT_THAT(t, HasSubstr("\n  StrictHostKeyChecking yes\n"));
  EXPECT_THAT(t, HasSubstr("\n  PasswordAuthentication no\n"));
}

TEST(SshConfigText, AContainerOnARemoteEngineIsReachedThroughAProxyCommandNotAPort) {
  SshConfigResult r;
  r.workspace = "/home/me/paper";
  r.host = "dlc-paper-12345678";
  r.host_name = r.host;
  r.port = 2222;
  r.user = "dev";
  r.identity_file = "/k/id_ed25519";
  r.known_hosts_file = "/k/known_hosts";
  r.proxy_command = "/usr/bin/dlcontainer --host ssh://gpu1 forward --stdio -w '/home/me/my paper' 2222";
  auto t = ssh_host_entry(r);
  EXPECT_THAT(t, HasSubstr("\nHost dlc-paper-12345678\n  ProxyCommand " + r.proxy_command + "\n  User dev\n"));
  EXPECT_THAT(t, ::testing::Not(HasSubstr("HostName")));
  EXPECT_THAT(t, ::testing::Not(HasSubstr("  Port ")));
  EXPECT_THAT(t, HasSubstr("\n  HostKeyAlias dlc-paper-12345678\n"));
}

TEST(SshStateDir, FollowsXdgStateHomeElseHome) {
  const char* saved_state = std::getenv("XDG_STATE_HOME");
  std::string keep = saved_state ? saved_state : "";
  ::setenv("XDG_STATE_HOME", "/s", 1);
  EXPECT_EQ(ssh_state_dir("dlc-x"), "/s/dlcontainer/ssh/dlc-x");
  ::unsetenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  if (home) {
    EXPECT_EQ(ssh_state_dir("dlc-x"), std::string(home) + "/.local/state/dlcontainer/ssh/dlc-x");
  }
  if (saved_state) ::setenv("XDG_STATE_HOME", keep.c_str(), 1);
}

}  // namespace
}  // namespace dlc::core
