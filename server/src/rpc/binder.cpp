#include "rpc/binder.h"

#include <algorithm>

#include "support/error.h"

namespace dlc::rpc {

core::ForwardKeeper& Backend::forwards() {
  throw Error(ErrorCode::Internal, "this front end keeps no port forwards", "use `dlcontainer serve`");
}

void check_params(const SchemaSet& schemas, std::string_view method, const nlohmann::json& params) {
  static const nlohmann::json kNone = nlohmann::json::object();
  if (auto why = schemas.check_params(method, params.is_null() ? kNone : params)) {
    throw RpcError(kInvalidParams, "invalid params: " + *why,
                   "schemas/protocol/" + SchemaSet::file_for(method) + " describes " + std::string(method) + "'s params");
  }
}

void throw_invalid_params(const std::exception& e) {
  // nlohmann says "[json.exception.type_error.302] type must be string, but is number": keep the words.
  std::string what = e.what();
  if (auto close = what.find("] "); what.starts_with("[json.exception.") && close != std::string::npos) what.erase(0, close + 2);
  throw RpcError(kInvalidParams, "invalid params: " + what, "docs/protocol.md lists each method's params");
}

void MethodTable::add_raw(std::string name, Handler handler) {
  if (!schemas_->has_params(name)) {
    throw std::logic_error("method " + name + " has no params schema: add schemas/protocol/" + SchemaSet::file_for(name));
  }
  Handler checked = [handler = std::move(handler), name, schemas = schemas_](const nlohmann::json& params, Call& call) {
    check_params(*schemas, name, params);
    return handler(params, call);
  };
  if (!handlers_.emplace(name, std::move(checked)).second) throw std::logic_error("method added twice: " + name);
}

void MethodTable::answer_at_once(std::string_view name, Quick quick) {
  if (!find(name)) throw std::logic_error("answer_at_once for a method not added: " + std::string(name));
  quick_.insert_or_assign(std::string(name), std::move(quick));
}

const MethodTable::Quick* MethodTable::quick(std::string_view name) const {
  auto it = quick_.find(name);
  return it == quick_.end() ? nullptr : &it->second;
}

void MethodTable::emits(std::string notification) {
  if (std::find(notifications_.begin(), notifications_.end(), notification) == notifications_.end()) {
    notifications_.push_back(std::move(notification));
  }
}

const MethodTable::Handler* MethodTable::find(std::string_view name) const {
  auto it = handlers_.find(name);
  return it == handlers_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodTable::methods() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : handlers_) out.push_back(name);
  return out;
}

std::vector<std::string> MethodTable::notifications() const { return notifications_; }

}  // namespace dlc::rpc
