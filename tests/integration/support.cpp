#include "integration/support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "engine/build_context.h"
#include "support/error.h"
#include "support/hash.h"

extern char** environ;

namespace dlc::testing {

namespace fs = std::filesystem;

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::optional<engine::Engine> test_engine(std::string* why) {
  try {
    return engine::Engine::connect();
  } catch (const Error& e) {
    *why = e.what();
    return std::nullopt;
  }
}

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
    ADD_FAILURE() << "pipe failed";
    return {};
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    setpgid(0, 0);
    for (const auto& name : options.unset_env) unsetenv(name.c_str());
    for (const auto& [k, v] : options.env) setenv(k.c_str(), v.c_str(), 1);
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(126);
    if (options.uid) {
      gid_t gid = options.gid.value_or(*options.uid);
      if (setgroups(options.groups.size(), options.groups.data()) != 0 || setgid(gid) != 0 || setuid(*options.uid) != 0) _exit(126);
      setenv("HOME", "/tmp", 1);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);

  RunResult result;
  std::string_view pending_in = options.stdin_data;
  if (pending_in.empty()) {
    close(in_pipe[1]);
    in_pipe[1] = -1;
  } else {
    fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[3];
    nfds_t n = 0;
    int out_slot = -1, err_slot = -1, in_slot = -1;
    if (out_open) { out_slot = static_cast<int>(n); fds[n++] = {out_pipe[0], POLLIN, 0}; }
    if (err_open) { err_slot = static_cast<int>(n); fds[n++] = {err_pipe[0], POLLIN, 0}; }
    if (in_pipe[1] >= 0) { in_slot = static_cast<int>(n); fds[n++] = {in_pipe[1], POLLOUT, 0}; }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      kill(-pid, SIGKILL);
      ADD_FAILURE() << "timed out after " << options.timeout_seconds << "s: " << argv[0] << (argv.size() > 1 ? " " + argv[1] : "");
      break;
    }
    if (poll(fds, n, static_cast<int>(left)) < 0) continue;
    char buf[65536];
    auto drain = [&](int slot, int fd, std::string& into, bool& open) {
      if (slot < 0 || !(fds[slot].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t got = read(fd, buf, sizeof buf);
      if (got <= 0) open = false;
      else into.append(buf, static_cast<std::size_t>(got));
    };
    drain(out_slot, out_pipe[0], result.out, out_open);
    drain(err_slot, err_pipe[0], result.err, err_open);
    if (in_slot >= 0 && (fds[in_slot].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t put = write(in_pipe[1], pending_in.data(), pending_in.size());
      if (put > 0) pending_in.remove_prefix(static_cast<std::size_t>(put));
      if (put < 0 || pending_in.empty()) {
        close(in_pipe[1]);
        in_pipe[1] = -1;
      }
    }
  }
  if (in_pipe[1] >= 0) close(in_pipe[1]);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

namespace {

// What the binary remembers between runs (inspection's cache) goes here, not into the user's home,
// unless a test names its own; removed when the tests end.
struct TestCache {
  fs::path path = fs::temp_directory_path() / ("dlc-test-cache-" + std::to_string(::getpid()));
  ~TestCache() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

const std::string& test_cache_dir() {
  static const TestCache cache;
  static const std::string path = cache.path.string();
  return path;
}

std::string dlc_binary() {
  // DLC_TEST_BINARY runs the tests against another build: a regression test is shown to fail on the
  // code before its fix by pointing it at that build's binary.
  const char* other = std::getenv("DLC_TEST_BINARY");
  return other != nullptr && *other != '\0' ? other : DLC_BINARY;
}

RunResult dlc(const std::vector<std::string>& args, const RunOptions& options) {
  std::vector<std::string> argv{dlc_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions o = options;
  o.env.emplace("NO_COLOR", "1");
  o.env.emplace("XDG_CACHE_HOME", test_cache_dir());
  return run(argv, o);
}

HeldPort::HeldPort(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << "port " << port;
  ::listen(fd_, 16);
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
}

HeldPort::~HeldPort() { ::close(fd_); }

int free_port() { return HeldPort().port(); }

Spawned::Spawned(const std::vector<std::string>& argv, const fs::path& cwd, const std::map<std::string, std::string>& env) {
  int out[2];
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  out_ = out[0];
}

Spawned::~Spawned() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (out_ >= 0) ::close(out_);
}

bool Spawned::wait_for(const std::string& text, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (output.find(text) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(out_, buf, sizeof buf);
    if (n <= 0) return output.find(text) != std::string::npos;
    output.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<int> Spawned::wait_exit(int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

std::vector<std::string> processes_with(const engine::Engine& engine, const std::string& container, const std::string& marker) {
  std::string out;
  engine::ExecIO io;
  io.on_stdout = [&](std::string_view d) { out.append(d); };
  engine.run_exec(container,
                  engine::ExecSpec{.cmd = {"/bin/sh", "-c",
                                           "for d in /proc/[0-9]*; do [ \"${d#/proc/}\" = $$ ] || "
                                           "{ tr '\\0' ' ' < $d/cmdline; echo; } 2>/dev/null; done"}},
                  io);
  std::vector<std::string> found;
  std::string line;
  for (char c : out + "\n") {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (line.find(marker) != std::string::npos) found.push_back(line);
    line.clear();
  }
  return found;
}

Workspace::Workspace(std::string name) {
  std::random_device rd;
  root_ = fs::temp_directory_path() / ("dlc-test-" + std::to_string(rd()));
  path_ = root_ / name;
  fs::create_directories(path_);
  fs::permissions(root_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
}

Workspace::~Workspace() {
  try {
    auto e = engine::Engine::connect();
    for (const auto& c : containers(e)) {
      e.remove_container(c.id, /*force=*/true, /*remove_volumes=*/true);
      // The layer that maps the remote user to a host uid is made for this workspace alone (by
      // dlcontainer, or by the devcontainer CLI: vsc-<folder>-<hash>[-uid]).
      if (c.image.rfind("dlcontainer/", 0) == 0 && c.image.find(":uid-") != std::string::npos) {
        try {
          e.remove_image(c.image);
        } catch (...) {
        }
      }
    }
    // The images dlcontainer built for this folder (its Dockerfile, its uid layer), by their label.
    for (const auto& image : e.list_images({{"dev.dlcontainer.built-for", fs::weakly_canonical(path_).string()}})) {
      try {
        e.remove_image(image.id, /*force=*/true);
      } catch (...) {
      }
    }
    // The images the devcontainer CLI makes for a folder: vsc-<name>-<sha256 of its path>[-uid|-features].
    std::string reference = "vsc-" + path_.filename().string() + "-" + sha256_hex(path_.string());
    for (const auto& suffix : {"-uid", "-features", ""}) {
      try {
        e.remove_image(reference + suffix);
      } catch (...) {
      }
    }
  } catch (...) {
  }
  std::error_code ec;
  fs::remove_all(root_, ec);
}

void Workspace::write(const std::string& relative, const std::string& content) const {
  auto p = path_ / relative;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

std::string Workspace::read(const std::string& relative) const {
  std::ifstream in(path_ / relative, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<engine::ContainerSummary> Workspace::containers(const engine::Engine& e) const {
  auto found = e.list_containers({{"dev.dlcontainer.workspace", fs::weakly_canonical(path_).string()}});
  for (const auto& folder : {path_.string(), fs::weakly_canonical(path_).string()}) {
    for (auto& c : e.list_containers({{"devcontainer.local_folder", folder}})) {
      if (std::none_of(found.begin(), found.end(), [&](const auto& f) { return f.id == c.id; })) found.push_back(std::move(c));
    }
  }
  return found;
}

TestImage::TestImage(const engine::Engine& engine, const std::string& name, const std::string& dockerfile_lines,
                     const std::map<std::string, std::string>& labels)
    : engine_(engine), tag_("dlc-test-tmp/" + name + "-" + std::to_string(std::random_device{}()) + ":latest") {
  engine::BuildRequest req;
  req.tags = {tag_};
  req.labels = labels;
  std::string context = engine::tar_files({{"Dockerfile", std::string("FROM ") + kPythonImage + "\n" + dockerfile_lines, 0644}});
  engine.build_image(req, [&](const engine::DataSink& write) { write(context); }, no_progress());
}

TestImage::~TestImage() {
  try {
    engine_.remove_image(tag_, /*force=*/true);
  } catch (...) {
  }
}

std::map<std::string, std::string> snapshot(const fs::path& folder) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    out[entry.path().lexically_relative(folder).string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

}  // namespace dlc::testing
