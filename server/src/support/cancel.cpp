#include "support/cancel.h"

#include <condition_variable>
#include <mutex>

#include "support/error.h"

namespace dlc {

CancelToken CancelToken::make() {
  CancelToken t;
  t.source_ = std::stop_source();
  return t;
}

void CancelToken::cancel() const { source_.request_stop(); }

void CancelToken::throw_if_cancelled() const {
  if (cancelled()) throw Error(ErrorCode::Cancelled, "cancelled");
}

CancelToken::Registration CancelToken::on_cancel(std::function<void()> fn) const {
  Registration r;
  if (source_.stop_possible()) {
    r.callback_ = std::make_unique<std::stop_callback<std::function<void()>>>(source_.get_token(), std::move(fn));
  }
  return r;
}

void pause_unless_cancelled(std::chrono::milliseconds pause, const CancelToken& cancel) {
  // The standard wait registers and unregisters its own stop_callback around the wait.
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, cancel.stop_token(), pause, [] { return false; });
}

}  // namespace dlc
