#include "rpc/channel.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace dlc::rpc {

namespace asio = boost::asio;

Channel::Channel(asio::io_context& io, int in_fd, int out_fd, ChannelLimits limits)
    : io_(io), limits_(limits), frames_(limits.frames) {
  // Asio puts descriptors in non-blocking mode, which a terminal or a pipe shares with the process
  // that gave it to us: the flags go back as they were when the channel closes.
  in_flags_ = ::fcntl(in_fd, F_GETFL);
  in_ = std::make_shared<asio::posix::stream_descriptor>(io, in_fd);
  if (out_fd == in_fd) {
    out_ = in_;
  } else {
    out_flags_ = ::fcntl(out_fd, F_GETFL);
    out_ = std::make_shared<asio::posix::stream_descriptor>(io, out_fd);
  }
  // send() writes directly when it can, and must never block doing so.
  int flags = ::fcntl(out_fd, F_GETFL);
  if (flags >= 0) ::fcntl(out_fd, F_SETFL, flags | O_NONBLOCK);
}

Channel::~Channel() {
  boost::system::error_code ec;
  if (in_->is_open()) in_->close(ec);
  if (out_->is_open()) out_->close(ec);
}

void Channel::start(Handlers handlers) {
  h_ = std::move(handlers);
  asio::post(io_, [self = shared_from_this()] { self->read_more(); });
}

void Channel::read_more() {
  if (read_done_ || reading_) return;
  reading_ = true;
  in_->async_read_some(asio::buffer(buf_), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void Channel::on_read(const boost::system::error_code& ec, std::size_t n) {
  reading_ = false;
  if (n > 0 && !read_done_) {
    frames_.feed(
        std::string_view(buf_.data(), n), [this](std::string&& body) { if (h_.on_message) h_.on_message(std::move(body)); },
        [this](const std::string& why) { if (h_.on_frame_error) h_.on_frame_error(why); });
  }
  if (ec) {
    read_done_ = true;
    client_gone();
    maybe_finish();
    return;
  }
  read_more();
}

void Channel::send(std::string message) {
  std::string framed = frame(message);
  bool start = false, overflow = false;
  {
    std::lock_guard lock(mu_);
    if (broken_ || done_) return;
    if (queued_bytes_ + framed.size() > limits_.hard_queue) {
      broken_ = true;
      queue_.clear();
      queued_bytes_ = 0;
      overflow = true;
    } else {
      std::size_t written = 0;
      if (!write_pending_ && queue_.empty()) {
        // Nothing ahead of it: write from this thread at once (the descriptor is non-blocking), and
        // leave to the I/O thread only what the client cannot take yet. One thread hop less per answer.
        ssize_t n = ::write(out_->native_handle(), framed.data(), framed.size());
        if (n > 0) written = static_cast<std::size_t>(n);
      }
      if (written < framed.size()) {
        framed.erase(0, written);
        queued_bytes_ += framed.size();
        queue_.push_back(std::move(framed));
        start = !write_pending_;
        if (start) write_pending_ = true;
      }
    }
  }
  if (overflow) {
    room_cv_.notify_all();
    asio::post(io_, [self = shared_from_this()] {
      spdlog::warn("a client left {} MiB of messages unread: disconnecting it", self->limits_.hard_queue >> 20);
      self->client_gone();
      self->maybe_finish();
    });
    return;
  }
  if (start) asio::post(io_, [self = shared_from_this()] { self->write_more(); });
}

void Channel::write_more() {
  std::vector<asio::const_buffer> buffers;
  {
    std::lock_guard lock(mu_);
    if (broken_ || queue_.empty()) {
      write_pending_ = false;
    } else {
      // Everything queued goes out in one gathered write.
      while (!queue_.empty()) {
        writing_.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      for (const auto& m : writing_) buffers.emplace_back(m.data(), m.size());
    }
  }
  if (buffers.empty()) {
    maybe_finish();
    return;
  }
  asio::async_write(*out_, buffers, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
    bool failed = false;
    {
      std::lock_guard lock(self->mu_);
      for (const auto& m : self->writing_) self->queued_bytes_ -= m.size();
      self->writing_.clear();
      if (ec) {
        self->broken_ = true;
        self->queue_.clear();
        self->queued_bytes_ = 0;
        self->write_pending_ = false;
        failed = true;
      }
    }
    self->room_cv_.notify_all();
    if (failed) {
      self->client_gone();
      self->maybe_finish();
      return;
    }
    self->write_more();
  });
}

bool Channel::wait_for_room(const CancelToken& cancel) {
  std::unique_lock lock(mu_);
  // The standard wait also wakes when the token is cancelled (then it answers false).
  bool room = room_cv_.wait(lock, cancel.stop_token(), [&] { return broken_ || closing_ || queued_bytes_ < limits_.soft_queue; });
  return room && !broken_ && !closing_;
}

void Channel::close() {
  asio::post(io_, [self = shared_from_this()] {
    {
      std::lock_guard lock(self->mu_);
      self->closing_ = true;
    }
    self->room_cv_.notify_all();
    if (!self->read_done_) {
      self->read_done_ = true;
      boost::system::error_code ec;
      if (self->reading_) self->in_->cancel(ec);
    }
    self->maybe_finish();
  });
}

void Channel::client_gone() {
  if (gone_) return;
  gone_ = true;
  if (h_.on_closed) h_.on_closed();
}

void Channel::maybe_finish() {
  if (finished_ || reading_) return;
  {
    std::lock_guard lock(mu_);
    if (!(closing_ || broken_) || !read_done_ || write_pending_ || !queue_.empty()) return;
  }
  finished_ = true;
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  boost::system::error_code ec;
  if (in_flags_ >= 0) ::fcntl(in_->native_handle(), F_SETFL, in_flags_);
  if (out_ != in_ && out_flags_ >= 0) ::fcntl(out_->native_handle(), F_SETFL, out_flags_);
  in_->close(ec);
  if (out_ != in_) out_->close(ec);
  room_cv_.notify_all();
  auto finished = std::move(h_.on_finished);
  h_ = {};  // the handlers hold the session, which holds this channel: let both go
  if (finished) finished();
}

}  // namespace dlc::rpc
