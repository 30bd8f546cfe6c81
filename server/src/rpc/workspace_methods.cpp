// workspace/*: the same core::Workspaces calls the command line makes, with the same params and results.
#include <optional>

#include "core/placed.h"
#include "rpc/methods.h"

namespace dlc::rpc {

using json = nlohmann::json;

namespace {

// Collected output stops growing here (and says so); streamed output has no such limit.
constexpr std::size_t kMaxCollected = 16u << 20;

// The schema has checked it: a string or an integer, or absent (null: collect the output).
json output_token_of(const json& j) { return j.value("outputToken", json()); }

struct ExecRequest {
  core::ExecParams exec;
  std::optional<std::string> input;
  json output_token;
};

void from_json(const json& j, ExecRequest& r) {
  j.get_to(r.exec);
  if (auto it = j.find("input"); it != j.end()) r.input = it->get<std::string>();
  r.output_token = output_token_of(j);
}

struct ExecResult {
  int exit_code = 0;
  std::string out, err;
  bool truncated = false;
};

void to_json(json& j, const ExecResult& r) {
  j = {{"exitCode", r.exit_code}, {"stdout", r.out}, {"stderr", r.err}, {"truncated", r.truncated}};
}

struct LogsRequest {
  core::LogsParams logs;
  json output_token;
};

void from_json(const json& j, LogsRequest& r) {
  j.get_to(r.logs);
  r.output_token = output_token_of(j);
}

struct LogsResult {
  std::string out, err;
  bool truncated = false;
};

void to_json(json& j, const LogsResult& r) { j = {{"stdout", r.out}, {"stderr", r.err}, {"truncated", r.truncated}}; }

// Where a command's output goes: collected into the result, or streamed to the client as
// workspace/output notifications carrying the request's outputToken.
class OutputRoute {
 public:
  OutputRoute(Call& call, json token) : call_(call), token_(std::move(token)) {}

  engine::OutputSink sink(bool is_stdout) {
    return [this, is_stdout](std::string_view data) { deliver(is_stdout, data); };
  }

  // Sends what a stream held back at its end (an incomplete UTF-8 sequence, as it is).
  void finish() {
    for (bool is_stdout : {true, false}) {
      auto& carry = is_stdout ? out_carry_ : err_carry_;
      if (!carry.empty()) send(is_stdout, std::exchange(carry, {}));
    }
  }

  std::string out, err;
  bool truncated = false;

 private:
  void deliver(bool is_stdout, std::string_view data) {
    if (token_.is_null()) {
      auto& into = is_stdout ? out : err;
      auto room = kMaxCollected - std::min(kMaxCollected, into.size());
      if (data.size() > room) truncated = true;
      into.append(data.substr(0, room));
      return;
    }
    // A notification carries text: a UTF-8 sequence split between two reads waits for its end.
    auto& carry = is_stdout ? out_carry_ : err_carry_;
    std::string text = std::exchange(carry, {});
    text.append(data);
    std::size_t cut = complete_utf8_prefix(text);
    carry = text.substr(cut);
    text.resize(cut);
    if (!text.empty()) send(is_stdout, std::move(text));
  }

  void send(bool is_stdout, std::string text) {
    if (!call_.wait_for_room()) return;  // the client is gone or cancelled: the work is stopping
    call_.notify(kOutput, OutputParams{token_, is_stdout, std::move(text)});
  }

  // The length of s without a trailing incomplete UTF-8 sequence.
  static std::size_t complete_utf8_prefix(std::string_view s) {
    std::size_t n = s.size();
    for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
      auto c = static_cast<unsigned char>(s[n - back]);
      if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back
      std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
      return back < len ? n - back : n;
    }
    return n;
  }

  Call& call_;
  json token_;
  std::string out_carry_, err_carry_;
};

// The engine of a placed command (core/placed.h): the server keeps one workspace service per engine.
core::WorkspacesAt workspaces_at(Call& call) {
  return [&call](const std::string& url) -> core::Workspaces& { return call.workspaces(url); };
}

core::UpResult up(const core::UpParams& p, Call& call) { return core::up_placed(p, workspaces_at(call), call.progress(), call.cancel()); }

core::DownResult down(const core::DownParams& p, Call& call) { return core::down_placed(p, workspaces_at(call)); }

// The text the status cache keeps for the workspace (rendered once per change), not a tree per call.
JsonText status(const core::StatusParams& p, Call& call) { return core::status_placed_text(p, workspaces_at(call)); }

// Rendered once per change of the list (the event-fed cache keeps the text), not per call.
JsonText list(const core::ListParams& p, Call& call) { return call.workspaces(p.host).list_text(); }

// The same text without a worker while the cache holds it and the engine is connected already.
std::optional<Answer> list_at_once(const json& params, Backend& backend) {
  auto* w = backend.connected_workspaces(parse_params<core::ListParams>(params).host);
  auto text = w ? w->cached_list_text() : std::nullopt;
  return text ? std::optional<Answer>(std::move(*text)) : std::nullopt;
}

// A status kept from an earlier answer, without a worker, while the cache holds its view and nothing it
// was read from has changed (inotify says so without a file system being touched): else a worker's.
std::optional<Answer> status_at_once(const json& params, Backend& backend) {
  auto p = parse_params<core::StatusParams>(params);
  auto* w = backend.connected_workspaces(p.host);
  auto text = w ? w->status_text_at_once(p) : std::nullopt;
  return text ? std::optional<Answer>(std::move(*text)) : std::nullopt;
}

ExecResult exec(const ExecRequest& r, Call& call) {
  core::ExecParams params = r.exec;
  params.attach_stdin = r.input.has_value();
  OutputRoute route(call, r.output_token);
  engine::ExecIO io;
  io.stdin_data = r.input;
  io.on_stdout = route.sink(true);
  io.on_stderr = route.sink(false);
  ExecResult result;
  result.exit_code = call.workspaces(core::engine_for(params.workspace, params.host)).exec(params, io, call.cancel());
  route.finish();
  result.out = std::move(route.out);
  result.err = std::move(route.err);
  result.truncated = route.truncated;
  return result;
}

LogsResult logs(const LogsRequest& r, Call& call) {
  if (r.logs.follow && r.output_token.is_null()) {
    throw RpcError(kInvalidParams, "follow needs an outputToken: followed logs never end, so they can only be streamed",
                   "add \"outputToken\": \"logs-1\" and read workspace/output notifications; cancel the request to stop");
  }
  OutputRoute route(call, r.output_token);
  call.workspaces(core::engine_for(r.logs.workspace, r.logs.host)).logs(r.logs, route.sink(true), route.sink(false), call.cancel());
  // A followed stream ends only by a cancel, and that is an answer of its own (-32800), not a result.
  call.cancel().throw_if_cancelled();
  route.finish();
  return LogsResult{std::move(route.out), std::move(route.err), route.truncated};
}

}  // namespace

core::WorkspaceStatus status_after(const core::WorkspaceEvent& e) {
  core::WorkspaceStatus s;
  s.workspace = e.workspace;
  s.container_id = e.container_id;
  if (e.action == "destroy") {
    s.state = "none";
    s.container_id.clear();
  } else if (e.action == "start" || e.action == "restart" || e.action == "unpause") {
    s.state = "running";
  } else if (e.action == "pause") {
    s.state = "paused";
  } else if (e.action == "create") {
    s.state = "created";
  } else {
    s.state = "exited";
  }
  return s;
}

void add_workspace_methods(MethodTable& table) {
  table.add("workspace/up", &up);
  table.add("workspace/down", &down);
  table.add("workspace/status", &status);
  table.add("workspace/list", &list);
  table.answer_at_once("workspace/list", &list_at_once);
  table.answer_at_once("workspace/status", &status_at_once);
  table.add("workspace/exec", &exec);
  table.add("workspace/logs", &logs);
  table.emits(kOutput);
  table.emits(kDidChangeStatus);
}

}  // namespace dlc::rpc
