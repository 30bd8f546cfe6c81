// A deadline for work that only a token can stop: cancels the token when the time has passed, unless
// destroyed first (then it returns at once).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "support/cancel.h"

namespace dlc {

class CancelAfter {
 public:
  CancelAfter(CancelToken token, std::chrono::milliseconds after)
      : thread_([this, token, after] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, after, [&] { return done_; })) {
            fired_ = true;
            token.cancel();
          }
        }) {}
  ~CancelAfter() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  CancelAfter(const CancelAfter&) = delete;
  CancelAfter& operator=(const CancelAfter&) = delete;
  // Whether the deadline cancelled the token.
  bool fired() {
    std::lock_guard lock(mu_);
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

}  // namespace dlc
