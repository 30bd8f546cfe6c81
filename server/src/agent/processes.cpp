#include "agent/processes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "agent/protocol.h"

namespace dlc::agent {

namespace {

int complain(int status, const char* fmt, const char* a = "", const char* b = "") {
  fprintf(stderr, "dlcontainer-agent: ");
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
  return status;
}

int signal_number(const char* name) {
  struct Named {
    const char* name;
    int number;
  };
  static const Named names[] = {{"TERM", SIGTERM}, {"KILL", SIGKILL}, {"INT", SIGINT},   {"HUP", SIGHUP},
                                {"QUIT", SIGQUIT}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"0", 0}};
  if (strncmp(name, "SIG", 3) == 0) name += 3;
  for (const auto& n : names)
    if (strcmp(n.name, name) == 0) return n.number;
  char* end = nullptr;
  long v = strtol(name, &end, 10);
  return end != name && *end == '\0' && v > 0 && v < 65 ? static_cast<int>(v) : -1;
}

// Whether the process's environment holds `entry` exactly. Read through /proc, which needs no tool
// in the image; a process that is gone, a zombie, or not readable holds nothing.
// Another user's environ is readable only with CAP_SYS_PTRACE, which containers do not get by default;
// root in the container takes that user's file-system ids for the open (the kernel's ptrace check uses
// them), so a command run as the remote user is found by the root agent.
int open_environ(int pid) {
  std::string dir = "/proc/" + std::to_string(pid);
  std::string path = dir + "/environ";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0 || (errno != EACCES && errno != EPERM) || geteuid() != 0) return fd;
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return -1;
  setfsgid(st.st_gid);
  setfsuid(st.st_uid);
  fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  setfsuid(0);
  setfsgid(0);
  return fd;
}

bool carries(int pid, const std::string& entry) {
  int fd = open_environ(pid);
  if (fd < 0) return false;
  std::string env;
  char buf[16 * 1024];
  for (ssize_t n; env.size() < (std::size_t{8} << 20) && (n = read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    env.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  for (std::size_t start = 0; start < env.size();) {
    std::size_t end = env.find('\0', start);
    if (end == std::string::npos) end = env.size();
    if (env.compare(start, end - start, entry) == 0) return true;
    start = end + 1;
  }
  return false;
}

std::vector<int> processes_carrying(const std::string& entry) {
  std::vector<int> out;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return out;
  int self = getpid();
  while (dirent* d = readdir(proc)) {
    char* end = nullptr;
    long pid = strtol(d->d_name, &end, 10);
    if (end == d->d_name || *end != '\0' || pid == self) continue;
    if (carries(static_cast<int>(pid), entry)) out.push_back(static_cast<int>(pid));
  }
  closedir(proc);
  return out;
}

void pause_ms(long ms) {
  timespec t{ms / 1000, (ms % 1000) * 1'000'000};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

double now_seconds() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Signals the processes that carry `entry` until none is left or `seconds` pass; what is left.
std::vector<int> signal_until_gone(const std::string& entry, int sig, double seconds) {
  double deadline = now_seconds() + seconds;
  for (;;) {
    auto left = processes_carrying(entry);
    // Again each round: a process the command forks after the first round carries the entry too.
    for (int pid : left) kill(pid, sig);
    if (left.empty() || now_seconds() >= deadline) return left;
    pause_ms(50);
  }
}

}  // namespace

int cmd_signal(int argc, char** argv) {
  const char* env = nullptr;
  int pid = 0;
  int i = 0;
  for (; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--env") == 0) env = argv[i + 1];
    else if (strcmp(argv[i], "--pid") == 0) pid = atoi(argv[i + 1]);
    else break;
  }
  if (i + 1 != argc || (env == nullptr) == (pid <= 0)) return complain(kExitUsage, "usage: signal (--env NAME=VALUE | --pid N) SIGNAL");
  int sig = signal_number(argv[i]);
  if (sig < 0) return complain(kExitUsage, "%s is not a signal", argv[i]);
  std::vector<int> pids = env != nullptr ? processes_carrying(env) : std::vector<int>{pid};
  int sent = 0;
  for (int p : pids) {
    if (kill(p, sig) == 0) {
      printf("%d\n", p);
      ++sent;
    } else if (errno != ESRCH) {
      return complain(kExitFailure, "cannot signal process %s: %s", std::to_string(p).c_str(), strerror(errno));
    }
  }
  return sent > 0 ? kExitOk : kExitGone;
}

int cmd_stop(int argc, char** argv) {
  const char* env = nullptr;
  double grace = 3;
  for (int i = 0; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--env") == 0) env = argv[i + 1];
    else if (strcmp(argv[i], "--grace") == 0) grace = atof(argv[i + 1]);
    else return complain(kExitUsage, "usage: stop --env NAME=VALUE [--grace SECONDS]");
  }
  if (env == nullptr || argc % 2 != 0) return complain(kExitUsage, "usage: stop --env NAME=VALUE [--grace SECONDS]");
  if (signal_until_gone(env, SIGTERM, grace).empty()) return kExitOk;
  auto left = signal_until_gone(env, SIGKILL, 2);
  if (left.empty()) return kExitOk;
  std::string pids;
  for (int p : left) pids += (pids.empty() ? "" : " ") + std::to_string(p);
  return complain(kExitFailure, "processes %s outlived SIGKILL (a process in uninterruptible sleep, or not ours)", pids.c_str());
}

int cmd_once(int argc, char** argv) {
  if (argc < 3 || strcmp(argv[1], "--") != 0) return complain(kExitUsage, "usage: once STATE -- CMD ARGS...");
  const char* state = argv[0];
  char** command = argv + 2;
  // Close-on-exec: the command's own children (a server it starts in the background) must not hold
  // the lock after the command has ended.
  int fd = open(state, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return complain(kExitFailure, "cannot open %s: %s", state, strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    complain(0, "waiting for the same command, started by an earlier `dlcontainer up`, to finish");
    while (flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return complain(kExitFailure, "cannot lock %s: %s", state, strerror(errno));
    }
  }
  struct stat st {};
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    complain(0, "it already ran to its end (started by an earlier `dlcontainer up`): not run again");
    return kExitOk;
  }
  pid_t child = fork();
  if (child < 0) return complain(kExitFailure, "fork: %s", strerror(errno));
  if (child == 0) {
    signal(SIGPIPE, SIG_DFL);
    execvp(command[0], command);
    complain(0, "cannot run %s: %s", command[0], strerror(errno));
    _exit(kExitNotFound);
  }
  int wstatus = 0;
  while (waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
  }
  int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  if (status == 0) {
    if (write(fd, "done\n", 5) != 5 || fsync(fd) != 0) return complain(kExitFailure, "cannot record success in %s: %s", state, strerror(errno));
  }
  return status;
}

}  // namespace dlc::agent
