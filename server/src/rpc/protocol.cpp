#include "rpc/protocol.h"

namespace dlc::rpc {

int rpc_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::Internal: return kInternalError;
    case ErrorCode::InvalidArgument: return kInvalidParams;
    case ErrorCode::Cancelled: return kRequestCancelled;
    default: return kErrorBase + static_cast<int>(code);
  }
}

json error_object(const Error& e) {
  json data = {{"code", to_string(e.code())}};
  if (!e.hint().empty()) data["hint"] = e.hint();
  return {{"code", rpc_code(e.code())}, {"message", e.what()}, {"data", std::move(data)}};
}

json error_object(const RpcError& e) {
  json j = {{"code", e.code()}, {"message", e.what()}};
  if (!e.hint().empty()) j["data"] = {{"hint", e.hint()}};
  return j;
}

json cancelled_error() {
  return {{"code", kRequestCancelled}, {"message", "cancelled"}, {"data", {{"code", to_string(ErrorCode::Cancelled)}}}};
}

void to_json(json& j, const LogMessageParams& p) { j = {{"type", static_cast<int>(p.type)}, {"message", p.message}}; }

void to_json(json& j, const ProgressParams& p) { j = {{"token", p.token}, {"value", p.value}}; }

void to_json(json& j, const OutputParams& p) {
  j = {{"token", p.token}, {"stream", p.is_stdout ? "stdout" : "stderr"}, {"data", p.data}};
}

void to_json(json& j, const DidChangeStatusParams& p) {
  j = {{"workspace", p.workspace}, {"event", p.event}, {"containerId", p.container_id}, {"status", p.status}};
}

void from_json(const json& j, InitializeParams& p) {
  // The schema (initialize.json) has checked the types: absent members keep their defaults.
  if (auto it = j.find("processId"); it != j.end() && it->is_number_integer()) p.process_id = it->get<long long>();
  if (auto it = j.find("clientInfo"); it != j.end()) {
    p.client_info.name = it->value("name", "");
    p.client_info.version = it->value("version", "");
  }
  if (auto it = j.find("capabilities"); it != j.end()) p.capabilities = *it;
}

void to_json(json& j, const InitializeResult& r) {
  j = {{"serverInfo", {{"name", r.server_name}, {"version", r.server_version}}},
       {"capabilities",
        {{"methods", r.methods},
         {"notifications", r.notifications},
         {"workDoneProgress", true},
         {"cancelRequest", true},
         {"outputStreaming", true}}}};
}

}  // namespace dlc::rpc
