// libFuzzer target: devcontainer.json on any bytes, through everything `up` reads of it: JSONC
// (comments, trailing commas, the depth limit), variable substitution with environment values that hold
// the separators of mount specs, mounts, runArgs, ports, lifecycle commands and hostRequirements.
// A dlc::Error is the answer to bad input; anything else (another exception, a crash, a sanitizer
// report, a run past -timeout) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/devcontainer.h"
#include "support/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  dlc::config::Substitution vars;
  vars.local_workspace_folder = "/home/fuzz/paper";
  vars.devcontainer_id = "0123456789abcdef";
  vars.local_env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "COMMA") return "/data,source=/,readonly=false";
    if (name == "COLON") return "/a:/b:ro";
    if (name == "BRACE") return "${localEnv:COMMA}}";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
  try {
    dlc::config::parse_config(text, "/home/fuzz/paper/.devcontainer/devcontainer.json", vars);
  } catch (const dlc::Error&) {
  }
  return 0;
}
