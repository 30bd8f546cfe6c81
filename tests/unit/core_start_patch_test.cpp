// The system files' patch made part of a new container's start (core/start_patch.h): where it is put,
// where it is not, and that the start's shell feeds the patch the same bytes the exec would.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/container_plan.h"
#include "core/container_setup.h"
#include "core/start_patch.h"
#include "support/process.h"

namespace dlc::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

engine::ContainerSpec keep_alive_spec(std::vector<std::string> env, std::string user = "") {
  engine::ContainerSpec s;
  auto keep = keep_alive_command({"/usr/local/share/a-init.sh"});
  s.entrypoint = std::vector<std::string>{keep.front()};
  s.cmd = std::vector<std::string>(keep.begin() + 1, keep.end());
  s.env = std::move(env);
  s.user = std::move(user);
  return s;
}

engine::ImageInfo image_with(std::vector<std::string> env, std::string user = "") {
  engine::ImageInfo i;
  i.env = std::move(env);
  i.user = std::move(user);
  return i;
}

TEST(StartPatch, ARootKeepAliveContainerPatchesBeforeItSaysItStartedWithNoValueInItsCommand) {
  auto spec = keep_alive_spec({"TOKEN=s3cret", "LANG=C"});
  ASSERT_TRUE(patch_at_start(spec, image_with({"LANG=C.UTF-8", "PATH=/usr/bin:/bin"}), false));
  const std::string& script = (*spec.cmd)[1];
  auto patch = script.find(system_patch_script());
  auto started = script.find("echo 'dlcontainer: container started'");
  auto entrypoint = script.find("/usr/local/share/a-init.sh");
  ASSERT_NE(patch, std::string::npos) << script;
  EXPECT_LT(script.find("trap 'exit 0' TERM INT"), patch);  // `down` stays quick while it patches
  EXPECT_LT(patch, started);
  EXPECT_LT(started, entrypoint);
  // Docker's order: the spec's variables, then the image's the spec does not set; values from the shell.
  EXPECT_THAT(script, HasSubstr("TOKEN \"${TOKEN}\" LANG \"${LANG}\" PATH \"${PATH}\";"));
  EXPECT_THAT(script, Not(HasSubstr("s3cret")));
}

TEST(StartPatch, IsLeftToTheExecWhereTheStartCouldNotDoExactlyTheSame) {
  auto unchanged = [](engine::ContainerSpec spec, const engine::ImageInfo& image, bool podman) {
    auto before = spec;
    EXPECT_FALSE(patch_at_start(spec, image, podman));
    EXPECT_EQ(spec, before);
  };
  unchanged(keep_alive_spec({"A=1"}, "dev"), image_with({}), false);          // the container's user cannot write /etc
  unchanged(keep_alive_spec({"A=1"}), image_with({}, "1000:1000"), false);    // nor the image's
  unchanged(keep_alive_spec({"A=1"}), image_with({}), true);                  // Podman adds variables of its own
  unchanged(keep_alive_spec({"IFS=,"}), image_with({}), false);               // the shell sets its own
  unchanged(keep_alive_spec({}), image_with({"PWD=/x"}), false);
  unchanged(keep_alive_spec({"my-var=1"}), image_with({}), false);            // no shell variable of that name
  unchanged(keep_alive_spec({"A=1", "A=2"}), image_with({}), false);          // Docker keeps both lines
  unchanged(keep_alive_spec({"A"}), image_with({}), false);
  engine::ContainerSpec own;  // the image's own entrypoint and command (overrideCommand false, no Feature's)
  own.env = {"A=1"};
  unchanged(own, image_with({}), false);
  auto as_root = keep_alive_spec({"A=1"}, "root:root");
  EXPECT_TRUE(patch_at_start(as_root, image_with({}, "dev"), false));  // the spec's user, not the image's
  auto as_zero = keep_alive_spec({"A=1"}, "0");
  EXPECT_TRUE(patch_at_start(as_zero, image_with({}), false));
}

// The start's lines, run by this host's /bin/sh with the patch swapped for a copy of its input.
std::string lines_fed(const std::vector<std::string>& spec_env, const std::vector<std::string>& image_env) {
  auto spec = keep_alive_spec(spec_env);
  EXPECT_TRUE(patch_at_start(spec, image_with(image_env), false));
  std::string script = (*spec.cmd)[1];
  script = script.substr(0, script.find("echo 'dlcontainer: container started'"));
  auto out = std::filesystem::temp_directory_path() / ("dlc-start-patch-" + std::to_string(::getpid()));
  script.replace(script.find(system_patch_script()), system_patch_script().size(), "cat > '" + out.string() + "'");
  std::vector<std::string> argv{"env", "-i"};
  for (const auto& e : image_env) argv.push_back(e);
  for (const auto& e : spec_env) argv.push_back(e);  // the spec's win, as in the container
  argv.insert(argv.end(), {"/bin/sh", "-c", script});
  auto r = run_process(ProcessSpec{.argv = argv});
  EXPECT_EQ(r.status, 0) << r.err;
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(out);
  return text.str();
}

TEST(StartPatch, TheStartsShellFeedsThePatchTheExecsBytes) {
  // The exec's input: "\nNAME=\"value\"" per variable of the container's environment, then "\n".
  EXPECT_EQ(lines_fed({"Q=say \"hi\"", "B=a\\b\\n", "D=$HOME ${X} `id`", "M=one\ntwo\n", "S=  two  ", "E="}, {"LANG=C.UTF-8", "Q=image"}),
            "\nQ=\"say \"hi\"\"\nB=\"a\\b\\n\"\nD=\"$HOME ${X} `id`\"\nM=\"one\ntwo\n\"\nS=\"  two  \"\nE=\"\"\nLANG=\"C.UTF-8\"\n");
  EXPECT_EQ(lines_fed({}, {}), "\n");
}

}  // namespace
}  // namespace dlc::core
