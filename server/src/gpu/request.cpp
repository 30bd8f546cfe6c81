// What a workspace asks for: the GPU selection (docker's --gpus forms, customizations.dlcontainer.gpus),
// the attach method, and the request merged from devcontainer.json and the command line.
#include <algorithm>

#include "gpu/attach.h"
#include "gpu/strings.h"
#include "support/error.h"

namespace dlc::gpu {

using json = nlohmann::json;
using Need = config::GpuRequirement::Need;

namespace {

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::string unquote(std::string s) {
  s = trim(std::move(s));
  // Only a pair that encloses everything: '"a=1","b=2"' loses its single quotes, not its double ones.
  while (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front() &&
         s.find(s.front(), 1) == s.size() - 1) {
    s = trim(s.substr(1, s.size() - 2));
  }
  return s;
}

// Splits on commas outside double quotes, as docker reads --gpus ('"device=0,1",capabilities=utility').
std::vector<std::string> split_csv(const std::string& s) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

Error bad_selection(const std::string& text, const std::string& why) {
  return Error(ErrorCode::InvalidArgument, "cannot read the GPU selection \"" + text + "\": " + why,
               "write all, a count (2), or the GPUs' indices or UUIDs (device=0,1 or GPU-...); none for no GPU");
}

void check_device_id(const std::string& id, const std::string& text) {
  if (all_digits(id) || id.starts_with("GPU-") || id.starts_with("MIG-")) return;
  throw bad_selection(text, "\"" + id + "\" is neither a GPU index nor a UUID");
}

int parse_count(const std::string& value, const std::string& text) {
  if (!all_digits(value)) throw bad_selection(text, "\"" + value + "\" is not a count");
  int n = 0;
  try {
    n = std::stoi(value);
  } catch (const std::exception&) {
    throw bad_selection(text, "\"" + value + "\" is too large");
  }
  if (n <= 0) throw bad_selection(text, "a count must be at least 1 (use none for no GPU)");
  return n;
}

}  // namespace

std::string to_string(Method m) {
  switch (m) {
    case Method::Toolkit: return "toolkit";
    case Method::Cdi: return "cdi";
    case Method::Direct: return "direct";
    case Method::None: break;
  }
  return "none";
}

std::optional<Method> parse_method(const std::string& text) {
  std::string t = trim(text);
  if (t.empty() || t == "auto") return std::nullopt;
  if (t == "toolkit" || t == "nvidia") return Method::Toolkit;
  if (t == "cdi") return Method::Cdi;
  if (t == "direct") return Method::Direct;
  if (t == "none") return Method::None;
  throw Error(ErrorCode::InvalidArgument, "unknown GPU attach method \"" + text + "\"",
              "use auto, toolkit, cdi, direct or none");
}

std::string Selection::text() const {
  switch (kind) {
    case Kind::All: return "all";
    case Kind::Count: return std::to_string(count);
    case Kind::Devices: return "device=" + join(devices, ",");
  }
  return "all";
}

Selection parse_selection(const std::string& original) {
  std::string text = unquote(original);
  if (text.empty()) throw bad_selection(original, "it is empty");
  if (text == "all") return Selection{};
  if (all_digits(text)) return Selection{.kind = Selection::Kind::Count, .count = parse_count(text, original)};
  Selection sel;
  bool in_devices = false;
  bool any_key = false;
  for (auto token : split_csv(text)) {
    token = unquote(token);
    if (token.empty()) continue;
    auto eq = token.find('=');
    if (eq == std::string::npos) {
      // A bare word continues device=..., or the whole text is a list of GPUs ("0,1", "GPU-...").
      if (any_key && !in_devices) throw bad_selection(original, "\"" + token + "\" is not key=value");
      check_device_id(token, original);
      sel.kind = Selection::Kind::Devices;
      sel.devices.push_back(token);
      continue;
    }
    any_key = true;
    std::string key = trim(token.substr(0, eq));
    std::string value = unquote(token.substr(eq + 1));
    in_devices = false;
    if (key == "device") {
      in_devices = true;
      if (sel.kind != Selection::Kind::Devices) sel.devices.clear();
      sel.kind = Selection::Kind::Devices;
      for (auto id : split(value, ',')) {  // a quoted "device=0,1" holds the whole list
        id = trim(id);
        if (id.empty()) continue;
        check_device_id(id, original);
        sel.devices.push_back(id);
      }
    } else if (key == "count") {
      if (value == "all") {
        sel.kind = Selection::Kind::All;
      } else {
        sel.kind = Selection::Kind::Count;
        sel.count = parse_count(value, original);
      }
    } else if (key == "driver") {
      if (value != "nvidia") throw bad_selection(original, "only the nvidia driver is supported");
    } else if (key == "capabilities" || key == "options") {
      // The toolkit's capability and option names; the attach methods give compute and utility.
    } else {
      throw bad_selection(original, "unknown key \"" + key + "\"");
    }
  }
  if (sel.kind == Selection::Kind::Devices && sel.devices.empty()) throw bad_selection(original, "device= names no GPU");
  return sel;
}

Selection selection_from_json(const json& value) {
  if (value.is_boolean() && value.get<bool>()) return Selection{};
  if (value.is_number_integer()) {
    int n = value.get<int>();
    if (n <= 0) throw bad_selection(value.dump(), "a count must be at least 1");
    return Selection{.kind = Selection::Kind::Count, .count = n};
  }
  if (value.is_string()) return parse_selection(value.get<std::string>());
  if (value.is_array() && !value.empty()) {
    Selection sel{.kind = Selection::Kind::Devices};
    for (const auto& v : value) {
      std::string id = v.is_number_integer() ? std::to_string(v.get<int>()) : v.is_string() ? v.get<std::string>() : "";
      check_device_id(id, value.dump());
      sel.devices.push_back(id);
    }
    return sel;
  }
  throw bad_selection(value.dump(), "expected \"all\", a count, or a list of GPU indices or UUIDs");
}

GpuRequest gpu_request(const config::DevcontainerConfig& config, const std::string& cli_gpus, const std::string& cli_method) {
  GpuRequest r;
  r.need = config.gpu.need;
  r.min_memory = config.gpu.memory;
  if (r.need == Need::Required) r.source = "hostRequirements.gpu";
  if (r.need == Need::Optional) r.source = "hostRequirements.gpu: \"optional\"";

  const json& custom = config.dlcontainer;
  std::string method_text = cli_method;
  std::string method_source = "--gpu-attach";
  if (method_text.empty() && custom.is_object()) {
    if (auto m = custom.find("gpuAttach"); m != custom.end()) {
      if (!m->is_string()) {
        throw Error(ErrorCode::ConfigInvalid, config.config_file + ": customizations.dlcontainer.gpuAttach must be a string",
                    "use \"auto\", \"toolkit\", \"cdi\", \"direct\" or \"none\"");
      }
      method_text = m->get<std::string>();
      method_source = "customizations.dlcontainer.gpuAttach";
    }
  }
  r.method = parse_method(method_text);

  std::optional<Selection> selection;
  std::string selection_source;
  bool none = false;
  if (!cli_gpus.empty()) {
    if (trim(cli_gpus) == "none") {
      none = true;
      selection_source = "--gpus none";
    } else {
      selection = parse_selection(cli_gpus);
      selection_source = "--gpus " + cli_gpus;
    }
  } else if (config.run_args.gpus) {
    selection = parse_selection(*config.run_args.gpus);
    selection_source = "runArgs --gpus " + *config.run_args.gpus;
  } else if (custom.is_object() && custom.contains("gpus")) {
    const json& g = custom["gpus"];
    if ((g.is_string() && trim(g.get<std::string>()) == "none") || (g.is_boolean() && !g.get<bool>())) {
      none = true;
      selection_source = "customizations.dlcontainer.gpus";
    } else {
      try {
        selection = selection_from_json(g);
      } catch (const Error& e) {
        throw Error(ErrorCode::ConfigInvalid, config.config_file + ": customizations.dlcontainer.gpus: " + e.what(), e.hint());
      }
      selection_source = "customizations.dlcontainer.gpus";
    }
  }
  if (r.method == Method::None) {
    none = true;
    selection_source = method_source + " none";
  }
  if (none) {
    r.need = Need::None;
    r.source = selection_source;
    return r;
  }
  if (selection) {
    r.selection = *selection;
    if (r.need != Need::Optional) r.need = Need::Required;
    r.source = r.need == Need::Optional ? selection_source + ", " + r.source : selection_source;
  }
  return r;
}

}  // namespace dlc::gpu
