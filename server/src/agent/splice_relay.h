// Copies between two connected sockets until both directions end: what the direct lane's two ends
// (the agent in the container, the forward on the host) do with each connection. Each direction
// is a blocking splice(2) through a pipe on a thread of its own, so the bytes never enter either
// process's memory, and a reader that stops only stops its own connection. Shared by the agent
// (static, libc only) and services/direct_lane.cpp, so it is plain libc.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dlc::agent {

// What one splice asks for; the pipe is made this large where the system allows.
inline constexpr int kSpliceChunk = 256 * 1024;

// Moves what `from` gives to `to` by read and write: where pipes cannot be had.
inline bool copy_plain(int from, int to) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n == 0;
    for (ssize_t off = 0; off < n;) {
      ssize_t m = ::send(to, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
      if (m < 0 && errno == EINTR) continue;
      if (m <= 0) return false;
      off += m;
    }
  }
}

// Moves what `from` gives to `to` until `from` ends; true at a clean end, false at an error.
inline bool copy_spliced(int from, int to) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return copy_plain(from, to);
  ::fcntl(p[1], F_SETPIPE_SZ, kSpliceChunk);  // refused past the user's pipe quota: 64 KiB still works
  bool ok = true;
  for (;;) {
    ssize_t n = ::splice(from, nullptr, p[1], nullptr, kSpliceChunk, SPLICE_F_MOVE);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EINVAL) {  // not a socket that splices (an old kernel's): copy instead
      ok = copy_plain(from, to);
      break;
    }
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    while (n > 0) {
      ssize_t m = ::splice(p[0], nullptr, to, nullptr, static_cast<size_t>(n), SPLICE_F_MOVE);
      if (m < 0 && errno == EINTR) continue;
      if (m <= 0) {
        ok = false;
        break;
      }
      n -= m;
    }
    if (!ok) break;
  }
  ::close(p[0]);
  ::close(p[1]);
  return ok;
}

// One direction. A clean end travels on as a half close (the other direction goes on); an error
// ends both directions, so that the other thread's splice returns too.
inline void pump(int from, int to) {
  if (copy_spliced(from, to)) {
    ::shutdown(to, SHUT_WR);
  } else {
    ::shutdown(from, SHUT_RDWR);
    ::shutdown(to, SHUT_RDWR);
  }
}

struct PumpEnds {
  int from, to;
};
inline void* pump_thread(void* arg) {
  auto* ends = static_cast<PumpEnds*>(arg);
  pump(ends->from, ends->to);
  return nullptr;
}

// Both directions between a and b (this thread and one more); returns when both have ended. The
// caller closes the sockets. Shutting either socket down (SHUT_RDWR) from elsewhere ends it. The
// calling thread must be the relay's own: it blocks SIGPIPE, which splice(2) into a socket whose peer
// is gone raises (it has no MSG_NOSIGNAL); blocked, the write fails with EPIPE instead of ending the
// process, and the signal stays pending on a thread that is about to end.
inline void relay_pair(int a, int b) {
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);  // the second thread inherits it
  PumpEnds ends{a, b};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 * 1024);  // copy_plain's buffer and little else
  pthread_t other;
  bool threaded = ::pthread_create(&other, &attr, pump_thread, &ends) == 0;
  pthread_attr_destroy(&attr);
  if (!threaded) {
    ::shutdown(a, SHUT_RDWR);
    ::shutdown(b, SHUT_RDWR);
    return;
  }
  pump(b, a);
  ::pthread_join(other, nullptr);
}

}  // namespace dlc::agent
