// libFuzzer target: bytes -> the frame reader -> the session (the real method table, with a backend that
// has no engine, so every handler parses its params and answers). What must hold for any input: no
// crash, no sanitizer report, and everything the server sends is one JSON-RPC 2.0 object.
//   scripts/fuzz.sh [SECONDS]   builds it with clang (-DDLC_FUZZ=ON) and runs it from tests/fuzz/corpus/rpc.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "rpc/methods.h"
#include "rpc/session.h"
#include "rpc/transport.h"

namespace {

using namespace dlc;
using json = nlohmann::json;

class CheckingOutbox : public rpc::Outbox {
 public:
  void send(std::string message) override {
    json j = json::parse(message, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("jsonrpc", "") != "2.0") std::abort();
    bool response = j.contains("id") && (j.contains("result") != j.contains("error"));
    bool notification = j.contains("method") && j["method"].is_string() && !j.contains("id");
    if (!response && !notification) std::abort();
    if (j.contains("error") && (!j["error"]["code"].is_number_integer() || !j["error"]["message"].is_string())) std::abort();
  }
  void close() override { closed = true; }
  bool closed = false;
};

class NoEngine : public rpc::Backend {
 public:
  core::Workspaces& workspaces(const std::string&) override {
    throw Error(ErrorCode::EngineUnavailable, "no engine while fuzzing", "none");
  }
};

const rpc::MethodTable& table() {
  static const rpc::MethodTable t = rpc::default_methods();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte: bit 0 initializes first (so that methods are reached), bits 1-7 the piece size in
  // which the rest is fed (frames split anywhere).
  const bool initialize = data[0] & 1;
  const std::size_t piece = 1 + (data[0] >> 1) * 7;
  ++data, --size;

  static NoEngine backend;
  auto out = std::make_shared<CheckingOutbox>();
  rpc::SessionOptions options;
  options.methods = &table();
  options.backend = &backend;
  options.spawn = [](std::function<void()> task) { task(); };
  options.server_version = "fuzz";
  auto session = std::make_shared<rpc::Session>(options, out);
  if (initialize) session->receive(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{}})");

  rpc::FrameReader reader(rpc::FrameLimits{.max_header = 256, .max_body = 4096});
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    auto n = std::min(piece, rest.size());
    reader.feed(
        rest.substr(0, n), [&](std::string&& body) { session->receive(body); },
        [&](const std::string& why) { session->frame_error(why); });
    if (reader.buffered() > 256 + 4 + 4096) std::abort();  // the bound the limits promise
    rest.remove_prefix(n);
  }
  session->closed();
  if (!out->closed || session->in_flight() != 0) std::abort();
  return 0;
}
