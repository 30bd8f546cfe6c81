#include "integration/podman_support.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace dlc::testing {

namespace fs = std::filesystem;

namespace {


bool answers(const std::string& socket) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket.c_str());
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string tail_of(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto s = ss.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

}  // namespace

PodmanService::PodmanService(Mode mode) : mode_(mode) {
  if (::geteuid() != 0) {
    why_ = "the Podman tests need root (to make the service's user and storage)";
    return;
  }
  if (run({"podman", "--version"}).status != 0) {
    why_ = "podman is not installed (apt-get install podman uidmap slirp4netns fuse-overlayfs)";
    return;
  }
  char tmpl[] = "/tmp/dlc-podman-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                            fs::perms::others_exec);
  if (mode == Mode::Rootless) {
    user_ = "dlcpm" + std::to_string(::getpid() % 100000);
    // useradd gives the user a subordinate uid/gid range (login.defs SUB_UID_COUNT), which rootless
    // Podman maps the container's other users into.
    if (auto r = run({"useradd", "-m", "-s", "/bin/sh", user_}); r.status != 0) {
      why_ = "useradd " + user_ + " failed: " + r.err;
      user_.clear();
      return;
    }
    passwd* pw = ::getpwnam(user_.c_str());
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    if (run({"grep", "-q", "^" + user_ + ":", "/etc/subuid"}).status != 0) {
      why_ = "useradd gave " + user_ + " no subordinate uids (/etc/subuid); rootless Podman needs them";
      return;
    }
  }
  for (const char* d : {"xdg", "xdg/podman", "config", "data", "cache", "root", "runroot"}) {
    fs::create_directories(dir_ / d);
    if (::chown((dir_ / d).c_str(), uid_, gid_) != 0) why_ = "chown failed";
  }
  fs::permissions(dir_ / "xdg", fs::perms::owner_all);
  std::ofstream(dir_ / "containers.conf") << kPodmanContainersConf;
  socket_ = mode == Mode::Rootless ? (dir_ / "xdg/podman/podman.sock").string() : (dir_ / "podman.sock").string();

  pid_ = ::fork();
  if (pid_ == 0) {
    ::setsid();
    int log = ::open((dir_ / "service.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(log, 1);
    ::dup2(log, 2);
    for (const auto& [k, v] : as_user().env) ::setenv(k.c_str(), v.c_str(), 1);
    if (mode == Mode::Rootless) {
      ::setenv("HOME", ::getpwuid(uid_)->pw_dir, 1);
      if (::setgroups(0, nullptr) != 0 || ::setgid(gid_) != 0 || ::setuid(uid_) != 0) _exit(126);
    }
    std::string root = (dir_ / "root").string(), runroot = (dir_ / "runroot").string(), url = "unix://" + socket_;
    ::execlp("podman", "podman", "--root", root.c_str(), "--runroot", runroot.c_str(), "--storage-driver", "overlay", "system",
             "service", "--time=0", url.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 300 && !answers(socket_); ++i) {  // 30 s at most
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      why_ = "podman system service exited: " + tail_of(dir_ / "service.log");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!answers(socket_)) why_ = "podman system service did not listen on " + socket_ + " within 30 s";
}

PodmanService::~PodmanService() { stop(); }

RunOptions PodmanService::as_user() const {
  RunOptions o;
  o.env = {{"CONTAINERS_CONF", (dir_ / "containers.conf").string()},
           {"XDG_RUNTIME_DIR", (dir_ / "xdg").string()},
           {"XDG_CONFIG_HOME", (dir_ / "config").string()},
           {"XDG_DATA_HOME", (dir_ / "data").string()},
           {"XDG_CACHE_HOME", (dir_ / "cache").string()}};
  if (mode_ == Mode::Rootless) {
    o.uid = uid_;
    o.gid = gid_;
  }
  o.timeout_seconds = 600;
  return o;
}

RunResult PodmanService::podman(const std::vector<std::string>& args) const {
  // Native overlay works rootless on these kernels; Podman's rootless default without a storage.conf
  // would be vfs, which copies every layer.
  std::vector<std::string> argv{"podman", "--root", (dir_ / "root").string(), "--runroot", (dir_ / "runroot").string(),
                                "--storage-driver", "overlay"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, as_user());
}

bool PodmanService::load(const std::vector<std::string>& images) {
  for (const auto& image : images) {
    auto tar = dir_ / "image.tar";
    if (auto r = run({"docker", "save", "-o", tar.string(), image}); r.status != 0) {
      why_ = "docker save " + image + " failed (tests/images/build.sh makes it): " + r.err;
      return false;
    }
    fs::permissions(tar, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    auto r = podman({"load", "-i", tar.string()});
    fs::remove(tar);
    if (r.status != 0) {
      why_ = "podman load " + image + " failed: " + r.err;
      return false;
    }
  }
  return true;
}

RunResult PodmanService::dlc(const std::vector<std::string>& args, RunOptions options) const {
  auto user = as_user();
  for (const auto& [k, v] : user.env) options.env.emplace(k, v);
  options.env["DLC_ENGINE"] = "podman";
  if (mode_ == Mode::Rootful) options.env["CONTAINER_HOST"] = "unix://" + socket_;
  options.unset_env.push_back("DOCKER_HOST");
  if (mode_ == Mode::Rootless) options.unset_env.push_back("CONTAINER_HOST");
  options.uid = user.uid;
  options.gid = user.gid;
  options.timeout_seconds = user.timeout_seconds;
  return testing::dlc(args, options);
}

std::unique_ptr<Workspace> PodmanService::workspace() const {
  auto ws = std::make_unique<Workspace>();
  fs::permissions(ws->path().parent_path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                                fs::perms::others_read | fs::perms::others_exec);
  if (::chown(ws->path().c_str(), uid_, gid_) != 0) ADD_FAILURE() << "chown " << ws->str();
  return ws;
}

void PodmanService::stop() {
  if (pid_ > 0) {
    // Containers and images live in this service's own storage: all of it is the test's.
    podman({"rm", "--all", "--force", "--time", "0"});
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (!dir_.empty()) {
    // Rootless Podman keeps a pause process holding its user namespace: read before reset removes it.
    pid_t pause = 0;
    std::ifstream(dir_ / "xdg/libpod/tmp/pause.pid") >> pause;
    podman({"system", "reset", "--force"});  // unmounts and removes the storage it made
    if (pause > 1) ::kill(pause, SIGKILL);
    // An exec session's conmon waits minutes after its exec (--exit-delay): each names our storage.
    for (const auto& e : fs::directory_iterator("/proc")) {
      const auto name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(e.path() / "cmdline");
      std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (cmdline.find(dir_.string() + "/") != std::string::npos) ::kill(std::stoi(name), SIGKILL);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
  if (!user_.empty()) {
    // Whatever still runs as the user (an exec session's conmon outlives a forced remove) is ours.
    for (const auto& e : fs::directory_iterator("/proc")) {
      const auto name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      struct stat st {};
      if (::stat(e.path().c_str(), &st) == 0 && st.st_uid == uid_) ::kill(std::stoi(name), SIGKILL);
    }
    run({"userdel", "-r", user_});
    user_.clear();
  }
}

}  // namespace dlc::testing
