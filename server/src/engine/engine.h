// The Docker Engine API, typed for what dlcontainer needs. Knows containers and images; nothing of
// devcontainers, workspaces or what a GPU means. Every call opens its own connection, so one Engine
// may be used from several threads at once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/http.h"
#include "engine/types.h"
#include "support/cancel.h"
#include "support/error.h"
#include "support/progress.h"

namespace dlc::engine {

// Label filters: key -> value ("" matches any value of the key).
using LabelFilter = std::map<std::string, std::string>;

struct BuildRequest {
  std::vector<std::string> tags;
  std::string dockerfile = "Dockerfile";  // path inside the context
  std::map<std::string, std::string> build_args;
  std::string target;
  std::map<std::string, std::string> labels;
  bool no_cache = false;
  bool pull = false;
  std::string platform;                  // "linux/arm64"; "" : the engine's own
  std::string network_mode;              // the RUN steps' network
  std::vector<std::string> extra_hosts;  // "host:ip", for the RUN steps
  std::vector<std::string> cache_from;   // images whose layers may be reused
};

struct LogOptions {
  bool follow = false;
  bool timestamps = false;
  int tail = -1;  // -1: all
};

using OutputSink = std::function<void(std::string_view)>;

// The plumbing of an exec's streams. Output arrives demultiplexed (a TTY has only stdout).
struct ExecIO {
  int stdin_fd = -1;             // forwarded until EOF, then the stream's write half is closed
  std::optional<std::string> stdin_data;  // used instead when stdin_fd < 0: written, then closed
  OutputSink on_stdout;
  OutputSink on_stderr;
  // Optional: a descriptor that becomes readable when the caller wants attention (a SIGWINCH
  // self-pipe), and what to do then. The callback drains it.
  int wake_fd = -1;
  std::function<void(const std::string& exec_id)> on_wake;
  // Called once the exec is created, with its id (for resize).
  std::function<void(const std::string& exec_id)> on_created;
  std::optional<std::pair<int, int>> initial_size;  // rows, cols, for a TTY
  // Set by run_exec before the exec is made: the NAME=VALUE in its environment that finds its processes
  // (for signal_exec). Empty when the engine has no ExecControl.
  std::string marker;
};

struct ExecState {
  std::string container_id;
  bool running = false;
  std::optional<int> exit_code;
  int pid = 0;
};

class Engine;

// What reaches an exec's processes, which the Engine API cannot (it has no call to signal or stop an
// exec): given by a layer that can run a program of its own in the container, whatever the image holds
// (core gives services/' one, through dlcontainer's agent). Each finds the processes by the marker that
// run_exec puts in every exec's environment, and throws Error when it cannot do what it is asked.
struct ExecControl {
  std::function<void(const Engine&, const std::string& container, const std::string& marker, const std::string& signal)> signal;
  // Ends them all; an error when any is left (a failure to stop is said, never swallowed).
  std::function<void(const Engine&, const std::string& container, const std::string& marker)> stop;
};

class Engine {
 public:
  // Checks that the daemon answers and agrees on an API version. Throws Error{EngineUnavailable,
  // EnginePermission} with a hint when it cannot be used.
  static Engine connect(Endpoint endpoint = choose_endpoint());

  const std::string& api_version() const { return api_version_; }
  const Endpoint& endpoint() const { return endpoint_; }

  SystemInfo info(const CancelToken& cancel = {}) const;

  // Images.
  std::optional<ImageInfo> inspect_image(const std::string& ref) const;
  std::vector<ImageInfo> list_images(const LabelFilter& labels = {}) const;
  void pull_image(const std::string& ref, ProgressSink& progress, const CancelToken& cancel = {},
                  const std::string& platform = {}) const;
  // Builds from a tar context that `context` writes; returns the image id.
  std::string build_image(const BuildRequest& request, const BodyProducer& context, ProgressSink& progress,
                          const CancelToken& cancel = {}) const;
  void remove_image(const std::string& ref, bool force = false) const;

  // Containers.
  std::string create_container(const ContainerSpec& spec) const;
  void start_container(const std::string& id) const;
  void stop_container(const std::string& id, int timeout_seconds = 10) const;
  // anonymous_volumes: its anonymous volumes too (the engine never removes named ones with a container).
  void remove_container(const std::string& id, bool force = false, bool anonymous_volumes = false) const;
  std::optional<ContainerInfo> inspect_container(const std::string& id) const;
  std::vector<ContainerSummary> list_containers(const LabelFilter& labels, bool all = true) const;
  // Streams the container's output; returns when it ends (at once unless following) or on cancel.
  void logs(const std::string& id, const LogOptions& options, const OutputSink& on_stdout,
            const OutputSink& on_stderr, const CancelToken& cancel = {}) const;
  // Waits until the container stops; returns its exit code.
  int wait_container(const std::string& id, const CancelToken& cancel = {}) const;
  // Unpacks a tar archive into the container at path (a created container's volumes included).
  void put_archive(const std::string& id, const std::string& path, std::string_view tar) const;
  // The same with the archive streamed as `tar` writes it (a workspace copied into a volume).
  void put_archive(const std::string& id, const std::string& path, const BodyProducer& tar, const CancelToken& cancel = {}) const;
  // A tar archive of path in the container, streamed to sink.
  void get_archive(const std::string& id, const std::string& path, const DataSink& sink, const CancelToken& cancel = {}) const;
  // Whether a path exists in the container's filesystem (running or not).
  bool path_exists(const std::string& id, const std::string& path) const;
  // Its name, size, mode and mtime; nullopt when it does not exist.
  std::optional<PathStat> stat_path(const std::string& id, const std::string& path) const;

  // Volumes. create_volume is idempotent (the engine returns the existing one of that name).
  std::optional<VolumeInfo> inspect_volume(const std::string& name) const;
  void create_volume(const std::string& name, const std::map<std::string, std::string>& labels) const;
  void remove_volume(const std::string& name) const;  // gone already: nothing to do

  // An image made of the files in a tar archive (docker import), tagged ref ("repo:tag").
  void import_image(const std::string& ref, std::string_view tar) const;

  // Exec: runs a command in a running container with its streams wired to io; returns the exit code.
  // When cancel fires, the stream closes and the command's processes are stopped through the
  // ExecControl; then Error{Cancelled}, or the ExecControl's error when they could not be stopped.
  int run_exec(const std::string& container, const ExecSpec& spec, ExecIO& io, const CancelToken& cancel = {}) const;
  std::string create_exec(const std::string& container, const ExecSpec& spec) const;
  ExecState inspect_exec(const std::string& exec_id) const;
  void resize_exec(const std::string& exec_id, int rows, int cols) const;
  // Sends a signal ("TERM", "INT", ...) to a running exec's processes (io.marker of its run_exec),
  // through the ExecControl.
  void signal_exec(const std::string& exec_id, const std::string& marker, const std::string& signal) const;
  void set_exec_control(ExecControl control) { exec_control_ = std::make_shared<const ExecControl>(std::move(control)); }

  // Engine events, filtered, delivered until the token is cancelled or the daemon goes away.
  // `since` (unix seconds, "1700000000.123456789") replays what happened from then on first, so a
  // subscriber that took the time before it looked at the engine misses nothing in between.
  void events(const std::map<std::string, std::vector<std::string>>& filters,
              const std::function<void(const Event&)>& on_event, const CancelToken& cancel,
              const std::string& since = {}) const;

 private:
  Engine(Endpoint endpoint, std::string api_version)
      : endpoint_(std::move(endpoint)), api_version_(std::move(api_version)) {}
  std::string path(std::string_view p) const;  // prefixes the API version
  Response call(std::string_view method, std::string_view target, std::string_view body = {}) const;

  Endpoint endpoint_;
  std::string api_version_;
  std::shared_ptr<const ExecControl> exec_control_;
};

// The daemon's error message from an error response body (`{"message": ...}`), or the body itself.
std::string error_message(const Response& r);

// An answer's JSON, checked before it is walked: Error{EngineError} saying what was asked when it is
// not JSON or nests deeper than any answer of the Engine API (kMaxConfigDepth). A JSON-lines answer
// (events, progress) is read a line at a time with support/nesting.h's parse_json_within.
nlohmann::json parse_reply(std::string_view body, std::string_view doing);
// f applied to the parsed answer; an answer of another shape than the API's (a string where an object
// belongs) is Error{EngineError}, not a crash or "a bug in dlcontainer".
template <class F>
auto read_reply(std::string_view body, std::string_view doing, F&& f) {
  auto j = parse_reply(body, doing);
  try {
    return f(j);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::EngineError, "the engine's answer to " + std::string(doing) + " is not what the Engine API describes: " + e.what(),
                "check that the engine is Docker (or compatible) and well");
  }
}
// Throws Error{EngineError} for a non-2xx response, saying what was being done.
void check(const Response& r, std::string_view doing);

// One line of the event stream as an Event; nullopt for a line that is not one.
std::optional<Event> event_of_line(std::string_view line);

// Splits a byte stream into lines ('\n'; a trailing '\r' is dropped), for JSON-lines responses. A
// line longer than kMaxLine is Error{EngineError}: an endless line is not buffered.
class LineSplitter {
 public:
  static constexpr std::size_t kMaxLine = std::size_t{8} << 20;
  explicit LineSplitter(std::function<void(std::string_view)> on_line) : on_line_(std::move(on_line)) {}
  void feed(std::string_view data);
  void finish();

 private:
  std::function<void(std::string_view)> on_line_;
  std::string pending_;
};

// Splits the engine's multiplexed stdout/stderr stream (8-byte frame headers) into its two streams. A
// frame announcing more than kMaxFrame, or a header that is not one, is Error{EngineError}.
class Demuxer {
 public:
  static constexpr std::size_t kMaxFrame = std::size_t{16} << 20;
  Demuxer(OutputSink on_stdout, OutputSink on_stderr) : out_(std::move(on_stdout)), err_(std::move(on_stderr)) {}
  void feed(std::string_view data);

 private:
  OutputSink out_, err_;
  std::string pending_;
};

}  // namespace dlc::engine
