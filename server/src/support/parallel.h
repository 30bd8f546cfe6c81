// Running the parts of one piece of work (the object form of a lifecycle command) at once.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace dlc {

// Calls fn(0) .. fn(n - 1): one after another, or each on a thread of its own. Every part finishes
// before this returns; then the first part's failure (in index order) is rethrown.
inline void run_each(std::size_t n, bool parallel, const std::function<void(std::size_t)>& fn) {
  if (!parallel || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(n);
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      try {
        fn(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace dlc
