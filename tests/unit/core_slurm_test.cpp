// The pure parts of Slurm placement: slurm:// endpoints, the request as devcontainer.json and the
// protocol write it, srun's failures said plainly, and the shapes the server sends for a Slurm
// workspace validating against schemas/protocol. The cluster itself is tests/integration/slurm_test.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/placement.h"
#include "core/workspace.h"
#include "engine/endpoint.h"
#include "engine/slurm.h"
#include "rpc/schema.h"
#include "support/error.h"

namespace dlc {
namespace {

using json = nlohmann::json;

TEST(SlurmEndpoint, ParsesJobAndSocketAndRoundTripsItsUrl) {
  auto e = engine::Endpoint::parse("slurm://4711/tmp/dlc-slurm-1000-4711/podman.sock");
  EXPECT_EQ(e.transport, engine::Transport::Slurm);
  EXPECT_EQ(e.host, "4711");
  EXPECT_EQ(e.socket_path, "/tmp/dlc-slurm-1000-4711/podman.sock");
  EXPECT_EQ(e.kind, "podman");
  EXPECT_FALSE(e.local());
  EXPECT_EQ(e.url(), "slurm://4711/tmp/dlc-slurm-1000-4711/podman.sock");
  EXPECT_EQ(e.machine(), "the node of Slurm job 4711");
}

TEST(SlurmEndpoint, RefusesAJobThatIsNotANumberOrNoSocket) {
  for (const char* bad : {"slurm://", "slurm://abc/tmp/x.sock", "slurm://12", "slurm://12/", "slurm://-1/x"}) {
    EXPECT_THROW(engine::Endpoint::parse(bad), Error) << bad;
  }
}

TEST(SlurmFailure, SaysTheJobEndedOrWhatTheNodeLacks) {
  auto e = engine::Endpoint::parse("slurm://42/tmp/s.sock");
  auto ended = engine::slurm_failure(e, "srun: error: Slurm job 42 has expired\n", 1);
  EXPECT_NE(std::string(ended.what()).find("Slurm job 42 has ended"), std::string::npos) << ended.what();
  EXPECT_NE(ended.hint().find("up --slurm"), std::string::npos);
  auto no_podman = engine::slurm_failure(
      e, "slurmstepd-n1: error: execve(): podman: No such file or directory\nsrun: error: n1: task 0: Exited with exit code 2\n", 2);
  EXPECT_NE(std::string(no_podman.what()).find("has no podman"), std::string::npos) << no_podman.what();
  EXPECT_NE(std::string(no_podman.what()).find("execve(): podman"), std::string::npos) << "the telling line, not srun's last";
  auto no_srun = engine::slurm_failure(e, "cannot run srun: not found\n", 127);
  EXPECT_NE(std::string(no_srun.what()).find("srun"), std::string::npos);
  EXPECT_NE(no_srun.hint().find("login node"), std::string::npos);
}

TEST(SlurmRequest, ReadsEveryFieldAndRefusesUnknownOnes) {
  auto r = json{{"partition", "gpu"}, {"gpus", 2}, {"cpus", "8"}, {"mem", "16G"}, {"time", "2:00:00"}, {"account", "lab"},
                {"waitSeconds", 30}}
               .get<core::SlurmRequest>();
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.partition, "gpu");
  EXPECT_EQ(r.gpus, "2");
  EXPECT_EQ(r.wait_seconds, 30);
  EXPECT_EQ(json(r)["gpus"], "2");
  EXPECT_THROW((json{{"nodes", 2}}.get<core::SlurmRequest>()), Error);
  EXPECT_THROW((json{{"gpus", true}}.get<core::SlurmRequest>()), Error);
}

TEST(SlurmRequest, FlagsWinOverTheConfigAndBadValuesAreRefused) {
  core::SlurmRequest flags;
  flags.enabled = true;
  flags.partition = "debug";
  core::SlurmRequest config;
  config.partition = "gpu";
  config.time = "1:00:00";
  flags.fill_from(config);
  EXPECT_EQ(flags.partition, "debug");
  EXPECT_EQ(flags.time, "1:00:00");
  core::SlurmRequest bad;
  bad.partition = "--wrap=rm";
  EXPECT_THROW(bad.validate(), Error);
  bad.partition = "a b";
  EXPECT_THROW(bad.validate(), Error);
}

TEST(SlurmPlacement, SlurmSettingsWithoutSlurmAndSlurmWithHostAreRefused) {
  core::SlurmRequest settings;
  settings.partition = "gpu";
  EXPECT_THROW(core::place(".", "", settings), Error);
  settings.enabled = true;
  EXPECT_THROW(core::place(".", "unix:///var/run/docker.sock", settings), Error);
}

TEST(SlurmSchemas, WhatTheServerSendsForASlurmWorkspaceValidates) {
  const auto& s = rpc::protocol_schemas();
  core::Allocation a{.job_id = "7", .state = "TIMEOUT", .reason = "TimeLimit", .node = "n1", .time_left = "0:00", .partition = "gpu"};
  core::WorkspaceStatus status;
  status.workspace = "/w";
  status.state = "exited";
  status.allocation = a;
  EXPECT_EQ(s.check("common.json#/$defs/WorkspaceStatus", json(status), "result"), std::nullopt) << json(status).dump();
  status.state = "pending";
  EXPECT_EQ(s.check("common.json#/$defs/WorkspaceStatus", json(status), "result"), std::nullopt);
  core::DownResult down{.workspace = "/w", .container_id = "c", .action = "removed", .allocation = a};
  EXPECT_EQ(s.check("workspace.down.json#/$defs/result", json(down), "result"), std::nullopt) << json(down).dump();
  core::UpParams up;
  up.workspace = "/w";
  up.slurm = json{{"partition", "gpu"}, {"gpus", "1"}}.get<core::SlurmRequest>();
  EXPECT_EQ(s.check("workspace.up.json#/$defs/params", json(up), "params"), std::nullopt) << json(up).dump();
  json parsed = json(up);
  EXPECT_EQ(parsed.get<core::UpParams>().slurm.partition, "gpu");
}

}  // namespace
}  // namespace dlc
