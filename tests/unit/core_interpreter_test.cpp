// The interpreter's pure pieces: the wrapper script, the environment that travels, path mapping, the
// rule that recognises PyCharm's helpers, and the mounts added to the container.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/container_plan.h"
#include "core/ide_container.h"
#include "core/interpreter.h"
#include "support/error.h"
#include "support/shell.h"

namespace dlc::core {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;

class InterpreterFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("dlc-interp-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  fs::path root_;
};

// What /bin/sh makes of a quoted word: the word itself, whatever it holds.
std::string through_sh(const std::string& quoted) {
  int fds[2];
  if (::pipe(fds) != 0) return "<pipe failed>";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    std::string script = "printf %s " + quoted;
    ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  return out;
}

TEST(ShQuote, SurvivesSpacesQuotesAndDollars) {
  for (std::string word : {"/tmp/my paper", "it's", "$HOME `id` \"x\"", "a\\b", ""}) {
    EXPECT_EQ(through_sh(shell_quote(word)), word) << word;
  }
}

TEST(WrapperScript, ExecsDlcontainerPythonWithTheWorkspaceAndAllArguments) {
  auto s = wrapper_script("/opt/dlc/bin/dlcontainer", "/home/me/my paper");
  EXPECT_TRUE(s.starts_with("#!/bin/sh\n"));
  EXPECT_THAT(s, HasSubstr("\nexec '/opt/dlc/bin/dlcontainer' python --workspace '/home/me/my paper' -- \"$@\"\n"));
}

TEST(ForwardedEnvironment, KeepsTheIdesVariablesAndDropsTheHosts) {
  auto out = forwarded_environment({{"PYTHONPATH", "/x"},
                                    {"PYCHARM_HOSTED", "1"},
                                    {"PYTHONUNBUFFERED", "1"},
                                    {"CUDA_VISIBLE_DEVICES", "0"},
                                    {"WANDB_MODE", "offline"},
                                    {"PATH", "/usr/bin"},
                                    {"HOME", "/home/me"},
                                    {"LANG", "de_DE.UTF-8"},
                                    {"LC_ALL", "de_DE.UTF-8"},
                                    {"XDG_RUNTIME_DIR", "/run/user/1000"},
                                    {"VIRTUAL_ENV", "/home/me/.venv"},
                                    {"LD_LIBRARY_PATH", "/opt/x"},
                                    {"SSH_AUTH_SOCK", "/tmp/s"},
                                    {"DLC_AGENT", "/x"}});
  std::map<std::string, std::string> want = {{"PYTHONPATH", "/x"},
                                             {"PYCHARM_HOSTED", "1"},
                                             {"PYTHONUNBUFFERED", "1"},
                                             {"CUDA_VISIBLE_DEVICES", "0"},
                                             {"WANDB_MODE", "offline"}};
  EXPECT_EQ(out, want);
}

TEST(MapPathWord, RewritesPathsUnderTheFolderOnly) {
  EXPECT_EQ(map_path_word("/home/me/paper/train.py", "/home/me/paper", "/workspaces/paper"), "/workspaces/paper/train.py");
  EXPECT_EQ(map_path_word("/home/me/paper", "/home/me/paper", "/workspaces/paper"), "/workspaces/paper");
  EXPECT_EQ(map_path_word("--file=/home/me/paper/a.py", "/home/me/paper", "/w"), "--file=/w/a.py");
  EXPECT_EQ(map_path_word("/home/me/paperback/a.py", "/home/me/paper", "/w"), "/home/me/paperback/a.py");
  EXPECT_EQ(map_path_word("x=/home/me/paper/a", "/home/me/paper", "/w"), "x=/home/me/paper/a");  // not an option
  EXPECT_EQ(map_path_word("-c", "/home/me/paper", "/w"), "-c");
  EXPECT_EQ(map_path_word("/home/me/paper/a.py", "/home/me/paper", "/home/me/paper"), "/home/me/paper/a.py");
}

TEST_F(InterpreterFiles, HelpersFolderIsRecognisedByTheRule) {
  fs::path ws = root_ / "paper";
  fs::create_directories(ws);
  fs::path helpers = root_ / "pycharm-community-2024.1" / "plugins" / "python-ce" / "helpers";
  write(helpers / "pydev" / "pydevd.py", "");
  fs::path pro = root_ / "JetBrains" / "PyCharm" / "plugins" / "python" / "helpers-pro";
  write(pro / "jupyter_debug" / "x.py", "");
  fs::path unrelated = root_ / "myproject" / "helpers";
  write(unrelated / "util.py", "");
  fs::path in_ws = ws / "pycharm" / "helpers";
  write(in_ws / "a.py", "");

  EXPECT_EQ(ide_helpers_folder((helpers / "pydev" / "pydevd.py").string(), ws), helpers.string());
  EXPECT_EQ(ide_helpers_folder(helpers.string(), ws), helpers.string());
  EXPECT_EQ(ide_helpers_folder((pro / "jupyter_debug" / "x.py").string(), ws), pro.string());
  EXPECT_EQ(ide_helpers_folder((unrelated / "util.py").string(), ws), std::nullopt);  // names no JetBrains product
  EXPECT_EQ(ide_helpers_folder((in_ws / "a.py").string(), ws), std::nullopt);         // mounted with the workspace
  EXPECT_EQ(ide_helpers_folder((root_ / "pycharm" / "helpers" / "gone.py").string(), ws), std::nullopt);  // not on this host
  EXPECT_EQ(ide_helpers_folder("helpers/pydev/pydevd.py", ws), std::nullopt);         // relative
  EXPECT_EQ(ide_helpers_folder("-u", ws), std::nullopt);
}

TEST(MirrorRefusal, SystemFoldersAreNeverShadowed) {
  EXPECT_TRUE(mirror_refusal("/"));
  EXPECT_TRUE(mirror_refusal("/usr/local/src/paper"));
  EXPECT_TRUE(mirror_refusal("/etc/x"));
  EXPECT_TRUE(mirror_refusal("/home"));
  EXPECT_FALSE(mirror_refusal("/home/me/paper"));
  EXPECT_FALSE(mirror_refusal("/tmp/a b/paper"));
  EXPECT_FALSE(mirror_refusal("/usrdata/paper"));
}

TEST(MirrorHostPath, ConfigWinsElseOnWhenTheInterpreterWasRequested) {
  config::DevcontainerConfig c;
  EXPECT_FALSE(mirror_host_path(c, IdeState{}));
  EXPECT_TRUE(mirror_host_path(c, IdeState{.interpreter = true}));
  c.dlcontainer = {{"mirrorHostPath", false}};
  EXPECT_FALSE(mirror_host_path(c, IdeState{.interpreter = true}));
  c.dlcontainer = {{"mirrorHostPath", true}};
  EXPECT_TRUE(mirror_host_path(c, IdeState{}));
  c.dlcontainer = {{"mirrorHostPath", "yes"}};
  EXPECT_THROW(mirror_host_path(c, IdeState{}), Error);
}

TEST(PydevdConnectBack, FindsThePortPyCharmsDebuggerConnectsTo) {
  using V = std::vector<std::string>;
  EXPECT_EQ(pydevd_connect_back_port(V{"-u", "/opt/pycharm/plugins/python-ce/helpers/pydev/pydevd.py", "--multiprocess", "--qt-support=auto",
                                       "--client", "127.0.0.1", "--port", "40123", "--file", "/home/me/paper/train.py", "--lr", "3"}),
            40123);
  EXPECT_EQ(pydevd_connect_back_port(V{"pydevd.py", "--port", "5678", "--client", "localhost", "--file", "x.py"}), 5678);
  // Not the debugger, or not connecting back to this machine.
  EXPECT_EQ(pydevd_connect_back_port(V{"train.py", "--client", "127.0.0.1", "--port", "1"}), std::nullopt);
  EXPECT_EQ(pydevd_connect_back_port(V{"pydevd.py", "--client", "10.0.0.5", "--port", "5678", "--file", "x.py"}), std::nullopt);
  EXPECT_EQ(pydevd_connect_back_port(V{"pydevd.py", "--client", "127.0.0.1", "--file", "x.py", "--port", "5678"}), std::nullopt);
  EXPECT_EQ(pydevd_connect_back_port(V{"pydevd.py", "--client", "127.0.0.1", "--port", "99999", "--file", "x.py"}), std::nullopt);
  EXPECT_EQ(pydevd_connect_back_port(V{"pydevd.py", "--client", "127.0.0.1", "--port", "12ab", "--file", "x.py"}), std::nullopt);
}

TEST(PythonCommand, DefaultsToPython3) {
  config::DevcontainerConfig c;
  EXPECT_EQ(python_command(c), "python3");
  c.dlcontainer = {{"python", "/opt/conda/bin/python"}};
  EXPECT_EQ(python_command(c), "/opt/conda/bin/python");
  c.dlcontainer = {{"python", 3}};
  EXPECT_THROW(python_command(c), Error);
}

TEST_F(InterpreterFiles, IdeStateRoundTripsAndIsGitIgnored) {
  IdeState s{.interpreter = true, .helpers = {"/opt/pycharm/plugins/python-ce/helpers"}};
  write_ide_state(root_, s);
  EXPECT_EQ(read_ide_state(root_), s);
  std::ifstream ignore(root_ / ".dlcontainer" / ".gitignore");
  std::string text(std::istreambuf_iterator<char>(ignore), {});
  EXPECT_THAT(text, HasSubstr("\n*\n"));
  write(root_ / ".dlcontainer" / "ide.json", "{ broken");
  EXPECT_EQ(read_ide_state(root_), IdeState{});
}

TEST_F(InterpreterFiles, ContainerSpecGetsTheMirrorAndReadOnlyHelpersOnlyWhenAsked) {
  fs::path ws_folder = root_ / "paper";
  write(ws_folder / ".devcontainer" / "devcontainer.json", R"({"image": "python:3.11"})");
  fs::path helpers = root_ / "pycharm" / "helpers";
  fs::create_directories(helpers);

  auto plain = container_spec(load_workspace(ws_folder, ""), "python:3.11", "", [](const std::string&, int p) { return p; });
  EXPECT_EQ(plain.mounts.size(), 1u);

  write_ide_state(ws_folder, IdeState{.interpreter = true, .helpers = {helpers.string(), (root_ / "gone").string()}});
  auto s = container_spec(load_workspace(ws_folder, ""), "python:3.11", "", [](const std::string&, int p) { return p; });
  EXPECT_THAT(s.mounts, Contains(engine::Mount{.type = "bind", .source = ws_folder.string(), .target = "/workspaces/paper"}));
  EXPECT_THAT(s.mounts, Contains(engine::Mount{.type = "bind", .source = ws_folder.string(), .target = ws_folder.string()}));
  EXPECT_THAT(s.mounts, Contains(engine::Mount{.type = "bind", .source = helpers.string(), .target = helpers.string(), .read_only = true}));
  EXPECT_THAT(s.mounts, Not(Contains(Field(&engine::Mount::target, (root_ / "gone").string()))));
  EXPECT_EQ(s.working_dir, "/workspaces/paper");  // the spec's folder stays what other tools expect

  write(ws_folder / ".devcontainer" / "devcontainer.json", R"({"image": "python:3.11", "customizations": {"dlcontainer": {"mirrorHostPath": false}}})");
  auto off = container_spec(load_workspace(ws_folder, ""), "python:3.11", "", [](const std::string&, int p) { return p; });
  EXPECT_THAT(off.mounts, Not(Contains(Field(&engine::Mount::target, ws_folder.string()))));
}

}  // namespace
}  // namespace dlc::core
