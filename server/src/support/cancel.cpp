#include "support/cancel.h"

#include <condition_variable>

#include "support/error.h"

namespace dlc {

struct CancelToken::Registration::State {
  std::mutex mu;
  bool cancelled = false;
  std::list<std::function<void()>> callbacks;
};

CancelToken CancelToken::make() {
  CancelToken t;
  t.state_ = std::make_shared<Registration::State>();
  return t;
}

bool CancelToken::cancelled() const {
  if (!state_) return false;
  std::lock_guard lock(state_->mu);
  return state_->cancelled;
}

void CancelToken::cancel() const {
  if (!state_) return;
  std::list<std::function<void()>> callbacks;
  {
    std::lock_guard lock(state_->mu);
    if (state_->cancelled) return;
    state_->cancelled = true;
    callbacks = state_->callbacks;  // run outside the lock: a callback may unregister itself
  }
  for (auto& fn : callbacks) fn();
}

void CancelToken::throw_if_cancelled() const {
  if (cancelled()) throw Error(ErrorCode::Cancelled, "cancelled");
}

CancelToken::Registration CancelToken::on_cancel(std::function<void()> fn) const {
  Registration r;
  if (!state_) return r;
  {
    std::lock_guard lock(state_->mu);
    if (!state_->cancelled) {
      r.state_ = state_;
      r.it_ = state_->callbacks.insert(state_->callbacks.end(), std::move(fn));
      return r;
    }
  }
  fn();
  return r;
}

CancelToken::Registration& CancelToken::Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    this->~Registration();
    state_ = std::move(other.state_);
    it_ = other.it_;
  }
  return *this;
}

CancelToken::Registration::~Registration() {
  if (!state_) return;
  std::lock_guard lock(state_->mu);
  state_->callbacks.erase(it_);
  state_.reset();
}

void pause_unless_cancelled(std::chrono::milliseconds pause, const CancelToken& cancel) {
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
  auto reg = cancel.on_cancel([&] {
    std::lock_guard lock(mu);
    woken = true;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  cv.wait_for(lock, pause, [&] { return woken; });
}

}  // namespace dlc
