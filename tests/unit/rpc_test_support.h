// What the in-process RPC tests share: an Outbox that records what a session sends, and a session
// served by a real worker pool with a table of test methods.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "rpc/binder.h"
#include "rpc/session.h"
#include "rpc/transport.h"
#include "rpc/workers.h"

namespace dlc::rpc::testing {

using json = nlohmann::json;

class Recorder : public Outbox {
 public:
  void send(std::string message) override {
    std::lock_guard lock(mu_);
    messages_.push_back(json::parse(message));
    cv_.notify_all();
  }
  void close() override {
    std::lock_guard lock(mu_);
    ++closes_;
    cv_.notify_all();
  }
  // The first message sent from `from` on that matches, waiting up to 5 s for it.
  json wait_for(const std::function<bool(const json&)>& match, std::size_t from = 0) {
    std::unique_lock lock(mu_);
    json found;
    bool ok = cv_.wait_for(lock, std::chrono::seconds(5), [&] {
      for (std::size_t i = from; i < messages_.size(); ++i) {
        if (match(messages_[i])) {
          found = messages_[i];
          return true;
        }
      }
      return false;
    });
    if (!ok) ADD_FAILURE() << "no matching message among " << json(messages_).dump();
    return found;
  }
  json response(const json& id) {
    return wait_for([&](const json& m) { return m.contains("id") && m["id"] == id && !m.contains("method"); });
  }
  std::vector<json> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }
  int closes() {
    std::lock_guard lock(mu_);
    return closes_;
  }
  bool wait_closed() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return closes_ > 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<json> messages_;
  int closes_ = 0;
};

class NoBackend : public Backend {
 public:
  core::Workspaces& workspaces(const std::string&) override {
    throw Error(ErrorCode::EngineUnavailable, "no engine in unit tests", "run the integration tests");
  }
};

inline json request(const json& id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

inline json notification(const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace dlc::rpc::testing
