// One client connection on Boost.Asio: frames read from one descriptor, frames written to another (or
// the same, for a socket). Every read and write is asynchronous on the server's I/O thread and each
// channel has its own outgoing queue, so a client that reads slowly only fills its own queue: it never
// holds up another client, nor the thread that serves them all.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rpc/binder.h"
#include "rpc/transport.h"

namespace dlc::rpc {

struct ChannelLimits {
  FrameLimits frames;
  // Streaming handlers wait (Outbox::wait_for_room) while more than this is queued to the client.
  std::size_t soft_queue = 8u << 20;
  // A client that lets this much pile up is not reading at all: it is disconnected.
  std::size_t hard_queue = 128u << 20;
};

class Channel : public Outbox, public std::enable_shared_from_this<Channel> {
 public:
  struct Handlers {
    std::function<void(std::string&& body)> on_message;
    std::function<void(const std::string& why)> on_frame_error;
    // The client is gone: its input ended or failed, or writing to it failed. Called once.
    std::function<void()> on_closed;
    // Both directions are closed and the descriptors with them. Called once, last.
    std::function<void()> on_finished;
  };

  // Takes ownership of the descriptors (in_fd == out_fd for a socket).
  Channel(boost::asio::io_context& io, int in_fd, int out_fd, ChannelLimits limits = {});
  ~Channel() override;

  // Starts reading. Handlers run on the I/O thread. Reading never pauses (a cancel or the end of input
  // must always be seen): what bounds a client is its session's cap on requests in flight, answered at
  // once, and hard_queue on what it leaves unread.
  void start(Handlers handlers);

  void send(std::string message) override;
  bool wait_for_room(const CancelToken& cancel) override;
  void close() override;

 private:
  void read_more();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void write_more();
  void client_gone();
  void maybe_finish();

  boost::asio::io_context& io_;
  ChannelLimits limits_;
  std::shared_ptr<boost::asio::posix::stream_descriptor> in_, out_;
  int in_flags_ = -1, out_flags_ = -1;  // the descriptors' flags as given, restored as they close
  FrameReader frames_;
  Handlers h_;
  std::array<char, 64 * 1024> buf_{};

  // I/O thread only.
  bool reading_ = false;
  bool read_done_ = false;
  bool gone_ = false;
  bool finished_ = false;

  // Shared with the threads that send.
  mutable std::mutex mu_;
  std::condition_variable_any room_cv_;
  std::deque<std::string> queue_;
  std::vector<std::string> writing_;
  std::size_t queued_bytes_ = 0;
  bool write_pending_ = false;
  bool closing_ = false;
  bool broken_ = false;
  bool done_ = false;  // closed: what is sent now is dropped
};

}  // namespace dlc::rpc
