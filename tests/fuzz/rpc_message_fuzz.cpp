// Fuzz target: one message body -> read_message (the depth-bounded JSON reader and the envelope) -> the
// params schema of every method (the validator on arbitrary JSON). What must hold for any input: no
// crash, no sanitizer report; a message that is read nests no deeper than kMaxDepth, its id is JSON
// text for a string or an integer, and a refused one is refused with -32700 or -32600.
//   scripts/fuzz.sh [SECONDS] rpc_message_fuzz   libFuzzer from tests/fuzz/corpus/rpc_message;
//   ctest -R rpc_message_fuzz                    the corpus and mutations of it (replay_main.cpp).
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "rpc/message.h"
#include "rpc/methods.h"
#include "rpc/schema.h"

namespace {

using json = nlohmann::json;

// How deep j nests, walked with a stack of our own.
std::size_t depth_of(const json& j) {
  std::size_t deepest = 0;
  std::vector<std::pair<const json*, std::size_t>> todo{{&j, 1}};
  while (!todo.empty()) {
    auto [node, depth] = todo.back();
    todo.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth);
    for (const auto& child : *node) todo.emplace_back(&child, depth + 1);
  }
  return deepest;
}

const std::vector<std::string>& methods() {
  static const std::vector<std::string> m = [] {
    auto names = dlc::rpc::default_methods().methods();
    names.push_back("initialize");
    return names;
  }();
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dlc::rpc;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  IncomingMessage m = read_message(body);
  if (m.error) {
    if (m.error->code() != kParseError && m.error->code() != kInvalidRequest) std::abort();
    return 0;
  }
  // params sits one level below the message: together they stay within the bound.
  if (depth_of(m.params) + 1 > kMaxDepth) std::abort();
  json id = json::parse(m.id.text(), nullptr, false);
  if (id.is_discarded() || !(id.is_string() || id.is_number() || id.is_null())) std::abort();
  if (id.is_null() != (m.kind == IncomingMessage::Kind::Notification)) std::abort();
  const auto& schemas = protocol_schemas();
  static const json kEmpty = json::object();
  const json& params = m.params.is_null() ? kEmpty : m.params;
  for (const auto& method : methods()) {
    if (schemas.has_params(method)) (void)schemas.check_params(method, params);
  }
  return 0;
}
