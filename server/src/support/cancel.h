// Cancellation travels down from a front end to the I/O that can stop: a build's socket, an exec stream.
// A CancelToken is std::stop_source underneath, and a Registration a std::stop_callback, so their
// lifetimes are the standard's: cancel() runs each callback once, on the thread that cancels; a
// Registration destroyed while its callback runs on another thread waits for the callback to return
// (so a callback never outlives what it uses: a descriptor, a stack mutex); destroyed from inside its
// own callback, it does not wait.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>

namespace dlc {

class CancelToken {
 public:
  // A token that no one can cancel (the default for callers that do not care).
  CancelToken() = default;
  static CancelToken make();  // a cancellable one

  bool cancelled() const { return source_.stop_requested(); }
  // Sets the flag and runs every registered callback once, on the calling thread. Callbacks must not
  // throw (std::stop_callback's rule: one that does ends the program).
  void cancel() const;
  // Throws Error{Cancelled} when cancelled.
  void throw_if_cancelled() const;
  // For the standard library's waits (std::condition_variable_any, std::jthread).
  std::stop_token stop_token() const { return source_.get_token(); }

  // Runs fn when cancelled (at once, on this thread, if already so) until the returned guard is
  // destroyed; its destructor waits for fn when fn is running on another thread.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&&) noexcept = default;
    // Unregisters the callback held (waiting for it as the destructor does), then takes other's.
    Registration& operator=(Registration&&) noexcept = default;
    ~Registration() = default;

   private:
    friend class CancelToken;
    std::unique_ptr<std::stop_callback<std::function<void()>>> callback_;
  };
  [[nodiscard]] Registration on_cancel(std::function<void()> fn) const;

 private:
  // stop_source is a shared handle: copies of a token cancel the same work. nostopstate: uncancellable.
  mutable std::stop_source source_{std::nostopstate};
};

// Sleeps for `pause`, or less when the token is cancelled first (then it returns at once).
void pause_unless_cancelled(std::chrono::milliseconds pause, const CancelToken& cancel);

}  // namespace dlc
