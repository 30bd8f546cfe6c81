// agent spawn and agent tail: a command that outlives the exec which started it (a service: Jupyter,
// TensorBoard, code-server) and the reading of its output, with its exit status once it ends. See
// agent.cpp's header for the command lines.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "agent/common.h"
#include "agent/protocol.h"

namespace dlc::agent {

namespace {

// ---- spawn ---------------------------------------------------------------------------------

bool write_status_file(const char* path, int status) {
  // Written whole and renamed, so that a reader never sees half of it.
  std::string tmp = std::string(path) + ".tmp";
  FILE* f = fopen(tmp.c_str(), "w");
  if (f == nullptr) return false;
  fprintf(f, "%d\n", status);
  fclose(f);
  return rename(tmp.c_str(), path) == 0;
}

}  // namespace

int cmd_spawn(int argc, char** argv) {
  const char* log = "/dev/null";
  const char* cwd = nullptr;
  const char* status = nullptr;
  int i = 0;
  for (; i < argc; ++i) {
    if (strcmp(argv[i], "--") == 0) {
      ++i;
      break;
    }
    if (i + 1 >= argc) return usage();
    if (strcmp(argv[i], "--log") == 0) log = argv[++i];
    else if (strcmp(argv[i], "--cwd") == 0) cwd = argv[++i];
    else if (strcmp(argv[i], "--status") == 0) status = argv[++i];
    else return usage();
  }
  if (i >= argc) return usage();
  char** command = argv + i;

  int report[2];  // supervisor -> this process: the child's pid, or why it could not start
  if (pipe2(report, O_CLOEXEC) != 0) return fail(kExitFailure, "pipe: %s", strerror(errno));
  pid_t supervisor = fork();
  if (supervisor < 0) return fail(kExitFailure, "fork: %s", strerror(errno));
  if (supervisor == 0) {
    close(report[0]);
    setsid();
    // The exec's streams must close when this process exits, not when the service does.
    int null_fd = open("/dev/null", O_RDWR);
    dup2(null_fd, 0), dup2(null_fd, 1), dup2(null_fd, 2);
    if (null_fd > 2) close(null_fd);
    int exec_error[2];
    if (pipe2(exec_error, O_CLOEXEC) != 0) _exit(kExitFailure);
    pid_t child = fork();
    if (child == 0) {
      close(exec_error[0]);
      signal(SIGPIPE, SIG_DFL);  // ignored signals survive exec: give the command the default
      int err = 0;
      if (cwd != nullptr && chdir(cwd) != 0) err = errno;
      int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (err == 0 && out < 0) err = errno;
      if (err == 0) {
        dup2(out, 1), dup2(out, 2);
        execvp(command[0], command);
        err = errno;
      }
      [[maybe_unused]] auto n = write(exec_error[1], &err, sizeof err);
      _exit(kExitNotFound);
    }
    close(exec_error[1]);
    int err = 0;
    bool failed = child < 0 || read(exec_error[0], &err, sizeof err) == static_cast<ssize_t>(sizeof err);
    close(exec_error[0]);
    std::string message = failed ? "!" + std::string(strerror(child < 0 ? errno : err)) : std::to_string(child);
    write_all(report[1], message);
    close(report[1]);
    if (failed) _exit(kExitNotFound);
    int wstatus = 0;
    while (waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
    }
    if (status != nullptr) write_status_file(status, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
    _exit(0);
  }
  close(report[1]);
  std::string message;
  char buf[256];
  for (ssize_t n; (n = read(report[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    message.append(buf, static_cast<size_t>(n));
  }
  waitpid(supervisor, nullptr, WNOHANG);
  if (message.empty() || message[0] == '!') {
    return fail(kExitNotFound, "cannot run %s: %s", command[0], message.empty() ? "unknown error" : message.c_str() + 1);
  }
  printf("%s\n", message.c_str());
  return kExitOk;
}

// ---- tail ----------------------------------------------------------------------------------

int cmd_tail(int argc, char** argv) {
  int pid = 0;
  const char* status = nullptr;
  const char* file = nullptr;
  for (int i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc) pid = atoi(argv[++i]);
    else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc) status = argv[++i];
    else if (file == nullptr) file = argv[i];
    else return usage();
  }
  if (file == nullptr) return usage();
  int fd = -1;
  char buf[64 * 1024];
  for (bool last_round = false;;) {
    bool ended = pid > 0 && !alive(pid);  // read before draining, so that nothing written before the end is lost
    if (fd < 0) fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
        if (!write_all(1, buf, static_cast<size_t>(n))) return kExitOk;  // nobody reads any more
      }
    }
    if (last_round) break;
    if (ended) last_round = true;
    else pause_ms(50);
  }
  if (status == nullptr) return kExitOk;
  // The supervisor writes the status a moment after the process ends.
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (seconds_since(start) < 5) {
    if (FILE* f = fopen(status, "r")) {
      int code = kExitFailure;
      if (fscanf(f, "%d", &code) != 1) code = kExitFailure;
      fclose(f);
      return code;
    }
    pause_ms(20);
  }
  return fail(kExitFailure, "no exit status in %s", status);
}

}  // namespace dlc::agent
