// dlcontainer-agent: the small static program that dlcontainer puts into a container (at
// /usr/local/lib/dlcontainer/agent, through the engine's archive call) to reach the container's own
// loopback from the host over an exec stream, as DevPod and VS Code inject theirs. Linked -static
// against libc alone, so it runs in any Linux image whatever its C library; it uses no name lookup
// (static glibc cannot load NSS), only numeric addresses and "localhost".
//
//   agent version                     the protocol number (protocol.h): the host replaces a stale agent
//   agent connect HOST PORT           stdin/stdout <-> one TCP connection to HOST:PORT in the container
//   agent listen [--bind ADDR] PORT   accept on ADDR:PORT (127.0.0.1) in the container; every connection
//                                     travels multiplexed over stdin/stdout to the host (protocol.h)
//   agent ports [--wait PORT] [--pid N] [--timeout S]
//                                     the container's listening TCP sockets, one "PORT ADDR PID NAME"
//                                     a line; with --wait, first waits until PORT listens (giving up
//                                     when process N ends)
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
#include "agent/processes.h"
#include "agent/protocol.h"

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
          "       dlcontainer-agent connect HOST PORT\n"
          "       dlcontainer-agent listen [--bind ADDR] PORT\n"
          "       dlcontainer-agent ports [--wait PORT] [--pid N] [--timeout SECONDS]\n"
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

// Whether a process runs (a zombie has ended: its parent only has not read its status yet).
bool alive(int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = fopen(path, "r");
  if (f == nullptr) return false;
  char line[512] = "";
  bool running = fgets(line, sizeof line, f) != nullptr;
  fclose(f);
  const char* close_paren = strrchr(line, ')');  // the name may hold spaces and parentheses
  return running && close_paren != nullptr && close_paren[1] == ' ' && close_paren[2] != 'Z' && close_paren[2] != 'X';
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

bool parse_port(const char* text, int& port) {
  char* end = nullptr;
  long v = strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < 1 || v > 65535) return false;
  port = static_cast<int>(v);
  return true;
}

// A numeric address (or "localhost") and a port as a socket address.
bool make_addr(const char* host, int port, sockaddr_storage& ss, socklen_t& len) {
  memset(&ss, 0, sizeof ss);
  if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

// ---- connect ---------------------------------------------------------------------------------

int connect_to(const char* host, int port, int& fd) {
  sockaddr_storage ss;
  socklen_t len;
  if (!make_addr(host, port, ss, len)) return fail(kExitUsage, "%s is not a numeric address (nor localhost)", host);
  fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(kExitFailure, "socket: %s", strerror(errno));
  while (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno == EINTR) continue;
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    return fail(kExitUnreachable, "connect %s:%s: %s", host, p, strerror(errno));
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return kExitOk;
}

// Relays until the container side has nothing more to say. stdin's end becomes a half close of the
// connection (a client that shuts its write side still gets its answer); the connection's end ends
// the relay, because the host learns a connection is over only when this process exits.
int relay(int sock) {
  bool in_open = true;
  char buf[64 * 1024];
  for (;;) {
    pollfd fds[2] = {{sock, POLLIN, 0}, {0, POLLIN, 0}};
    if (poll(fds, in_open ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return fail(kExitFailure, "poll: %s", strerror(errno));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(sock, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return kExitOk;
      if (!write_all(1, buf, static_cast<size_t>(n))) return kExitOk;  // the host went away
    }
    if (in_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        shutdown(sock, SHUT_WR);
        in_open = false;
      } else if (!write_all(sock, buf, static_cast<size_t>(n))) {
        return kExitOk;  // the program in the container closed the connection
      }
    }
  }
}

int cmd_connect(int argc, char** argv) {
  int port;
  if (argc != 2 || !parse_port(argv[1], port)) return usage();
  int sock = -1;
  if (int rc = connect_to(argv[0], port, sock); rc != kExitOk) return rc;
  return relay(sock);
}

// ---- listen ----------------------------------------------------------------------------------

struct Channel {
  int fd = -1;
  bool read_open = true;   // the local program may still send
  bool write_open = true;  // the host may still send
};

int cmd_listen(int argc, char** argv) {
  const char* bind_addr = "127.0.0.1";
  int port = 0;
  for (int i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) {
      bind_addr = argv[++i];
    } else if (!parse_port(argv[i], port)) {
      return usage();
    }
  }
  if (port == 0) return usage();
  sockaddr_storage ss;
  socklen_t len;
  if (!make_addr(bind_addr, port, ss, len)) return fail(kExitUsage, "%s is not a numeric address", bind_addr);
  int lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(lfd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(lfd, 64) != 0) {
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    return fail(kExitUnreachable, "cannot listen on %s:%s: %s", bind_addr, p, strerror(errno));
  }
  if (!write_all(1, frame(Frame::Listening, 0, std::to_string(port)))) return kExitOk;

  std::map<uint32_t, Channel> channels;
  uint32_t next_channel = 1;
  FrameReader reader;
  char buf[kMaxPayload];
  auto close_channel = [&](uint32_t ch) {
    auto it = channels.find(ch);
    if (it == channels.end()) return;
    close(it->second.fd);
    channels.erase(it);
  };
  for (;;) {
    std::vector<pollfd> fds{{0, POLLIN, 0}, {lfd, POLLIN, 0}};
    std::vector<uint32_t> order;
    for (auto& [ch, c] : channels) {
      if (!c.read_open) continue;
      fds.push_back({c.fd, POLLIN, 0});
      order.push_back(ch);
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return fail(kExitFailure, "poll: %s", strerror(errno));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return kExitOk;  // the host is gone: every connection with it
      reader.feed(std::string_view(buf, static_cast<size_t>(n)));
      if (reader.corrupt()) return fail(kExitFailure, "the host sent a frame this agent cannot read (a different version?)");
      Frame type;
      uint32_t ch;
      std::string payload;
      while (reader.next(type, ch, payload)) {
        auto it = channels.find(ch);
        if (it == channels.end()) continue;  // closed here already
        Channel& c = it->second;
        if (type == Frame::Data && c.write_open) {
          if (!write_all(c.fd, payload)) {
            close_channel(ch);
            write_all(1, frame(Frame::Close, ch));
          }
        } else if (type == Frame::Eof) {
          shutdown(c.fd, SHUT_WR);
          c.write_open = false;
          if (!c.read_open) close_channel(ch);
        } else if (type == Frame::Close) {
          close_channel(ch);
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      int cfd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      if (cfd >= 0) {
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        uint32_t ch = next_channel++;
        channels[ch] = Channel{cfd};
        if (!write_all(1, frame(Frame::Open, ch))) return kExitOk;
      }
    }
    for (size_t i = 0; i < order.size(); ++i) {
      if (!(fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      uint32_t ch = order[i];
      auto it = channels.find(ch);
      if (it == channels.end()) continue;
      ssize_t n = read(it->second.fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      bool ok;
      if (n > 0) {
        ok = write_all(1, frame(Frame::Data, ch, std::string_view(buf, static_cast<size_t>(n))));
      } else if (n == 0) {
        it->second.read_open = false;
        ok = write_all(1, frame(Frame::Eof, ch));
        if (!it->second.write_open) close_channel(ch);
      } else {
        close_channel(ch);
        ok = write_all(1, frame(Frame::Close, ch));
      }
      if (!ok) return kExitOk;
    }
  }
}

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
  return out;
}


int cmd_ports(int argc, char** argv) {
  int wait_port = 0, pid = 0;
  double timeout = 30;
  for (int i = 0; i < argc; ++i) {
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
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  std::vector<Listener> found;
  for (;;) {
    found = listeners();
    bool ready = wait_port == 0;
    for (const auto& l : found) ready = ready || l.port == wait_port;
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
