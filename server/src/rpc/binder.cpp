#include "rpc/binder.h"

#include <algorithm>

#include "support/error.h"

namespace dlc::rpc {

services::Forwarders& Backend::forwarders() {
  throw Error(ErrorCode::Internal, "this front end keeps no port forwards", "use `dlcontainer serve`");
}

void Call::notify(std::string_view method, const nlohmann::json& params) {
  out_->send(serialize({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}));
}

void throw_invalid_params(const std::exception& e) {
  // nlohmann says "[json.exception.type_error.302] type must be string, but is number": keep the words.
  std::string what = e.what();
  if (auto close = what.find("] "); what.starts_with("[json.exception.") && close != std::string::npos) what.erase(0, close + 2);
  throw RpcError(kInvalidParams, "invalid params: " + what, "docs/protocol.md lists each method's params");
}

void MethodTable::add_raw(std::string name, Handler handler) {
  if (!handlers_.emplace(name, std::move(handler)).second) throw std::logic_error("method added twice: " + name);
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
