#include "core/start_patch.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/container_plan.h"
#include "core/container_setup.h"
#include "support/cancel_after.h"
#include "support/error.h"

namespace dlc::core {

namespace {

// What the keep-alive entrypoint prints once its setup is done (a TTY ends it with "\r\n").
constexpr std::string_view kStartedLine = "dlcontainer: container started";
constexpr auto kStartWait = std::chrono::seconds(10);

// Variables a POSIX shell (dash, busybox ash, bash as sh) sets or computes itself whatever its
// environment says: its copy of them is not the engine's.
constexpr std::array<std::string_view, 24> kShellOwned{
    "IFS",    "OPTIND",   "OPTARG",    "PPID",         "PWD",           "OLDPWD",  "SHLVL",   "UID",
    "EUID",   "PS4",      "LINENO",    "RANDOM",       "SRANDOM",       "SECONDS", "EPOCHSECONDS", "EPOCHREALTIME",
    "HISTCMD", "BASHPID", "GROUPS",    "FUNCNAME",     "DIRSTACK",      "SHELLOPTS", "BASHOPTS", "_"};

bool shell_passes_on(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  if (!std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
    return false;
  return !name.starts_with("BASH") && std::find(kShellOwned.begin(), kShellOwned.end(), name) == kShellOwned.end();
}

std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

// The variables' names in Docker's Config.Env order (the spec's, then the image's that the spec does not
// set); nullopt for an entry without a value or a name given twice (Docker would keep both lines).
std::optional<std::vector<std::string>> docker_env_names(const std::vector<std::string>& spec_env,
                                                         const std::vector<std::string>& image_env) {
  std::vector<std::string> names;
  auto has = [&](std::string_view n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  for (const auto& e : spec_env) {
    if (e.find('=') == std::string::npos || has(name_of(e))) return std::nullopt;
    names.emplace_back(name_of(e));
  }
  const std::size_t from_spec = names.size();
  for (const auto& e : image_env) {
    if (e.find('=') == std::string::npos) return std::nullopt;
    auto n = name_of(e);
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(from_spec), n) != names.begin() + static_cast<std::ptrdiff_t>(from_spec))
      continue;  // the spec sets it
    if (has(n)) return std::nullopt;
    names.emplace_back(n);
  }
  return names;
}

bool runs_as_root(const engine::ContainerSpec& spec, const engine::ImageInfo& image) {
  const std::string& user = !spec.user.empty() ? spec.user : image.user;
  std::string_view name = std::string_view(user).substr(0, user.find(':'));
  return name.empty() || name == "root" || name == "0";
}

}  // namespace

bool patch_at_start(engine::ContainerSpec& spec, const engine::ImageInfo& image, bool podman) {
  if (podman || !runs_as_root(spec, image)) return false;
  auto names = docker_env_names(spec.env, image.env);
  if (!names || !std::all_of(names->begin(), names->end(), [](const std::string& n) { return shell_passes_on(n); })) return false;
  // The bytes the exec feeds the patch (a "\nNAME=\"value\"" per variable, then a newline), the values
  // from the shell's own environment: printf repeats its format for each pair.
  std::string lines = "echo";
  if (!names->empty()) {
    lines = "printf '\\n%s=\"%s\"'";
    for (const auto& n : *names) lines += " " + n + " \"${" + n + "}\"";
    lines += "; echo";
  }
  // Quiet, as the exec's is: the log's first line stays the one that says the container started.
  return run_before_started(spec, "{ " + lines + "; } 2>/dev/null | (" + system_patch_script() + ") >/dev/null 2>&1");
}

bool wait_until_started(const engine::Engine& engine, const std::string& id, const CancelToken& cancel) {
  auto stop = CancelToken::make();
  auto forward = cancel.on_cancel([stop] { stop.cancel(); });
  std::string tail;  // the last bytes read, enough to find the line across pieces
  bool seen = false;
  try {
    CancelAfter deadline(stop, kStartWait);
    engine.logs(id, engine::LogOptions{.follow = true}, [&](std::string_view d) {
      if (seen) return;
      tail.append(d);
      if (tail.find(kStartedLine) != std::string::npos) {
        seen = true;
        stop.cancel();
      } else if (tail.size() > kStartedLine.size()) {
        tail.erase(0, tail.size() - kStartedLine.size());
      }
    }, [](std::string_view) {}, stop);
  } catch (const Error& e) {
    spdlog::debug("reading the start of {}: {}", id, e.what());
  }
  cancel.throw_if_cancelled();
  if (!seen) spdlog::debug("{} did not say it started within {} s: its patch is done with an exec", id, kStartWait.count());
  return seen;
}

}  // namespace dlc::core
