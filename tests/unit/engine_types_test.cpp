#include <gtest/gtest.h>

#include "engine/build_context.h"
#include "engine/engine.h"
#include "engine/types.h"
#include "support/error.h"

using namespace dlc::engine;

TEST(DockerCreateBody, PublishesPortsOnTheAddressGiven) {
  ContainerSpec spec;
  spec.image = "img";
  spec.ports.push_back({8888, "tcp", "127.0.0.1", 0});
  auto body = to_docker_create_body(spec);
  EXPECT_TRUE(body["ExposedPorts"].contains("8888/tcp"));
  auto binding = body["HostConfig"]["PortBindings"]["8888/tcp"][0];
  EXPECT_EQ(binding["HostIp"], "127.0.0.1");
  EXPECT_EQ(binding["HostPort"], "");
}

TEST(DockerCreateBody, GpuRequestForAllUsesCountMinusOne) {
  ContainerSpec spec;
  spec.image = "img";
  spec.device_requests.push_back(DeviceRequest{.count = -1});
  auto req = to_docker_create_body(spec)["HostConfig"]["DeviceRequests"][0];
  EXPECT_EQ(req["Driver"], "nvidia");
  EXPECT_EQ(req["Count"], -1);
  EXPECT_EQ(req["Capabilities"], nlohmann::json::parse(R"([["gpu"]])"));
}

TEST(DockerCreateBody, GpuRequestByIdLeavesCountZero) {
  ContainerSpec spec;
  spec.device_requests.push_back(DeviceRequest{.count = -1, .device_ids = {"0", "GPU-abc"}});
  auto req = to_docker_create_body(spec)["HostConfig"]["DeviceRequests"][0];
  EXPECT_EQ(req["Count"], 0);
  EXPECT_EQ(req["DeviceIDs"], nlohmann::json::parse(R"(["0","GPU-abc"])"));
}

TEST(Demuxer, SplitsFramesAcrossArbitraryChunkBoundaries) {
  std::string out, err;
  Demuxer d([&](std::string_view s) { out += s; }, [&](std::string_view s) { err += s; });
  std::string stream;
  auto frame = [&](char kind, std::string_view payload) {
    stream += kind;
    stream += std::string(3, '\0');
    auto n = static_cast<uint32_t>(payload.size());
    stream += static_cast<char>(n >> 24);
    stream += static_cast<char>(n >> 16);
    stream += static_cast<char>(n >> 8);
    stream += static_cast<char>(n);
    stream += payload;
  };
  frame(1, "hello ");
  frame(2, "oops");
  frame(1, "world");
  for (char c : stream) d.feed(std::string_view(&c, 1));
  EXPECT_EQ(out, "hello world");
  EXPECT_EQ(err, "oops");
}

TEST(LineSplitter, JoinsLinesSplitAcrossChunksAndDropsCarriageReturns) {
  std::vector<std::string> lines;
  LineSplitter s([&](std::string_view l) { lines.emplace_back(l); });
  s.feed("{\"a\":1}\r\n{\"b\"");
  s.feed(":2}\n{\"c\":3}");
  s.finish();
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
}

TEST(GlobMatch, FollowsGoFilepathMatchPlusDoubleStar) {
  EXPECT_TRUE(glob_match("*.pyc", "a.pyc"));
  EXPECT_FALSE(glob_match("*.pyc", "dir/a.pyc"));
  EXPECT_TRUE(glob_match("**/*.pyc", "dir/sub/a.pyc"));
  EXPECT_TRUE(glob_match("**/*.pyc", "a.pyc"));
  EXPECT_TRUE(glob_match("data/[a-c]?.bin", "data/b1.bin"));
  EXPECT_FALSE(glob_match("data/[!a-c]?.bin", "data/b1.bin"));
}

TEST(IgnoreRules, LastMatchWinsAndFoldersCoverTheirContents) {
  IgnoreRules rules("# comment\ndata\n*.ckpt\n!keep.ckpt\n./build/\n");
  EXPECT_TRUE(rules.excluded("data"));
  EXPECT_TRUE(rules.excluded("data/train/0001.png"));
  EXPECT_TRUE(rules.excluded("model.ckpt"));
  EXPECT_FALSE(rules.excluded("keep.ckpt"));
  EXPECT_TRUE(rules.excluded("build/x.o"));
  EXPECT_FALSE(rules.excluded("train.py"));
}
