#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/devcontainer.h"
#include "support/error.h"

namespace dlc::config {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::vector<std::string>& args) {
  try {
    parse_run_args(args);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    return e.what() + std::string(" | ") + e.hint();
  }
  ADD_FAILURE() << "accepted";
  return {};
}

TEST(RunArgs, TheFlagsPapersUseInBothSpellings) {
  auto a = parse_run_args({"--gpus", "all", "--ipc=host", "--shm-size=8g", "-e", "A=1", "--env=B=2", "-v",
                           "/data:/data:ro", "-v", "cache:/root/.cache", "-p", "8888:8888", "--cap-add=SYS_PTRACE",
                           "--security-opt", "seccomp=unconfined", "--user", "1000:1000", "--init", "--privileged"});
  EXPECT_EQ(a.gpus, "all");
  EXPECT_EQ(a.ipc, "host");
  EXPECT_EQ(a.shm_size, 8LL << 30);
  EXPECT_EQ(a.env, (std::vector<std::string>{"A=1", "B=2"}));
  ASSERT_EQ(a.volumes.size(), 2u);
  EXPECT_EQ(a.volumes[0].type, "bind");
  EXPECT_TRUE(a.volumes[0].read_only);
  EXPECT_EQ(a.volumes[1].type, "volume");
  ASSERT_EQ(a.publish.size(), 1u);
  EXPECT_EQ(a.publish[0].host_port, 8888);
  EXPECT_EQ(a.cap_add, std::vector<std::string>{"SYS_PTRACE"});
  EXPECT_EQ(a.security_opt, std::vector<std::string>{"seccomp=unconfined"});
  EXPECT_EQ(a.user, "1000:1000");
  EXPECT_TRUE(a.init);
  EXPECT_TRUE(a.privileged);
}

TEST(RunArgs, PublishedPortsStayOnLoopbackUnlessAnAddressIsGiven) {
  auto a = parse_run_args({"-p", "6006:6006", "-p", "0.0.0.0:8888:8888/udp", "-p", "9000", "-p", "[::1]:7000:7000"});
  EXPECT_EQ(a.publish[0].host_ip, "127.0.0.1");
  EXPECT_EQ(a.publish[1].host_ip, "0.0.0.0");
  EXPECT_EQ(a.publish[1].protocol, "udp");
  EXPECT_EQ(a.publish[2].host_port, 0);
  EXPECT_EQ(a.publish[2].container_port, 9000);
  EXPECT_EQ(a.publish[3].host_ip, "::1");
}

TEST(RunArgs, UnknownFlagsAreRefusedNotIgnored) {
  EXPECT_THAT(error_of({"--net-alias", "x"}), HasSubstr("'--net-alias' is not supported"));
  EXPECT_THAT(error_of({"--rm"}), HasSubstr("--rm"));
}

TEST(RunArgs, MalformedValuesNameTheFlag) {
  EXPECT_THAT(error_of({"-p", "80-90:80-90"}), HasSubstr("-p 80-90:80-90"));
  EXPECT_THAT(error_of({"-v", "only-one-part"}), HasSubstr("-v only-one-part"));
  EXPECT_THAT(error_of({"--shm-size", "lots"}), HasSubstr("lots"));
  EXPECT_THAT(error_of({"--gpus"}), HasSubstr("needs a value"));
}

TEST(ParseSize, DockerUnits) {
  EXPECT_EQ(parse_size("1024"), 1024);
  EXPECT_EQ(parse_size("512m"), 512LL << 20);
  EXPECT_EQ(parse_size("2GB"), 2LL << 30);
  EXPECT_EQ(parse_size("1.5g"), 3LL << 29);
  EXPECT_THROW(parse_size("5x"), Error);
}

}  // namespace
}  // namespace dlc::config
