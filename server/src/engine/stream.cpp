#include "engine/stream.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <cerrno>
#include <cstring>

namespace dlc::engine {

namespace asio_error = boost::asio::error;

namespace {

error_code errno_code(int e) { return error_code(e, boost::system::system_category()); }

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Milliseconds poll(2) may wait under `wait`, -1 for no bound, and whether the deadline has passed.
int poll_timeout(const Wait& wait, bool& expired) {
  expired = false;
  long long ms = -1;
  if (wait.idle) ms = wait.idle->count();
  if (wait.deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*wait.deadline - Clock::now()).count();
    if (left <= 0) {
      expired = true;
      return 0;
    }
    ms = ms < 0 ? left : std::min<long long>(ms, left);
  }
  return static_cast<int>(std::min<long long>(ms, 1 << 30));
}

}  // namespace

bool ByteStream::idle_and_open() const {
  if (pending()) return false;  // bytes nobody asked for: the stream is out of step
  pollfd p{poll_fd(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;  // readable while idle means an end or garbage
}

void ByteStream::write_all(const void* data, std::size_t size, error_code& ec) {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    std::size_t n = write_some(p, size, ec);
    if (ec) return;
    p += n, size -= n;
  }
}

FdStream::FdStream(int read_fd, int write_fd)
    : read_fd_(read_fd), write_fd_(write_fd), wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  set_nonblocking(read_fd_);
  if (write_fd_ != read_fd_) set_nonblocking(write_fd_);
}

FdStream::~FdStream() {
  ::close(read_fd_);
  if (write_fd_ != read_fd_) ::close(write_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool FdStream::wait_ready(int fd, short events, error_code& ec) const {
  for (;;) {
    bool expired = false;
    int timeout = poll_timeout(wait_, expired);
    if (expired) {
      ec = asio_error::timed_out;
      return false;
    }
    pollfd fds[2] = {{fd, events, 0}, {wake_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      ec = errno_code(errno);
      return false;
    }
    if (fds[1].revents) {
      ec = asio_error::operation_aborted;
      return false;
    }
    if (n == 0) {
      ec = asio_error::timed_out;
      return false;
    }
    return true;  // ready, or an error/hang-up the next call reports
  }
}

std::size_t FdStream::read_some(void* data, std::size_t size, error_code& ec) {
  ec = {};
  if (size == 0) return 0;
  for (;;) {
    ssize_t n = ::read(read_fd_, data, size);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) {
      ec = asio_error::eof;
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      ec = errno == ECONNRESET ? asio_error::connection_reset : errno_code(errno);
      return 0;
    }
    if (!wait_ready(read_fd_, POLLIN, ec)) return 0;
  }
}

std::size_t FdStream::write_some(const void* data, std::size_t size, error_code& ec) {
  ec = {};
  if (size == 0) return 0;
  for (;;) {
    // send, not write: a peer that went away is EPIPE here, never SIGPIPE for the whole process.
    ssize_t n = ::send(write_fd_, data, size, MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      ec = errno_code(errno);
      return 0;
    }
    if (!wait_ready(write_fd_, POLLOUT, ec)) return 0;
  }
}

// Both descriptors are sockets (a child's stdio is a socket pair, not a pipe), so the end of what is
// sent is a half close that leaves the other direction open.
void FdStream::shutdown_write() { ::shutdown(write_fd_, SHUT_WR); }

void FdStream::interrupt() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

std::unique_ptr<FdStream> connect_unix(const std::string& path, const Wait& wait, error_code& ec) {
  ec = {};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    ec = errno_code(ENAMETOOLONG);
    return nullptr;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    ec = errno_code(errno);
    return nullptr;
  }
  auto stream = std::make_unique<FdStream>(fd, fd);
  stream->set_wait(wait);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return stream;
  // A unix socket whose backlog is full answers EAGAIN: that is a daemon too busy to accept, waited for.
  if (errno != EAGAIN && errno != EINPROGRESS) {
    ec = errno_code(errno);
    return nullptr;
  }
  for (int tries = 0; tries < 1000; ++tries) {
    if (!stream->wait_ready(fd, POLLOUT, ec)) return nullptr;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 || errno == EISCONN) return stream;
    if (errno != EAGAIN && errno != EALREADY && errno != EINPROGRESS) {
      ec = errno_code(errno);
      return nullptr;
    }
  }
  ec = asio_error::timed_out;
  return nullptr;
}

std::unique_ptr<FdStream> connect_tcp(const std::string& host, int port, const Wait& wait, error_code& ec) {
  ec = {};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    ec = asio_error::host_not_found;
    return nullptr;
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(found, ::freeaddrinfo);
  ec = asio_error::host_unreachable;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    auto stream = std::make_unique<FdStream>(fd, fd);
    stream->set_wait(wait);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        ec = errno_code(errno);
        continue;
      }
      if (!stream->wait_ready(fd, POLLOUT, ec)) {
        if (ec == asio_error::operation_aborted || ec == asio_error::timed_out) return nullptr;
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        ec = errno_code(err);
        continue;
      }
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ec = {};
    return stream;
  }
  return nullptr;
}

}  // namespace dlc::engine
