#include "core/container_setup.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <utility>

#include <spdlog/spdlog.h>

#include "support/cancel_after.h"
#include "support/error.h"
#include "support/files.h"
#include "support/hash.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The reference's patches, behind the reference's markers: whichever tool comes first patches, once.
constexpr const char* kPatchScript = R"SH(d=/var/devcontainer; mkdir -p "$d" || exit 0
if [ ! -f "$d/.patchEtcEnvironmentMarker" ] && (set -o noclobber; : > "$d/.patchEtcEnvironmentMarker") 2>/dev/null; then
  cat >> /etc/environment
fi
if [ ! -f "$d/.patchEtcProfileMarker" ] && (set -o noclobber; : > "$d/.patchEtcProfileMarker") 2>/dev/null; then
  sed -i -E 's/((^|\s)PATH=)([^\$]*)$/\1${PATH:-\3}/g' /etc/profile 2>/dev/null || true
fi
)SH";

// Runs the user's shell ($SHELL, else their passwd entry's, else /bin/sh) with the probe's flags.
constexpr const char* kProbeWrapper = R"SH(u=$(id -un 2>/dev/null); s="${SHELL:-}"
[ -n "$s" ] || s=$(getent passwd "$u" 2>/dev/null | cut -d: -f7)
[ -n "$s" ] || s=$(awk -F: -v u="$u" '$1 == u { print $7 }' /etc/passwd 2>/dev/null)
[ -x "$s" ] || s=/bin/sh
exec "$s" "$1" "$2")SH";

constexpr std::size_t kMaxProbeOutput = 1u << 20;

fs::path env_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = xdg && *xdg ? fs::path(xdg) : fs::path(home && *home ? home : "/tmp") / ".cache";
  return base / "dlcontainer" / "env";
}

const char* probe_flags(const std::string& probe) {
  if (probe == "loginInteractiveShell") return "-lic";
  if (probe == "loginShell") return "-lc";
  if (probe == "interactiveShell") return "-ic";
  return nullptr;
}

std::map<std::string, std::string> parse_environ(const std::string& out, const std::string& mark) {
  std::map<std::string, std::string> env;
  auto open = out.find(mark);
  if (open == std::string::npos) return env;
  auto close = out.find(mark, open + mark.size());
  if (close == std::string::npos) return env;
  std::string_view body(out.data() + open + mark.size(), close - open - mark.size());
  while (!body.empty()) {
    auto end = body.find('\0');
    std::string_view kv = body.substr(0, end);
    if (auto eq = kv.find('='); eq != std::string_view::npos && eq > 0) env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    if (end == std::string_view::npos) break;
    body.remove_prefix(end + 1);
  }
  env.erase("PWD");  // the probe's folder, not the command's
  return env;
}

}  // namespace

namespace {

// The patch's input: the container's environment as /etc/environment lines.
std::string environment_lines(const engine::ContainerInfo& info) {
  std::string lines;
  for (const auto& kv : info.env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    lines += "\n" + kv.substr(0, eq) + "=\"" + kv.substr(eq + 1) + "\"";
  }
  return lines + "\n";
}

// Runs a root script fed the patch's input; its exit status, or -1 when the exec failed.
int run_patch(const engine::Engine& engine, const engine::ContainerInfo& info, std::vector<std::string> cmd) {
  engine::ExecSpec spec{.cmd = std::move(cmd), .user = "root", .attach_stdin = true};
  engine::ExecIO io;
  io.stdin_data = environment_lines(info);
  io.on_stdout = [](std::string_view) {};
  io.on_stderr = io.on_stdout;
  try {
    return engine.run_exec(info.id, spec, io);
  } catch (const Error& e) {
    spdlog::debug("patching /etc/profile failed: {}", e.what());
    return -1;
  }
}

// The patch, then the markers (as write_markers writes them): one exec where the remote user is root,
// two otherwise (the markers belong to the user). False when the markers were not written.
bool patch_and_mark(const engine::Engine& engine, const engine::ContainerInfo& info, const CommandContext& ctx,
                    const std::vector<std::pair<std::string, std::string>>& stamps) {
  if (stamps.empty() || ctx.user != "root") {
    patch_system_files(engine, info);
    return write_markers(engine, ctx, stamps);
  }
  // The patch in a subshell: its `exit 0` (no /var/devcontainer) must not skip the markers.
  std::vector<std::string> cmd{"/bin/sh", "-c", "(" + std::string(kPatchScript) + ")\n" + write_markers_script(), "sh"};
  for (const auto& [hook, stamp] : stamps) cmd.insert(cmd.end(), {hook, stamp});
  return run_patch(engine, info, std::move(cmd)) == 0;
}

// Whether no hook has a command to run at this `up`.
bool nothing_to_run(const config::MergedConfiguration& m, const HookOptions& options) {
  for (const char* hook : {"onCreateCommand", "updateContentCommand", "postCreateCommand", "postStartCommand"})
    if (!m.hook(hook).empty()) return false;
  return options.skip_post_attach || m.hook("postAttachCommand").empty();
}

}  // namespace

std::string system_patch_script() { return kPatchScript; }

void patch_system_files(const engine::Engine& engine, const engine::ContainerInfo& info) {
  if (int status = run_patch(engine, info, {"/bin/sh", "-c", kPatchScript}); status > 0) spdlog::debug("patching /etc/profile exited {}", status);
}

std::map<std::string, std::string> probe_user_env(const engine::Engine& engine, const engine::ContainerInfo& info,
                                                  const std::string& user, const std::string& probe,
                                                  std::vector<std::string>* warnings, const CancelToken& cancel) {
  const char* flags = probe_flags(probe);
  if (!flags) return {};
  fs::path cache = env_cache_dir() / (sha256_hex(info.id + "\n" + info.state.started_at + "\n" + user + "\n" + probe).substr(0, 32) + ".json");
  if (auto text = read_file(cache.string(), kMaxProbeOutput)) {
    auto j = json::parse(*text, nullptr, false);
    if (j.is_object()) {
      std::map<std::string, std::string> env;
      for (const auto& [k, v] : j.items())
        if (v.is_string()) env[k] = v.get<std::string>();
      return env;
    }
  }
  std::string mark = "DLC-PROBE-" + std::to_string(std::random_device{}());
  engine::ExecSpec spec{.cmd = {"/bin/sh", "-c", kProbeWrapper, "sh", flags,
                                "echo -n " + mark + "; cat /proc/self/environ; echo -n " + mark},
                        .user = user};
  std::string out;
  engine::ExecIO io;
  io.on_stdout = [&](std::string_view d) {
    if (out.size() < kMaxProbeOutput) out.append(d.substr(0, kMaxProbeOutput - out.size()));
  };
  io.on_stderr = [](std::string_view) {};  // an interactive shell without a terminal says so; nothing to show
  auto inner = CancelToken::make();
  auto forward = cancel.on_cancel([inner] { inner.cancel(); });
  bool timed_out = false;
  try {
    CancelAfter deadline(inner, std::chrono::seconds(10));
    try {
      engine.run_exec(info.id, spec, io, inner);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::Cancelled || !deadline.fired()) throw;
      timed_out = true;
    }
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Cancelled) throw;
    if (warnings) warnings->push_back("userEnvProbe (" + probe + ") failed: " + e.what() + "; commands run without the shell's environment");
    return {};
  }
  if (timed_out) {
    if (warnings)
      warnings->push_back("userEnvProbe: " + user + "'s shell (" + probe +
                          ") took over 10 s; commands run without its environment (avoid waiting for input in the shell's startup files)");
    return {};
  }
  auto env = parse_environ(out, mark);
  if (env.empty()) {
    if (warnings) warnings->push_back("userEnvProbe (" + probe + ") printed no environment; commands run without the shell's environment");
    return env;
  }
  std::error_code ec;
  fs::create_directories(cache.parent_path(), ec);
  if (!write_file_atomically(cache.string(), json(env).dump())) spdlog::debug("cannot remember the probed environment in {}", cache.string());
  return env;
}

std::vector<std::string> command_environment(const std::map<std::string, std::string>& probed,
                                             const std::map<std::string, std::optional<std::string>>& remote_env,
                                             const std::vector<std::string>& container_env) {
  std::map<std::string, std::string> env = probed;
  std::map<std::string, std::string> set;
  for (const auto& [k, v] : remote_env) {
    if (v) set[k] = *v;
    else env.erase(k);
  }
  for (const auto& kv : remote_environment(set, container_env)) {
    auto eq = kv.find('=');
    env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

void run_user_commands(const engine::Engine& engine, const engine::ContainerInfo& info, const ContainerSettings& settings,
                       CommandContext& ctx, const HookOptions& options, bool fresh,
                       const std::function<void(CommandContext&)>& probe, std::vector<std::string>& ran,
                       std::vector<std::string>& warnings, ProgressSink& progress, const CancelToken& cancel) {
  const auto& m = settings.merged;
  const std::string wait_for = m.wait_for.empty() ? "updateContentCommand" : m.wait_for;
  bool patched = options.patched_at_start, probed = false;
  // Before a command runs: the system files patched, the user's environment probed.
  auto before_command = [&] {
    if (!std::exchange(patched, true)) patch_system_files(engine, info);
    if (!std::exchange(probed, true)) probe(ctx);
  };
  if (options.skip_non_blocking && wait_for == "initializeCommand") {
    if (!patched) patch_system_files(engine, info);
    return;
  }
  if (fresh && patched && nothing_to_run(m, options)) return;
  // The stamps are the container's creation and start times: one made by this call holds none of its own.
  auto markers = fresh ? std::map<std::string, std::string>{} : read_markers(engine, ctx);
  // Hooks that are due and have nothing to run are marked too, as the reference marks them; in one
  // exec, at the end (or before stopping early), with the patch when nothing ran before.
  std::vector<std::pair<std::string, std::string>> empty_due;
  auto mark = [&](const std::vector<std::pair<std::string, std::string>>& stamps) {
    bool written = std::exchange(patched, true) ? write_markers(engine, ctx, stamps) : patch_and_mark(engine, info, ctx, stamps);
    if (!written)
      warnings.push_back("cannot record in " + ctx.user + "'s home folder which lifecycle commands ran: they will run again");
  };

  // Runs a hook's commands (every entry's, in order) when due; true when up should stop after it.
  auto run_hook = [&](const std::string& hook, const std::string& stamp) {
    const auto& commands = m.hook(hook);
    bool due = stamp.empty() || markers[hook] != stamp;
    if (due && !commands.empty()) {
      before_command();
      // Create-time hooks run under the container's own once-lock: an `up` killed while one ran leaves
      // no marker, and the next `up` must wait for that run (or see it done), never start a second copy.
      const bool once = hook != "postStartCommand" && hook != "postAttachCommand";
      for (const auto& c : commands) run_lifecycle(engine, hook, c.command, ctx, progress, cancel, c.origin, once);
      ran.push_back(hook);
      if (!stamp.empty()) mark({{hook, stamp}});
    } else if (due && !stamp.empty()) {
      empty_due.emplace_back(hook, stamp);
    }
    return options.skip_non_blocking && wait_for == hook;
  };
  auto finish = [&] { mark(empty_due); };
  for (const char* hook : {"onCreateCommand", "updateContentCommand", "postCreateCommand"})
    if (run_hook(hook, info.created)) return finish();
  if (run_hook("postStartCommand", info.state.started_at)) return finish();
  finish();
  if (!options.skip_post_attach) run_hook("postAttachCommand", "");
}

}  // namespace dlc::core
