#include "engine/command_stream.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace dlc::engine {

namespace {

using namespace std::chrono_literals;

constexpr std::size_t kErrorOutputLimit = 8192;

class CommandStream : public FdStream {
 public:
  CommandStream(int read_fd, int write_fd, int err_fd, pid_t pid, CommandFailure explain)
      : FdStream(read_fd, write_fd), err_fd_(err_fd), pid_(pid), explain_(std::move(explain)) {}
  ~CommandStream() override {
    end_child(pid_);
    ::close(err_fd_);
  }

  std::optional<Error> explain() override {
    // The command ends soon after its stream; its status and words say why.
    auto status = wait_exit(pid_, 3s);
    if (status) pid_ = -1;
    std::string output;
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(err_fd_, buf, sizeof buf);
      if (n <= 0) break;
      output.append(buf, static_cast<std::size_t>(n));
      if (output.size() > kErrorOutputLimit) output.erase(0, output.size() - kErrorOutputLimit);
    }
    if (!status && output.empty()) return std::nullopt;
    return explain_(output, status ? *status : 0);
  }

 private:
  int err_fd_;
  pid_t pid_;
  CommandFailure explain_;
};

}  // namespace

pid_t spawn_command(const std::vector<std::string>& argv, int in, int out, int err, bool new_session) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string missing = "cannot run " + argv.at(0) + ": not found\n";
  pid_t pid = ::fork();
  if (pid < 0) throw Error(ErrorCode::Internal, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // No PR_SET_PDEATHSIG: it fires when the forking *thread* ends, and a pooled connection outlives
    // the thread that made it. A dead dlcontainer still leaves nothing: its end of the socket closes,
    // the command reads EOF, and dial-stdio ends with its connection.
    if (new_session) ::setsid();
    ::dup2(in, 0), ::dup2(out, 1), ::dup2(err, 2);
    ::signal(SIGPIPE, SIG_DFL);
    ::execvp(args[0], args.data());
    [[maybe_unused]] auto n = ::write(2, missing.data(), missing.size());
    ::_exit(127);
  }
  return pid;
}

std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  auto until = Clock::now() + limit;
  for (int pause = 1;; pause = std::min(pause * 2, 50)) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(pause));
  }
}

void end_child(pid_t pid) {
  if (pid <= 0) return;
  if (wait_exit(pid, 0ms)) return;
  ::kill(pid, SIGTERM);
  if (wait_exit(pid, 2s)) return;
  ::kill(pid, SIGKILL);
  wait_exit(pid, 2s);
}

std::unique_ptr<ByteStream> open_command_stream(const std::vector<std::string>& argv, CommandFailure explain, const Wait& wait) {
  int in[2], out[2], err[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) throw Error(ErrorCode::Internal, "socketpair failed");
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) != 0) {
    ::close(in[0]), ::close(in[1]);
    throw Error(ErrorCode::Internal, "socketpair failed");
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    throw Error(ErrorCode::Internal, "pipe failed");
  }
  pid_t pid = -1;
  try {
    pid = spawn_command(argv, in[1], out[1], err[1], true);
  } catch (...) {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    throw;
  }
  ::close(in[1]), ::close(out[1]), ::close(err[1]);
  ::fcntl(err[0], F_SETFL, ::fcntl(err[0], F_GETFL) | O_NONBLOCK);
  auto stream = std::make_unique<CommandStream>(out[0], in[0], err[0], pid, std::move(explain));
  stream->set_wait(wait);
  return stream;
}

}  // namespace dlc::engine
