// The byte streams HTTP to the engine travels over, whatever the transport: a unix or TCP socket, TLS
// over TCP, or a command's stdio (`ssh HOST docker system dial-stdio`). Internal to engine/: layers
// above see only http.h.
//
// Every wait is bounded by the stream's deadline and idle limit (a frozen engine becomes an error, not
// a hang), and can be interrupted from another thread (cancellation), which is why the streams do
// their own poll(2) rather than blocking reads: a blocked read could be woken neither by a timer nor
// by another thread on every transport.
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "engine/endpoint.h"
#include "support/error.h"

namespace dlc::engine {

using Clock = std::chrono::steady_clock;
using boost::system::error_code;

// How long one operation may wait: until `deadline` at the latest, and no longer than `idle` without
// a byte moving. Either may be absent (no bound).
struct Wait {
  std::optional<Clock::time_point> deadline;
  std::optional<std::chrono::milliseconds> idle;
};

class ByteStream {
 public:
  virtual ~ByteStream() = default;

  // At least one byte, or an error: eof at the end, boost::asio::error::timed_out past the wait,
  // operation_aborted after interrupt().
  virtual std::size_t read_some(void* data, std::size_t size, error_code& ec) = 0;
  virtual std::size_t write_some(const void* data, std::size_t size, error_code& ec) = 0;
  // Ends the sending direction; the peer reads an end of stream and may still answer.
  virtual void shutdown_write() = 0;
  // Thread-safe: makes every wait under way, and every later one, fail with operation_aborted.
  virtual void interrupt() = 0;

  // For a caller that polls several descriptors: readable when read_some has something (or an end) to
  // give, unless pending() already says so (TLS holds decrypted bytes the descriptor no longer shows).
  virtual int poll_fd() const = 0;
  virtual bool pending() const { return false; }
  // Readable once interrupt() was called, for a caller that polls beside the stream.
  virtual int interrupt_fd() const = 0;
  // Whether a stream kept for reuse is still usable: nothing arrived on it while it was idle.
  virtual bool idle_and_open() const;

  // Why the stream ended early, when the transport can say more than the socket (an ssh command's
  // own error output: no docker on the remote, login refused). nullopt: nothing more to say.
  virtual std::optional<Error> explain() { return std::nullopt; }

  void set_wait(Wait wait) { wait_ = wait; }
  const Wait& wait() const { return wait_; }

  // Writes everything, or fails.
  void write_all(const void* data, std::size_t size, error_code& ec);

 protected:
  Wait wait_;
};

// A stream over descriptors this object owns: one socket both ways, or one to read and one to write
// (a child's stdout and stdin). Non-blocking underneath; waits with poll(2) on the descriptor and on
// an eventfd that interrupt() signals.
class FdStream : public ByteStream {
 public:
  FdStream(int read_fd, int write_fd);  // the same descriptor twice for a socket
  ~FdStream() override;

  std::size_t read_some(void* data, std::size_t size, error_code& ec) override;
  std::size_t write_some(const void* data, std::size_t size, error_code& ec) override;
  void shutdown_write() override;
  void interrupt() override;
  int poll_fd() const override { return read_fd_; }
  int interrupt_fd() const override { return wake_fd_; }

  // Waits until fd is ready for `events` (POLLIN/POLLOUT) within the current wait; ec as read_some.
  bool wait_ready(int fd, short events, error_code& ec) const;
  int read_fd() const { return read_fd_; }
  int write_fd() const { return write_fd_; }

 private:
  int read_fd_, write_fd_;
  int wake_fd_;
};

// Connects to a unix socket; ec on failure. The wait bounds the connect.
std::unique_ptr<FdStream> connect_unix(const std::string& path, const Wait& wait, error_code& ec);
// Connects to host:port (a name is resolved; every address is tried in turn within the wait).
std::unique_ptr<FdStream> connect_tcp(const std::string& host, int port, const Wait& wait, error_code& ec);

// TLS over a connected TCP stream, its handshake done within `wait`. Throws Error naming `where` and
// the reason (certificate not trusted, name mismatch, files unreadable) when it cannot be had.
std::unique_ptr<ByteStream> start_tls(std::unique_ptr<FdStream> tcp, const TlsFiles& files, const std::string& server_name,
                                      const std::string& where, const Wait& wait);

}  // namespace dlc::engine
