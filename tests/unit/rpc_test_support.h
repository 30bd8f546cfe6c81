// What the in-process RPC tests share: an Outbox that records what a session sends, a table of test
// methods with their own schemas, and a client for a server on a unix socket.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "rpc/binder.h"
#include "rpc/schema.h"
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
    texts_.push_back(std::move(message));
    cv_.notify_all();
  }
  void close() override {
    std::lock_guard lock(mu_);
    ++closes_;
    cv_.notify_all();
  }
  // The first message sent from `from` on that matches, waiting up to 10 s for it.
  json wait_for(const std::function<bool(const json&)>& match, std::size_t from = 0) {
    std::unique_lock lock(mu_);
    json found;
    bool ok = cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (std::size_t i = from; i < messages_.size(); ++i) {
        if (match(messages_[i])) {
          found = messages_[i];
          return true;
        }
      }
      return false;
    });
    if (!ok) ADD_FAILURE() << "no matching message among " << json(messages_).dump().substr(0, 4000);
    return found;
  }
  json response(const json& id) {
    return wait_for([&](const json& m) { return m.contains("id") && m["id"] == id && !m.contains("method"); });
  }
  std::vector<json> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }
  // The messages as the session wrote them (ids beyond 64 bits survive here, not in messages()).
  std::vector<std::string> texts() {
    std::lock_guard lock(mu_);
    return texts_;
  }
  int closes() {
    std::lock_guard lock(mu_);
    return closes_;
  }
  bool wait_closed() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return closes_ > 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<json> messages_;
  std::vector<std::string> texts_;
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

// The test methods' schemas, as schemas/protocol would hold them (checked by the same validator).
inline const SchemaSet& test_schemas() {
  static const char* echo = R"({"$defs": {"params": {"type": "object", "properties": {
      "text": {"type": "string"}, "times": {"type": "integer", "minimum": 0}, "workDoneToken": {"type": ["string", "integer"]}},
      "required": ["text"], "additionalProperties": false}}})";
  static const char* empty = R"({"$defs": {"params": {"type": "object", "properties": {
      "workDoneToken": {"type": ["string", "integer"]}}, "additionalProperties": false}}})";
  static const char* any = R"({"$defs": {"params": {"type": "object"}}})";
  static const char* initialize = R"({"$defs": {"params": {"type": "object"}}})";
  static const SchemaSet set({{"test.echo.json", echo}, {"test.fail.json", empty}, {"test.crash.json", empty},
                              {"test.wait.json", empty}, {"test.void.json", empty}, {"test.any.json", any},
                              {"test.rendered.json", empty},
                              {"initialize.json", initialize}});
  return set;
}

struct EchoParams {
  std::string text;
  int times = 1;
};
inline void from_json(const json& j, EchoParams& p) {
  p.text = j.at("text").get<std::string>();
  if (j.contains("times")) p.times = j.at("times").get<int>();
}

struct EchoResult {
  std::string text;
};
inline void to_json(json& j, const EchoResult& r) { j = {{"text", r.text}}; }

struct Empty {};
inline void from_json(const json&, Empty&) {}

// One JSON text shared by every answer of test/rendered, with what a dump would need to get right.
inline const JsonText& rendered_text() {
  static const JsonText text = JsonText::render({{"workspaces", {{{"workspace", "/w/\u00e9\"quoted\""}, {"state", "running"}}}}});
  return text;
}

// test/echo, test/fail (a dlc::Error), test/crash (another exception), test/wait (until cancelled, at
// most 60 s), test/void, test/any (any object: answers how many members it has), test/rendered (a result
// serialised once, as a cache holds it: rendered_text()).
inline MethodTable test_methods() {
  MethodTable t(test_schemas());
  t.add<EchoParams>("test/echo", [](const EchoParams& p, Call&) {
    std::string out;
    for (int i = 0; i < p.times; ++i) out += p.text;
    return EchoResult{out};
  });
  t.add<Empty>("test/fail", [](const Empty&, Call&) -> EchoResult {
    throw Error(ErrorCode::ContainerNotFound, "no container for /w", "run `dlcontainer up /w` first");
  });
  t.add<Empty>("test/crash", [](const Empty&, Call&) -> EchoResult { throw std::runtime_error("boom"); });
  // Runs until cancelled, reporting a step on the way, as a build would.
  t.add<Empty>("test/wait", [](const Empty&, Call& call) {
    call.progress().begin("Waiting");
    pause_unless_cancelled(std::chrono::seconds(60), call.cancel());
    call.cancel().throw_if_cancelled();
    return EchoResult{"not cancelled"};
  });
  t.add<Empty>("test/void", [](const Empty&, Call&) {});
  t.add_raw("test/any", [](const json& params, Call&) -> json { return params.size(); });
  t.add<Empty>("test/rendered", [](const Empty&, Call&) { return rendered_text(); });
  return t;
}

// A session of the test methods, served by a real worker pool.
class SessionTest : public ::testing::Test {
 protected:
  explicit SessionTest(MethodTable methods = test_methods()) : methods_(std::move(methods)) {
    SessionOptions o;
    o.methods = &methods_;
    o.backend = &backend_;
    o.spawn = [this, client = pool_.new_client()](std::function<void()> task) { pool_.post(client, std::move(task)); };
    o.server_version = "9.9.9";
    session_ = std::make_shared<Session>(std::move(o), out_);
  }
  ~SessionTest() override {
    session_->closed();
    pool_.wait_idle(std::chrono::seconds(10));
  }
  void send(const json& message) { session_->receive(message.dump()); }
  json call(const json& id, const std::string& method, json params = json::object()) {
    send(request(id, method, std::move(params)));
    return out_->response(id);
  }
  void initialize() {
    auto r = call(0, "initialize", {{"clientInfo", {{"name", "test"}}}});
    ASSERT_TRUE(r.contains("result")) << r;
    send(notification("initialized"));
  }
  // Proves the session still serves: a well-formed request right after, answered.
  void expect_still_serving(int id) {
    auto r = call(id, "test/echo", {{"text", "ok"}});
    EXPECT_EQ(r["result"]["text"], "ok") << r;
  }

  MethodTable methods_;
  NoBackend backend_;
  WorkerPool pool_;
  std::shared_ptr<Recorder> out_ = std::make_shared<Recorder>();
  std::shared_ptr<Session> session_;
};

// A client of a server's unix socket, reading with a bounded wait.
class SocketClient {
 public:
  explicit SocketClient(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ADD_FAILURE() << "cannot connect to " << path;
  }
  ~SocketClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  void send_raw(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        ADD_FAILURE() << "cannot write to the server";
        return;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  void send(const json& message) { send_raw(frame(message.dump())); }
  void close_input() { ::shutdown(fd_, SHUT_WR); }
  // The next message, or nullopt after `limit` or at the end of the stream.
  std::optional<json> next(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (inbox_.empty() && !eof_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[65536];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) {
        eof_ = true;
        break;
      }
      frames_.feed(
          std::string_view(buf, static_cast<std::size_t>(n)), [&](std::string&& body) { inbox_.push_back(json::parse(body)); },
          [&](const std::string& why) { ADD_FAILURE() << "the server sent a bad frame: " << why; });
    }
    if (inbox_.empty()) return std::nullopt;
    json m = std::move(inbox_.front());
    inbox_.pop_front();
    return m;
  }
  // The response to `id` (other messages read on the way are kept), or {} after `limit`.
  json response(const json& id, std::chrono::seconds limit = std::chrono::seconds(10)) {
    for (auto it = seen_.begin(); it != seen_.end(); ++it) {
      if (!it->contains("method") && (*it)["id"] == id) {
        json r = *it;
        seen_.erase(it);
        return r;
      }
    }
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!m) break;
      if (!m->contains("method") && (*m)["id"] == id) return *m;
      seen_.push_back(std::move(*m));
    }
    return json::object();
  }
  json call(const json& id, const std::string& method, json params = json::object()) {
    send(request(id, method, std::move(params)));
    return response(id);
  }
  void initialize() {
    auto r = call("init", "initialize", json::object());
    ASSERT_TRUE(r.contains("result")) << r;
    send(notification("initialized"));
  }
  // True once the server has closed the connection (within `limit`).
  bool wait_closed(std::chrono::seconds limit = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!eof_ && std::chrono::steady_clock::now() < deadline) {
      if (auto m = next(std::chrono::milliseconds(200))) seen_.push_back(std::move(*m));
    }
    return eof_;
  }

 private:
  int fd_ = -1;
  bool eof_ = false;
  FrameReader frames_{FrameLimits{.max_header = 8192, .max_body = 64u << 20}};
  std::deque<json> inbox_;
  std::vector<json> seen_;
};

}  // namespace dlc::rpc::testing
