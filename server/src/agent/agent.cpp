// dlcontainer-agent: the small static program that dlcontainer puts into a container (at
// /usr/local/lib/dlcontainer/agent, through the engine's archive call) to reach the container's own
// loopback from the host over an exec stream, as DevPod and VS Code inject theirs. Linked -static
// against libc alone, so it runs in any Linux image whatever its C library; it uses no name lookup
// (static glibc cannot load NSS), only numeric addresses and "localhost".
//
//   agent version                     the protocol number (protocol.h): the host replaces a stale agent
//   agent mux [--no-direct]           the session that carries every forwarded connection of the
//                                     container as channels over stdin/stdout (mux.h, mux_protocol.h),
//                                     or through its direct lane (direct.h); --no-direct offers none,
//                                     as an agent before the lane did (tests of that path)
//   agent connect | listen ...        one connection; a listener for reverse forwards: see relay.h
//   agent ports [--wait PORT] [--pid N [--own]] [--timeout S]
//                                     the container's listening TCP sockets, one "PORT ADDR PID NAME"
//                                     a line; with --wait, first waits until PORT listens (giving up
//                                     when process N ends; with --own, a socket of N or of a process
//                                     it started)
//   agent spawn [--log FILE] [--cwd DIR] [--status FILE] -- CMD ARGS...
//                                     starts CMD in its own session, detached from the exec (output to
//                                     FILE), prints its pid; a small supervisor writes its exit status
//                                     to --status when it ends
//   agent gpu-facts --root DIR [--disk PATH]
//                                     the GPU facts of the host whose / is mounted at DIR, as JSON
//                                     (gpu_facts.cpp: the probe of a remote engine's host)
//   agent tail [--pid N] [--status FILE] FILE
//                                     copies FILE as it grows until process N has ended, then exits
//                                     with the status that --status records
//   agent signal | stop | once ...    processes: see processes.h
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "agent/common.h"
#include "agent/direct.h"
#include "agent/mux.h"
#include "agent/net.h"
#include "agent/processes.h"
#include "agent/protocol.h"
#include "agent/relay.h"

namespace dlc::agent {

int fail(int status, const char* fmt, const char* a, const char* b, const char* c) {
  fprintf(stderr, "dlcontainer-agent: ");
  fprintf(stderr, fmt, a, b, c);
  fputc('\n', stderr);
  return status;
}

int usage() {
  fprintf(stderr,
          "usage: dlcontainer-agent version\n"
          "       dlcontainer-agent mux [--no-direct]\n"
          "       dlcontainer-agent connect HOST PORT\n"
          "       dlcontainer-agent listen [--bind ADDR] PORT\n"
          "       dlcontainer-agent ports [--wait PORT] [--pid N [--own]] [--timeout SECONDS]\n"
          "       dlcontainer-agent spawn [--log FILE] [--cwd DIR] [--status FILE] -- CMD ARGS...\n"
          "       dlcontainer-agent tail [--pid N] [--status FILE] FILE\n"
          "       dlcontainer-agent gpu-facts --root DIR [--disk PATH]\n"
          "       dlcontainer-agent signal (--env NAME=VALUE | --pid N) SIGNAL\n"
          "       dlcontainer-agent stop --env NAME=VALUE [--grace SECONDS]\n"
          "       dlcontainer-agent once STATE -- CMD ARGS...\n");
  return kExitUsage;
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}
bool write_all(int fd, const std::string& s) { return write_all(fd, s.data(), s.size()); }

// What /proc/PID/stat says after the process's name ("S 1 ..."; the name may hold spaces and
// parentheses); empty when it cannot be read (gone, or not in this PID namespace).
static std::string stat_after_name(int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = fopen(path, "r");
  if (f == nullptr) return "";
  char line[512] = "";
  bool read = fgets(line, sizeof line, f) != nullptr;
  fclose(f);
  const char* close_paren = strrchr(line, ')');
  return read && close_paren != nullptr && close_paren[1] == ' ' ? std::string(close_paren + 2) : "";
}

// Whether a process runs (a zombie has ended: its parent only has not read its status yet).
bool alive(int pid) {
  std::string rest = stat_after_name(pid);
  return !rest.empty() && rest[0] != 'Z' && rest[0] != 'X';
}

// The parent of a process; 0 when it cannot be read.
static int parent_of(int pid) {
  int ppid = 0;
  return sscanf(stat_after_name(pid).c_str(), "%*c %d", &ppid) == 1 ? ppid : 0;
}

// Whether pid is `ancestor` or a process it started (a bounded walk up the parents).
static bool descends_from(int pid, int ancestor) {
  for (int steps = 0; pid > 1 && steps < 64; ++steps) {
    if (pid == ancestor) return true;
    pid = parent_of(pid);
  }
  return false;
}

double seconds_since(const timespec& start) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec - start.tv_sec) + static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9;
}

void pause_ms(long ms) {
  timespec t{ms / 1000, (ms % 1000) * 1000 * 1000};
  nanosleep(&t, nullptr);
}

}  // namespace dlc::agent

namespace {

using namespace dlc::agent;

// ---- ports -----------------------------------------------------------------------------------

struct Listener {
  int port = 0;
  std::string addr;
  unsigned long inode = 0;
  int pid = 0;
  std::string name;
};

// The kernel's hex address in /proc/net/tcp{,6} as text.
std::string hex_addr(const char* hex, bool v6) {
  unsigned char bytes[16];
  size_t n = v6 ? 16 : 4;
  for (size_t i = 0; i < n; ++i) {
    unsigned v = 0;
    sscanf(hex + 2 * i, "%2x", &v);
    bytes[i] = static_cast<unsigned char>(v);
  }
  // Each 32-bit word is in host (little-endian) order.
  unsigned char ordered[16];
  for (size_t w = 0; w < n / 4; ++w)
    for (int b = 0; b < 4; ++b) ordered[w * 4 + b] = bytes[w * 4 + 3 - b];
  char text[INET6_ADDRSTRLEN] = "?";
  inet_ntop(v6 ? AF_INET6 : AF_INET, ordered, text, sizeof text);
  return text;
}

std::vector<Listener> listeners() {
  std::vector<Listener> out;
  for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    bool v6 = file[13] == '6';
    FILE* f = fopen(file, "r");
    if (f == nullptr) continue;
    char line[512];
    if (fgets(line, sizeof line, f) == nullptr) {  // the header
      fclose(f);
      continue;
    }
    while (fgets(line, sizeof line, f) != nullptr) {
      char local[64], remote[64];
      unsigned state = 0;
      unsigned long inode = 0;
      // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode
      if (sscanf(line, "%*s %63s %63s %x %*s %*s %*s %*s %*s %lu", local, remote, &state, &inode) != 4) continue;
      if (state != 0x0A) continue;  // TCP_LISTEN
      char* colon = strchr(local, ':');
      if (colon == nullptr) continue;
      *colon = '\0';
      Listener l;
      l.addr = hex_addr(local, v6);
      l.port = static_cast<int>(strtol(colon + 1, nullptr, 16));
      l.inode = inode;
      out.push_back(l);
    }
    fclose(f);
  }
  // Which process holds each socket: its descriptor links read "socket:[INODE]".
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return out;
  while (dirent* e = readdir(proc)) {
    int pid = atoi(e->d_name);
    if (pid <= 0) continue;
    std::string fd_dir = std::string("/proc/") + e->d_name + "/fd";
    DIR* fds = opendir(fd_dir.c_str());
    if (fds == nullptr) continue;  // another user's process, when not run as root
    while (dirent* fe = readdir(fds)) {
      char target[64];
      ssize_t n = readlink((fd_dir + "/" + fe->d_name).c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = '\0';
      unsigned long inode = 0;
      if (sscanf(target, "socket:[%lu]", &inode) != 1) continue;
      for (auto& l : out) {
        if (l.inode != inode || l.pid != 0) continue;
        l.pid = pid;
        FILE* comm = fopen((std::string("/proc/") + e->d_name + "/comm").c_str(), "r");
        char name[64] = "";
        if (comm != nullptr) {
          if (fgets(name, sizeof name, comm) != nullptr) name[strcspn(name, "\n")] = '\0';
          fclose(comm);
        }
        l.name = name;
      }
    }
    closedir(fds);
  }
  closedir(proc);
  // An agent session's direct lane is how dlcontainer reaches the container, not one of its ports.
  std::erase_if(out, [](const Listener& l) { return l.pid > 0 && is_agent_session(l.pid); });
  return out;
}


int cmd_ports(int argc, char** argv) {
  int wait_port = 0, pid = 0;
  bool own = false;
  double timeout = 30;
  for (int i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--own") == 0) {
      own = true;
      continue;
    }
    if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
      if (!parse_port(argv[++i], wait_port)) return usage();
    } else if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc) {
      pid = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
      timeout = atof(argv[++i]);
    } else {
      return usage();
    }
  }
  if (own && (wait_port == 0 || pid <= 0)) return usage();
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  std::vector<Listener> found;
  for (;;) {
    found = listeners();
    bool ready = wait_port == 0;
    // With --own only a socket of process N, or of one it started, counts: in a container on the host's
    // network (a Slurm job's, --network host) another program's listener on the port is not the service
    // up. (Run as N's user: another user's descriptors are not readable without CAP_SYS_PTRACE.)
    for (const auto& l : found) ready = ready || (l.port == wait_port && (!own || descends_from(l.pid, pid)));
    if (ready) break;
    char p[16];
    snprintf(p, sizeof p, "%d", wait_port);
    if (pid > 0 && !alive(pid)) return fail(kExitGone, "the process ended before it listened on port %s", p);
    if (seconds_since(start) > timeout) return fail(kExitTimeout, "nothing listens on port %s yet", p);
    pause_ms(50);
  }
  for (const auto& l : found) printf("%d %s %d %s\n", l.port, l.addr.c_str(), l.pid, l.name.empty() ? "-" : l.name.c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);  // a peer that goes away is an ordinary end, seen as EPIPE
  if (argc < 2) return usage();
  std::string mode = argv[1];
  if (mode == "version") {
    printf("dlcontainer-agent %d\n", kProtocolVersion);
    return kExitOk;
  }
  if (mode == "mux") return cmd_mux(argc - 2, argv + 2);
  if (mode == "connect") return cmd_connect(argc - 2, argv + 2);
  if (mode == "listen") return cmd_listen(argc - 2, argv + 2);
  if (mode == "ports") return cmd_ports(argc - 2, argv + 2);
  if (mode == "spawn") return cmd_spawn(argc - 2, argv + 2);
  if (mode == "tail") return cmd_tail(argc - 2, argv + 2);
  if (mode == "gpu-facts") return cmd_gpu_facts(argc - 2, argv + 2);
  if (mode == "signal") return cmd_signal(argc - 2, argv + 2);
  if (mode == "stop") return cmd_stop(argc - 2, argv + 2);
  if (mode == "once") return cmd_once(argc - 2, argv + 2);
  return usage();
}
