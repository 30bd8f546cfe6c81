#include "rpc/message.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

namespace dlc::rpc {

namespace {

using json = nlohmann::json;

// What stood where an id can stand: the message's own id, or params.id (for $/cancelRequest).
struct IdSeen {
  bool present = false;
  std::optional<RequestId> id;  // nullopt when present but neither a string nor an integer
};

// Builds the tree with an explicit stack and stops building at max_depth: past it, it only counts
// depth (to the end of the document, so that a syntax error later is still reported as one) and notes
// the top-level id, so that the refusal can answer the request it refuses.
class BoundedBuilder final : public json::json_sax_t {
 public:
  explicit BoundedBuilder(std::size_t max_depth) : max_depth_(max_depth) {}

  json root;
  bool too_deep = false;
  std::optional<std::string> error;
  IdSeen id, params_id;

  bool null() override { return put(nullptr, std::nullopt); }
  bool boolean(bool v) override { return put(v, std::nullopt); }
  bool number_integer(number_integer_t v) override { return put(v, where_id() ? RequestId::integer(std::to_string(v)) : std::nullopt); }
  bool number_unsigned(number_unsigned_t v) override { return put(v, where_id() ? RequestId::integer(std::to_string(v)) : std::nullopt); }
  bool number_float(number_float_t v, const string_t& text) override {
    if (!std::isfinite(v)) {
      error = "the number " + text.substr(0, 40) + " is out of range";
      return false;
    }
    // An integer too large for 64 bits arrives here: as an id it is kept as written.
    return put(v, where_id() ? RequestId::integer(text) : std::nullopt);
  }
  bool string(string_t& v) override {
    auto as_id = where_id() ? std::optional(RequestId::string(v)) : std::nullopt;
    return put(std::move(v), std::move(as_id));
  }
  bool binary(binary_t&) override { return false; }  // not in JSON text
  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool key(string_t& k) override {
    key_ = std::move(k);
    return true;
  }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    std::string what = e.what();
    // nlohmann says "[json.exception.parse_error.101] parse error at ...": keep the words.
    if (auto end = what.find("] "); what.starts_with("[json.exception.") && end != std::string::npos) what.erase(0, end + 2);
    error = std::move(what);
    return false;
  }

 private:
  // 1: the value being read is the message's id; 2: it is params.id; 0: neither.
  int where_id() const {
    if (depth_ == 1 && object_at_[1] && key_ == "id") return 1;
    if (depth_ == 2 && object_at_[1] && object_at_[2] && key_ == "id" && outer_key_ == "params") return 2;
    return 0;
  }

  void note_id(std::optional<RequestId> as_id) {
    int where = where_id();
    if (where == 0) return;
    IdSeen& seen = where == 1 ? id : params_id;
    seen.present = true;
    seen.id = std::move(as_id);
  }

  bool put(json&& v, std::optional<RequestId> as_id) {
    note_id(std::move(as_id));
    if (too_deep) return true;
    if (stack_.empty()) {
      root = std::move(v);
    } else if (stack_.back()->is_array()) {
      stack_.back()->push_back(std::move(v));
    } else {
      (*stack_.back())[key_] = std::move(v);
    }
    return true;
  }

  bool open(json&& container) {
    note_id(std::nullopt);  // an object or an array is no id
    if (depth_ == 1) outer_key_ = key_;
    ++depth_;
    if (depth_ <= 2) object_at_[depth_] = container.is_object();
    if (!too_deep && depth_ > max_depth_) {
      // Refused: the tree built so far goes now, and nothing more is built.
      too_deep = true;
      stack_.clear();
      root = nullptr;
    }
    if (too_deep) return true;
    json* slot = nullptr;
    if (stack_.empty()) {
      root = std::move(container);
      slot = &root;
    } else if (stack_.back()->is_array()) {
      // The parent array grows no further while this child is open, so the pointer stays valid.
      stack_.back()->push_back(std::move(container));
      slot = &stack_.back()->back();
    } else {
      slot = &(*stack_.back())[key_];
      *slot = std::move(container);
    }
    stack_.push_back(slot);
    return true;
  }

  bool close() {
    --depth_;
    if (!too_deep) stack_.pop_back();
    return true;
  }

  std::size_t max_depth_;
  std::size_t depth_ = 0;        // containers open now
  bool object_at_[3] = {};       // whether the container at depth 1 and 2 is an object
  std::vector<json*> stack_;     // the open containers, while building
  std::string key_;              // the last key read
  std::string outer_key_;        // the top-level key under which the depth-2 container opened
};

IncomingMessage refused(int code, std::string message, std::string hint, RequestId id = {}) {
  IncomingMessage m;
  m.id = std::move(id);
  m.error = RpcError(code, std::move(message), std::move(hint));
  return m;
}

constexpr const char* kOneObject = "send one JSON-RPC 2.0 object per frame: {\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ...}";

}  // namespace

IncomingMessage read_message(std::string_view body, std::size_t max_depth) {
  BoundedBuilder b(max_depth);
  bool parsed = json::sax_parse(body, &b, json::input_format_t::json, /*strict=*/true);
  if (!parsed || b.error) {
    return refused(kParseError, "the message is not JSON: " + b.error.value_or("it ends too early"),
                   "send one JSON-RPC 2.0 object (UTF-8) per frame");
  }
  // The id, when it can be read, so that the refusals below answer the request they refuse.
  RequestId id = b.id.id.value_or(RequestId());
  if (b.too_deep) {
    return refused(kInvalidRequest, "the message nests objects or arrays deeper than " + std::to_string(max_depth) + " levels",
                   "send params at most " + std::to_string(max_depth) + " levels deep", id);
  }
  json& msg = b.root;
  if (!msg.is_object()) {
    return refused(kInvalidRequest, msg.is_array() ? "batches are not supported" : "a message must be a JSON object", kOneObject);
  }
  if (b.id.present && !b.id.id) {
    return refused(kInvalidRequest, "id must be a string or an integer", "number each request: \"id\": 1");
  }
  for (const auto& [name, _] : msg.items()) {
    if (name != "jsonrpc" && name != "id" && name != "method" && name != "params" && name != "result" && name != "error") {
      return refused(kInvalidRequest, "unknown member \"" + name.substr(0, 40) + "\" in the message", kOneObject, id);
    }
  }
  if (auto v = msg.find("jsonrpc"); v == msg.end() || *v != "2.0") {
    return refused(kInvalidRequest, "jsonrpc must be \"2.0\"", "add \"jsonrpc\": \"2.0\" to every message", id);
  }
  IncomingMessage m;
  m.id = id;
  auto method = msg.find("method");
  if (method == msg.end()) {
    if (b.id.present && (msg.contains("result") || msg.contains("error"))) {
      m.kind = IncomingMessage::Kind::Response;
      return m;
    }
    return refused(kInvalidRequest, "the message has no method", "a request needs \"method\" and \"id\"; a notification \"method\"", id);
  }
  if (!method->is_string()) return refused(kInvalidRequest, "method must be a string", kOneObject, id);
  if (msg.contains("result") || msg.contains("error")) {
    return refused(kInvalidRequest, "a request carries no result or error", kOneObject, id);
  }
  m.method = std::move(method->get_ref<std::string&>());
  if (auto p = msg.find("params"); p != msg.end()) {
    if (!p->is_object() && !p->is_array() && !p->is_null()) {
      return refused(kInvalidRequest, "params must be an object", "send params as {\"name\": value, ...}", id);
    }
    m.params = std::move(*p);
  }
  m.kind = b.id.present ? IncomingMessage::Kind::Request : IncomingMessage::Kind::Notification;
  if (b.params_id.present) m.params_id = b.params_id.id;
  return m;
}

RequestId RequestId::string(std::string_view value) {
  RequestId id;
  id.text_ = json(value).dump(-1, ' ', false, json::error_handler_t::replace);
  return id;
}

std::optional<RequestId> RequestId::integer(std::string_view literal) {
  std::string_view digits = literal.starts_with('-') ? literal.substr(1) : literal;
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  RequestId id;
  id.text_ = std::string(literal);
  return id;
}

std::string RequestId::shown() const { return text_.size() <= 40 ? text_ : text_.substr(0, 37) + "..."; }

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// {"jsonrpc":"2.0","id":<id>,"<member>":<value>}: the id goes in as the text the client wrote.
// The value comes as its JSON text: dump()'s, or a JsonText rendered once for many answers.
std::string with_id(const RequestId& id, std::string_view member, std::string_view value) {
  static constexpr std::string_view kHead = R"({"jsonrpc":"2.0","id":)";
  std::string out;
  out.reserve(kHead.size() + id.text().size() + member.size() + value.size() + 6);
  out += kHead;
  out += id.text();
  out += ",\"";
  out += member;
  out += "\":";
  out += value;
  out += '}';
  return out;
}

}  // namespace

std::string response_message(const RequestId& id, const json& result) { return with_id(id, "result", dump(result)); }

std::string response_message(const RequestId& id, const JsonText& result) { return with_id(id, "result", *result.text); }

std::string error_message(const RequestId& id, const json& error) { return with_id(id, "error", dump(error)); }

std::string error_message(const RequestId& id, int code, std::string message, std::string hint) {
  return error_message(id, error_object(RpcError(code, std::move(message), std::move(hint))));
}

std::string notification_message(std::string_view method, const json& params) {
  return dump({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

}  // namespace dlc::rpc
