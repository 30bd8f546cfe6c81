// services/ without a daemon: the agent's framing, the debug and GUI container options, and where
// forwardPorts/appPort publish.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "agent/protocol.h"
#include "core/container_plan.h"
#include "services/services.h"

namespace {

namespace fs = std::filesystem;
using dlc::engine::ContainerSpec;
using json = nlohmann::json;

// A temporary folder, removed afterwards.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("dlc-unit-" + std::to_string(std::random_device{}()))) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Sets environment variables for the life of the object.
class Env {
 public:
  Env(std::initializer_list<std::pair<const char*, std::string>> vars) {
    for (const auto& [k, v] : vars) {
      const char* old = std::getenv(k);
      saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
      if (v.empty()) ::unsetenv(k);
      else ::setenv(k, v.c_str(), 1);
    }
  }
  ~Env() {
    for (const auto& [k, v] : saved_) {
      if (v) ::setenv(k.c_str(), v->c_str(), 1);
      else ::unsetenv(k.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// One .Xauthority entry as the X libraries write it: family, then four length-prefixed fields.
std::string xauth_entry(unsigned short family, const std::string& address, const std::string& number,
                        const std::string& name, const std::string& data) {
  auto u16 = [](std::size_t v) { return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; };
  auto field = [&](const std::string& s) { return u16(s.size()) + s; };
  return u16(family) + field(address) + field(number) + field(name) + field(data);
}

TEST(AgentFrames, SurviveArrivingInPiecesAndInOneBlock) {
  using namespace dlc::agent;
  std::string stream = frame(Frame::Open, 7) + frame(Frame::Data, 7, std::string("hello\0world", 11)) + frame(Frame::Eof, 7);
  for (std::size_t piece : {std::size_t{1}, std::size_t{4}, stream.size()}) {
    FrameReader reader;
    std::vector<std::tuple<Frame, std::uint32_t, std::string>> got;
    for (std::size_t i = 0; i < stream.size(); i += piece) {
      reader.feed(std::string_view(stream).substr(i, piece));
      Frame type;
      std::uint32_t channel;
      std::string payload;
      while (reader.next(type, channel, payload)) got.emplace_back(type, channel, payload);
    }
    ASSERT_EQ(got.size(), 3u) << "piece " << piece;
    EXPECT_EQ(std::get<0>(got[0]), Frame::Open);
    EXPECT_EQ(std::get<1>(got[1]), 7u);
    EXPECT_EQ(std::get<2>(got[1]), std::string("hello\0world", 11));
    EXPECT_EQ(std::get<0>(got[2]), Frame::Eof);
  }
}

TEST(AgentFrames, AHeaderAnnouncingTooMuchIsCorrupt) {
  using namespace dlc::agent;
  FrameReader reader;
  std::string header(kHeaderSize, '\0');
  header[0] = 'D';
  put_u32(header.data() + 5, kMaxPayload + 1);
  reader.feed(header);
  EXPECT_TRUE(reader.corrupt());
}

TEST(ContainerOptions, DebuggingAddsPtraceAndUnconfinedSeccompOnce) {
  ContainerSpec spec;
  spec.cap_add = {"NET_ADMIN"};
  dlc::services::add_container_options(json{{"debug", true}}, "c", spec);
  dlc::services::add_container_options(json{{"debug", true}}, "c", spec);
  EXPECT_EQ(spec.cap_add, (std::vector<std::string>{"NET_ADMIN", "SYS_PTRACE"}));
  EXPECT_EQ(spec.security_opt, (std::vector<std::string>{"seccomp=unconfined"}));
}

TEST(ContainerOptions, ASeccompProfileTheUserChoseIsKept) {
  ContainerSpec spec;
  spec.security_opt = {"seccomp=/etc/profile.json"};
  dlc::services::add_container_options(json{{"debug", true}}, "c", spec);
  EXPECT_EQ(spec.security_opt, (std::vector<std::string>{"seccomp=/etc/profile.json"}));
}

TEST(ContainerOptions, WithoutDebugOrGuiNothingChanges) {
  ContainerSpec spec;
  dlc::services::add_container_options(json{{"debug", false}, {"gui", false}}, "c", spec);
  EXPECT_EQ(spec, ContainerSpec{});
}

TEST(ContainerOptions, GuiWithoutALocalDisplayAddsNothing) {
  for (const char* display : {"", "localhost:10.0"}) {
    Env env{{"DISPLAY", display}};
    ContainerSpec spec;
    dlc::services::add_container_options(json{{"gui", true}}, "c", spec);
    EXPECT_EQ(spec, ContainerSpec{}) << display;
  }
}

TEST(ContainerOptions, GuiPassesTheSocketTheDisplayAndOnlyThatDisplaysCookieForAnyHost) {
  TempDir tmp;
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  std::string cookie(16, '\x5a'), other(16, '\x11');
  {
    std::ofstream out(tmp.path() / "host.xauth", std::ios::binary);
    out << xauth_entry(256, host, "8", "MIT-MAGIC-COOKIE-1", other) << xauth_entry(256, host, "7", "MIT-MAGIC-COOKIE-1", cookie);
  }
  Env env{{"DISPLAY", ":7.0"}, {"XAUTHORITY", (tmp.path() / "host.xauth").string()}, {"XDG_CACHE_HOME", tmp.path().string()}};
  ContainerSpec spec;
  dlc::services::add_container_options(json{{"gui", true}}, "dlc-paper-1234", spec);

  EXPECT_NE(std::find(spec.env.begin(), spec.env.end(), "DISPLAY=:7"), spec.env.end());
  EXPECT_NE(std::find(spec.env.begin(), spec.env.end(), "XAUTHORITY=/tmp/.dlcontainer-x11/Xauthority"), spec.env.end());
  ASSERT_EQ(spec.mounts.size(), 2u);
  EXPECT_EQ(spec.mounts[0].source, "/tmp/.X11-unix");
  EXPECT_EQ(spec.mounts[0].target, "/tmp/.X11-unix");
  fs::path folder = tmp.path() / "dlcontainer" / "x11" / "dlc-paper-1234";
  EXPECT_EQ(spec.mounts[1].source, folder.string());
  EXPECT_TRUE(spec.mounts[1].read_only);

  std::ifstream in(folder / "Xauthority", std::ios::binary);
  std::string written((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(written, xauth_entry(65535, "", "7", "MIT-MAGIC-COOKIE-1", cookie));
  // Only the host user may reach it; the one mounted folder is readable by the container's user.
  EXPECT_EQ(fs::status(tmp.path() / "dlcontainer").permissions() & fs::perms::all, fs::perms::owner_all);

  // A restarted X server has a new cookie: refresh rewrites the same file.
  std::string fresh(16, '\x33');
  {
    std::ofstream out(tmp.path() / "host.xauth", std::ios::binary | std::ios::trunc);
    out << xauth_entry(256, host, "7", "MIT-MAGIC-COOKIE-1", fresh);
  }
  dlc::services::refresh_display(json{{"gui", true}}, "dlc-paper-1234");
  std::ifstream again(folder / "Xauthority", std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(again)), {}), xauth_entry(65535, "", "7", "MIT-MAGIC-COOKIE-1", fresh));
}

TEST(ContainerPlan, ForwardPortsAndAppPortPublishOnLoopbackUnlessBindAddressSaysOtherwise) {
  TempDir tmp;
  auto write = [&](const std::string& text) {
    fs::create_directories(tmp.path() / ".devcontainer");
    std::ofstream(tmp.path() / ".devcontainer" / "devcontainer.json") << text;
  };
  auto picker = [](const std::string&, int preferred) { return preferred + 1; };  // every port is "taken"
  write(R"({"image": "x", "forwardPorts": [8888, "db:5432"], "appPort": [3000], "runArgs": ["-p", "0.0.0.0:9000:9000"]})");
  auto spec = dlc::core::container_spec(dlc::core::load_workspace(tmp.path(), ""), "x", "", picker);
  ASSERT_EQ(spec.ports.size(), 3u);
  EXPECT_EQ(spec.ports[0], (dlc::engine::PortBinding{9000, "tcp", "0.0.0.0", 9000}));  // asked for by the user
  EXPECT_EQ(spec.ports[1], (dlc::engine::PortBinding{3000, "tcp", "127.0.0.1", 3001}));
  EXPECT_EQ(spec.ports[2], (dlc::engine::PortBinding{8888, "tcp", "127.0.0.1", 8889}));

  write(R"({"image": "x", "forwardPorts": [8888], "customizations": {"dlcontainer": {"bindAddress": "0.0.0.0", "debug": true}}})");
  spec = dlc::core::container_spec(dlc::core::load_workspace(tmp.path(), ""), "x", "", picker);
  ASSERT_EQ(spec.ports.size(), 1u);
  EXPECT_EQ(spec.ports[0].host_ip, "0.0.0.0");
  EXPECT_NE(std::find(spec.cap_add.begin(), spec.cap_add.end(), "SYS_PTRACE"), spec.cap_add.end());
}

}  // namespace
