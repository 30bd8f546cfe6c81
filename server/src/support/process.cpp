#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "support/error.h"

extern char** environ;

namespace dlc {

namespace {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
  static Pipe make() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw Error(ErrorCode::Internal, std::string("pipe: ") + std::strerror(errno));
    return Pipe{Fd(p[0]), Fd(p[1])};
  }
};

// Output of one stream: lines to the sink, bytes to the result (bounded).
struct Stream {
  bool is_err;
  std::string* collected;
  std::string pending;
  bool open = true;
};

}  // namespace

bool on_path(const std::string& program) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    auto colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon - start);
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

ProcessResult run_process(const ProcessSpec& spec, const LineSink& on_line, const CancelToken& cancel,
                          std::size_t max_collected) {
  if (spec.argv.empty()) throw Error(ErrorCode::InvalidArgument, "no program to run");
  // A path (with '/') is found from the program's own folder (cwd), so only a bare name is checked here.
  if (spec.argv[0].find('/') == std::string::npos && !on_path(spec.argv[0]))
    throw Error(ErrorCode::PathNotFound, spec.argv[0] + " is not installed (not found on PATH)",
                "install it, or put the folder that holds it on PATH");
  Pipe in = Pipe::make(), out = Pipe::make(), err = Pipe::make();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (spec.stdin_data) {
    posix_spawn_file_actions_adddup2(&actions, in.read.get(), 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that a cancel stops what it started too (a shell's children).
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);

  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (!spec.env.count(kv.substr(0, kv.find('=')))) env_text.push_back(kv);
  }
  for (const auto& [k, v] : spec.env) env_text.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& kv : env_text) envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    throw Error(ErrorCode::PathNotFound, "cannot start " + spec.argv[0] + ": " + std::strerror(rc),
                "check that it is installed and may be run");
  in.read.reset();
  out.write.reset();
  err.write.reset();

  ProcessResult result;
  std::atomic<bool> stop_asked{false};
  auto reg = cancel.on_cancel([&] {
    stop_asked = true;
    ::kill(-pid, SIGTERM);
  });
  std::string_view to_write = spec.stdin_data ? std::string_view(*spec.stdin_data) : std::string_view();
  if (spec.stdin_data) ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
  else in.write.reset();
  if (to_write.empty()) in.write.reset();

  Stream streams[2] = {{false, &result.out, {}, true}, {true, &result.err, {}, true}};
  int fds[2] = {out.read.get(), err.read.get()};
  auto emit = [&](Stream& s, std::string_view data) {
    std::size_t room = max_collected > s.collected->size() ? max_collected - s.collected->size() : 0;
    if (data.size() > room) result.truncated = true;
    s.collected->append(data.substr(0, room));
    if (!on_line) return;
    s.pending.append(data);
    for (std::size_t nl; (nl = s.pending.find('\n')) != std::string::npos;) {
      std::string_view line(s.pending.data(), nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      on_line(s.is_err, line);
      s.pending.erase(0, nl + 1);
    }
    if (s.pending.size() > 65536) {  // a line that never ends is passed on in pieces
      on_line(s.is_err, s.pending);
      s.pending.clear();
    }
  };
  auto killed_at = std::chrono::steady_clock::time_point::max();
  char buf[65536];
  while (streams[0].open || streams[1].open) {
    pollfd p[3];
    nfds_t n = 0;
    int slot[3] = {-1, -1, -1};
    for (int i = 0; i < 2; ++i)
      if (streams[i].open) slot[n] = i, p[n++] = {fds[i], POLLIN, 0};
    if (in.write.get() >= 0) slot[n] = 2, p[n++] = {in.write.get(), POLLOUT, 0};
    if (::poll(p, n, 200) < 0 && errno != EINTR) break;
    for (nfds_t k = 0; k < n; ++k) {
      if (!p[k].revents) continue;
      if (slot[k] == 2) {
        ssize_t put = ::write(in.write.get(), to_write.data(), to_write.size());
        if (put > 0) to_write.remove_prefix(static_cast<std::size_t>(put));
        if (put < 0 || to_write.empty()) in.write.reset();
        continue;
      }
      Stream& s = streams[slot[k]];
      ssize_t got = ::read(fds[slot[k]], buf, sizeof buf);
      if (got > 0) emit(s, std::string_view(buf, static_cast<std::size_t>(got)));
      else if (got == 0 || errno != EINTR) s.open = false;
    }
    if (stop_asked && killed_at == std::chrono::steady_clock::time_point::max())
      killed_at = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    if (std::chrono::steady_clock::now() > killed_at) ::kill(-pid, SIGKILL);
  }
  for (auto& s : streams)
    if (on_line && !s.pending.empty()) on_line(s.is_err, s.pending);
  int status = 0;
  for (;;) {  // a program that closed its output may still run: wait, still able to stop it
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (stop_asked && killed_at == std::chrono::steady_clock::time_point::max())
      killed_at = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    if (std::chrono::steady_clock::now() > killed_at) ::kill(-pid, SIGKILL);
    ::usleep(20000);
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (stop_asked) throw Error(ErrorCode::Cancelled, spec.argv[0] + " was stopped: the work was cancelled");
  return result;
}

}  // namespace dlc
