// Cancellation travels down from a front end to the I/O that can stop: a build's socket, an exec stream.
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

namespace dlc {

class CancelToken {
 public:
  // A token that no one can cancel (the default for callers that do not care).
  CancelToken() = default;
  static CancelToken make();  // a cancellable one

  bool cancelled() const;
  // Sets the flag and runs every registered callback once, on the calling thread.
  void cancel() const;
  // Throws Error{Cancelled} when cancelled.
  void throw_if_cancelled() const;

  // Runs fn when cancelled (at once if already so) until the returned guard is destroyed.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&&) noexcept = default;
    Registration& operator=(Registration&&) noexcept;
    ~Registration();

   private:
    friend class CancelToken;
    struct State;
    std::shared_ptr<State> state_;
    std::list<std::function<void()>>::iterator it_;
  };
  [[nodiscard]] Registration on_cancel(std::function<void()> fn) const;

 private:
  std::shared_ptr<Registration::State> state_;
};

// Sleeps for `pause`, or less when the token is cancelled first (then it returns at once).
void pause_unless_cancelled(std::chrono::milliseconds pause, const CancelToken& cancel);

}  // namespace dlc
