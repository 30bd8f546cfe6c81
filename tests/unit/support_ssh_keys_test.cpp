// Keys in OpenSSH's formats, checked against OpenSSH's own ssh-keygen where it is installed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/ssh_keys.h"

namespace dlc {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(SshKeys, AreInOpenSshFormatsAndFreshEachTime) {
  auto a = generate_ed25519_key("dlcontainer test");
  auto b = generate_ed25519_key("dlcontainer test");
  EXPECT_THAT(a.private_key, StartsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
  EXPECT_THAT(a.private_key, HasSubstr("\n-----END OPENSSH PRIVATE KEY-----\n"));
  EXPECT_THAT(a.public_key, StartsWith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"));  // "ssh-ed25519" and a 32-byte key
  EXPECT_TRUE(a.public_key.ends_with(" dlcontainer test"));
  EXPECT_EQ(a.public_key.find('\n'), std::string::npos);
  EXPECT_NE(a.public_key, b.public_key);
  EXPECT_NE(a.private_key, b.private_key);
}

TEST(SshKeys, SshKeygenReadsThePrivateKeyAndDerivesTheSamePublicKey) {
  if (::access("/usr/bin/ssh-keygen", X_OK) != 0) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "CI=true and no ssh-keygen (openssh-client)";
    GTEST_SKIP() << "no ssh-keygen";
  }
  auto k = generate_ed25519_key("me@host");
  fs::path file = fs::temp_directory_path() / ("dlc-key-" + std::to_string(::getpid()));
  {
    std::ofstream(file) << k.private_key;
  }
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  std::string cmd = "/usr/bin/ssh-keygen -y -f " + file.string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  int status = ::pclose(p);
  fs::remove(file);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, k.public_key + "\n");  // ssh-keygen prints the comment stored in the private key
}

}  // namespace
}  // namespace dlc
