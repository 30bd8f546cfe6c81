#include "engine/ssh.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "engine/command_stream.h"
#include "support/files.h"
#include "support/hash.h"

namespace dlc::engine {

namespace {

using namespace std::chrono_literals;

constexpr int kControlPersistSeconds = 600;  // the master outlives a command, for the next one
constexpr std::size_t kErrorOutputLimit = 8192;

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

// The last non-empty line of a command's output, for a message.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return {};
  std::size_t start = text.find_last_of('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// Makes dir (one level) 0700, and insists it is this user's and no link: the control sockets in it
// carry logged-in sessions.
void private_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw Error(ErrorCode::Internal, "cannot make " + dir + ": " + std::strerror(errno), "check that the folder above it is writable");
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid()) {
    throw Error(ErrorCode::Internal, dir + " is not a folder of this user's",
                "remove it, or set XDG_RUNTIME_DIR to a folder of your own");
  }
  if ((st.st_mode & 077) != 0) ::chmod(dir.c_str(), 0700);
}

std::string control_path(const Endpoint& e) { return ssh_control_dir() + "/" + sha256_hex(e.url()).substr(0, 16); }

// Whether a master listens on its control socket. A socket file without a listener (the master
// was killed) is removed, since ssh would refuse to make a new one there.
bool master_alive(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool alive = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  int err = errno;
  ::close(fd);
  if (!alive && err == ECONNREFUSED) ::unlink(path.c_str());
  return alive;
}

// Interactive use may answer a passphrase prompt on the terminal; anything else must fail at once
// rather than wait for an answer that cannot come.
bool interactive() { return ::isatty(0) && ::isatty(2); }

// DLC_SSH_CONTROL_MASTER=0: no shared master, every connection its own login (where ssh's
// multiplexing is not wanted, and to measure what it saves).
bool multiplexed() {
  const char* v = std::getenv("DLC_SSH_CONTROL_MASTER");
  return !(v && std::string_view(v) == "0");
}

std::vector<std::string> ssh_args(const Endpoint& e, const std::string& control, const Wait& wait) {
  std::vector<std::string> a = {"ssh", "-T"};
  if (multiplexed()) a.insert(a.end(), {"-o", "ControlPath=" + control});
  if (!interactive()) a.insert(a.end(), {"-o", "BatchMode=yes"});
  if (wait.idle || wait.deadline) {
    auto ms = wait.idle ? wait.idle->count() : 30000;
    if (wait.deadline) ms = std::chrono::duration_cast<std::chrono::milliseconds>(*wait.deadline - Clock::now()).count();
    a.insert(a.end(), {"-o", "ConnectTimeout=" + std::to_string(std::max<long long>(1, (ms + 999) / 1000))});
  }
  if (!e.user.empty()) a.insert(a.end(), {"-l", e.user});
  if (e.port) a.insert(a.end(), {"-p", std::to_string(e.port)});
  return a;
}

std::string read_tail(const std::string& path) {
  std::string text = read_file(path, 1 << 20).value_or("");
  return text.size() > kErrorOutputLimit ? text.substr(text.size() - kErrorOutputLimit) : text;
}

// Starts the endpoint's master unless one runs. Serialised across processes with a lock beside the
// socket: two commands at once make one master.
void ensure_master(const Endpoint& e, const Wait& wait) {
  static std::mutex mu;
  static std::set<std::string> started;  // in this process: checked once, then trusted
  std::lock_guard lock(mu);
  std::string control = control_path(e);
  if (started.count(control) && master_alive(control)) return;
  int lock_fd = ::open((control + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock_fd >= 0) ::flock(lock_fd, LOCK_EX);
  struct Unlock {
    int fd;
    ~Unlock() {
      if (fd >= 0) ::close(fd);
    }
  } unlock{lock_fd};
  if (master_alive(control)) {
    started.insert(control);
    return;
  }
  std::string log = control + ".log";
  ::unlink(log.c_str());
  auto argv = ssh_args(e, control, wait);
  argv.insert(argv.end(), {"-o", "ControlMaster=yes", "-o", "ControlPersist=" + std::to_string(kControlPersistSeconds),
                           "-N", "-f", "-E", log, "--", e.host});
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  // Not a session of its own when interactive: a passphrase prompt needs the terminal.
  pid_t child = spawn_command(argv, null_fd, null_fd, log_fd >= 0 ? log_fd : null_fd, !interactive());
  ::close(null_fd);
  if (log_fd >= 0) ::close(log_fd);
  auto limit = wait.deadline ? std::chrono::duration_cast<std::chrono::milliseconds>(*wait.deadline - Clock::now()) : 60000ms;
  auto status = wait_exit(child, std::max(limit, 1000ms) + 2s);  // ssh's ConnectTimeout ends it first
  if (!status) {
    end_child(child);
    throw Error(ErrorCode::EngineUnavailable, "ssh to " + e.host + " did not log in within the time allowed",
                "check that `ssh " + e.host + " true` logs in without a question; DLC_ENGINE_CONNECT_TIMEOUT=SECONDS waits longer");
  }
  if (*status != 0) throw ssh_failure(e, read_tail(log), -1);
  if (!master_alive(control)) {
    throw Error(ErrorCode::EngineUnavailable, "ssh to " + e.host + " logged in but kept no connection to share: " + last_line(read_tail(log)),
                "check ControlMaster/ControlPath settings for " + e.host + " in ~/.ssh/config");
  }
  started.insert(control);
}

}  // namespace

std::string ssh_control_dir() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  std::string base = std::string(runtime && *runtime == '/' ? runtime : "/tmp") + "/dlcontainer-" + std::to_string(::getuid());
  private_dir(base);
  private_dir(base + "/ssh");
  return base + "/ssh";
}

Error ssh_failure(const Endpoint& e, const std::string& output, int exit_status) {
  const std::string& h = e.host;
  std::string line = last_line(output);
  std::string login = (e.user.empty() ? "" : e.user + "@") + h + (e.port ? " -p " + std::to_string(e.port) : "");
  if (exit_status == -1 || exit_status == 255) {  // ssh itself failed
    if (contains(output, "Permission denied") || contains(output, "Too many authentication failures")) {
      return Error(ErrorCode::EnginePermission, "ssh refused the login to " + h + ": " + line,
                   "`ssh " + login + " true` must log in without a password: put your public key in ~/.ssh/authorized_keys on " +
                       h + " (ssh-copy-id), load it into ssh-agent (ssh-add), or name it with IdentityFile in ~/.ssh/config");
    }
    if (contains(output, "Host key verification failed") || contains(output, "IDENTIFICATION HAS CHANGED") ||
        contains(output, "No ED25519 host key is known") || contains(output, "host key is known")) {
      return Error(ErrorCode::EnginePermission, "the host key of " + h + " is not known here (or has changed): " + line,
                   "connect once with `ssh " + login + "` and check the fingerprint it shows, or add the key to "
                   "~/.ssh/known_hosts (ssh-keyscan)");
    }
    if (contains(output, "Could not resolve hostname") || contains(output, "Name or service not known")) {
      return Error(ErrorCode::EngineUnavailable, "cannot resolve the host name " + h + ": " + line,
                   "check the name, or add a Host entry for it with its HostName in ~/.ssh/config");
    }
    if (contains(output, "Connection refused")) {
      return Error(ErrorCode::EngineUnavailable, "nothing accepts ssh connections at " + h + (e.port ? ":" + std::to_string(e.port) : "") + ": " + line,
                   "start sshd on " + h + ", or give its port: ssh://" + h + ":PORT");
    }
    if (contains(output, "timed out") || contains(output, "No route to host") || contains(output, "Network is unreachable") ||
        contains(output, "Connection closed") || contains(output, "Connection reset")) {
      return Error(ErrorCode::EngineUnavailable, h + " cannot be reached over ssh: " + line,
                   "check the network (a VPN?) and any ProxyJump for " + h + " in ~/.ssh/config; `ssh " + login + " true` must work");
    }
    if (contains(output, "cannot run ssh: not found")) {
      return Error(ErrorCode::EngineUnavailable, "ssh:// needs OpenSSH's client, and `ssh` is not on PATH",
                   "install it: sudo apt-get install openssh-client");
    }
    return Error(ErrorCode::EngineUnavailable, "ssh to " + h + " failed" + (line.empty() ? "" : ": " + line),
                 "`ssh " + login + " true` shows the same failure with more detail (add -v)");
  }
  // ssh logged in; the remote command failed.
  if (exit_status == 127 || contains(output, "command not found") || contains(output, "docker: not found") ||
      contains(output, "No such file or directory")) {
    return Error(ErrorCode::EngineUnavailable, h + " has no docker command (ssh ran `docker system dial-stdio` there: " + line + ")",
                 "install Docker on " + h + " (Debian/Ubuntu: sudo apt-get install docker.io), with `docker` on the PATH "
                 "of non-interactive ssh sessions");
  }
  if (contains(output, "Cannot connect to the Docker daemon") || contains(output, "Is the docker daemon running")) {
    return Error(ErrorCode::EngineUnavailable, "Docker on " + h + " is not running: " + line,
                 "start it there: sudo systemctl start docker");
  }
  if (contains(output, "permission denied") && contains(output, "docker")) {
    return Error(ErrorCode::EnginePermission, (e.user.empty() ? std::string("this user") : e.user) + " may not use Docker on " + h + ": " + line,
                 "on " + h + ": sudo usermod -aG docker " + (e.user.empty() ? std::string("$USER") : e.user) + ", then log in again");
  }
  if (contains(output, "dial-stdio") || contains(output, "unknown command")) {
    return Error(ErrorCode::EngineUnavailable, "the docker command on " + h + " has no `system dial-stdio`: " + line,
                 "Docker 18.09 or newer is needed on " + h);
  }
  return Error(ErrorCode::EngineUnavailable,
               "the connection to Docker on " + h + " ended" + (line.empty() ? "" : ": " + line) +
                   (exit_status ? " (exit " + std::to_string(exit_status) + ")" : ""),
               "check that `ssh " + login + " docker version` works");
}

std::unique_ptr<ByteStream> dial_ssh(const Endpoint& e, const Wait& wait) {
  std::string control = control_path(e);
  if (multiplexed()) ensure_master(e, wait);
  auto argv = ssh_args(e, control, wait);
  if (multiplexed()) argv.insert(argv.end(), {"-o", "ControlMaster=no"});
  argv.insert(argv.end(), {"--", e.host, "docker"});
  if (!e.socket_path.empty()) argv.push_back("--host=unix://" + e.socket_path);
  argv.insert(argv.end(), {"system", "dial-stdio"});
  auto stream = open_command_stream(argv, [e](const std::string& output, int status) { return ssh_failure(e, output, status); }, wait);
  return stream;
}

}  // namespace dlc::engine
