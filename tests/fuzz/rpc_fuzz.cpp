// Fuzz target: bytes -> the frame reader -> the session, with the real method table (less the methods
// that act on the host without the engine: workspace/plan walks folders, doctor measures the host) and a
// backend that has no engine, so every handler checks its params and answers. Handlers are queued and
// run after each piece of input, so that a $/cancelRequest, `exit` or the end of input can meet requests
// still in flight. What must hold for any input: no crash, no sanitizer report, the reader never holds
// more than its limits, every message the server sends is a JSON-RPC message as schemas/protocol
// describes it, and at the end every request has answered and the outbox is closed.
//   scripts/fuzz.sh [SECONDS] rpc_fuzz   libFuzzer (clang, ASan, UBSan) from tests/fuzz/corpus/rpc;
//   ctest -R rpc_fuzz                    the corpus and mutations of it through replay_main.cpp.
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "rpc/methods.h"
#include "rpc/schema.h"
#include "rpc/session.h"
#include "rpc/transport.h"

namespace {

using namespace dlc;
using json = nlohmann::json;

class CheckingOutbox : public rpc::Outbox {
 public:
  void send(std::string message) override {
    json j = json::parse(message, nullptr, false);
    if (j.is_discarded()) std::abort();
    // An integer id beyond 64 bits is read back as a double here: check its text instead (the envelope
    // writes it right after "id":), then hold the rest of the message to the schema.
    if (j.contains("id") && j["id"].is_number_float()) {
      constexpr std::string_view prefix = R"({"jsonrpc":"2.0","id":)";
      if (!message.starts_with(prefix)) std::abort();
      auto text = std::string_view(message).substr(prefix.size());
      if (!rpc::RequestId::integer(text.substr(0, text.find(',')))) std::abort();
      j["id"] = 0;
    }
    if (rpc::protocol_schemas().check("common.json#/$defs/Message", j, "message")) std::abort();
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
  static const rpc::MethodTable t = [] {
    rpc::MethodTable m;
    rpc::add_workspace_methods(m);
    rpc::add_service_methods(m);
    rpc::add_interpreter_methods(m);
    return m;
  }();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte: bit 0 initializes first (so that methods are reached), bits 1-7 the piece size in
  // which the rest is fed (frames split anywhere); queued handlers run after each piece.
  const bool initialize = data[0] & 1;
  const std::size_t piece = 1 + (data[0] >> 1) * 7;
  ++data, --size;

  static NoEngine backend;
  auto out = std::make_shared<CheckingOutbox>();
  std::deque<std::function<void()>> queued;
  rpc::SessionOptions options;
  options.methods = &table();
  options.backend = &backend;
  options.spawn = [&queued](std::function<void()> task) { queued.push_back(std::move(task)); };
  options.server_version = "fuzz";
  options.max_in_flight = 8;  // small, so that inputs reach the cap
  auto session = std::make_shared<rpc::Session>(options, out);
  auto run_queued = [&] {
    while (!queued.empty()) {
      auto task = std::move(queued.front());
      queued.pop_front();
      task();
    }
  };
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
    run_queued();
  }
  session->closed();
  run_queued();
  if (!out->closed || session->in_flight() != 0) std::abort();
  return 0;
}
