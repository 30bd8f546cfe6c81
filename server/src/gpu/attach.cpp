#include "gpu/attach.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "support/error.h"
#include "support/json.h"

namespace dlc::gpu {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Need = config::GpuRequirement::Need;

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;

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

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
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

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
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

std::optional<std::string> env_lookup(const std::vector<std::string>& env, const std::string& key) {
  for (auto it = env.rbegin(); it != env.rend(); ++it) {
    if (it->size() > key.size() && it->compare(0, key.size(), key) == 0 && (*it)[key.size()] == '=') {
      return it->substr(key.size() + 1);
    }
  }
  return std::nullopt;
}

void env_set(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  std::erase_if(env, [&](const std::string& kv) { return kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '='; });
  env.push_back(key + "=" + value);
}

// A folder list with `first` ahead of what was there, each once.
std::string prepend_dirs(const std::vector<std::string>& first, const std::string& existing) {
  std::vector<std::string> out;
  for (const auto& d : first) {
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  for (const auto& d : split(existing, ':')) {
    if (!d.empty() && std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  return join(out, ":");
}

bool has_library(const DriverFiles& f, const std::string& name) {
  return std::any_of(f.libraries.begin(), f.libraries.end(), [&](const std::string& p) { return fs::path(p).filename() == name; });
}

bool has_node(const DriverFiles& f, const std::string& path) {
  return std::find(f.control_nodes.begin(), f.control_nodes.end(), path) != f.control_nodes.end();
}

// What the direct method lacks on this host, each with the way to get it.
std::vector<std::string> direct_missing(const AttachEnvironment& env) {
  std::vector<std::string> missing;
  const auto& f = env.driver;
  if (f.gpu_nodes.empty()) missing.push_back("no /dev/nvidiaN device node");
  if (!has_node(f, "/dev/nvidiactl")) missing.push_back("no /dev/nvidiactl");
  if (!has_node(f, "/dev/nvidia-uvm")) missing.push_back("no /dev/nvidia-uvm (create it with `sudo nvidia-modprobe -u -c=0`)");
  if (!has_library(f, "libcuda.so.1")) missing.push_back("libcuda.so.1 not found in the loader's cache or LD_LIBRARY_PATH");
  if (!has_library(f, "libnvidia-ml.so.1")) missing.push_back("libnvidia-ml.so.1 not found in the loader's cache or LD_LIBRARY_PATH");
  return missing;
}

bool toolkit_present(const AttachEnvironment& env) { return env.engine_nvidia_runtime || !env.toolkit_hook.empty(); }

bool cdi_usable(const AttachEnvironment& env) {
  return env.engine_cdi && std::any_of(env.cdi_devices.begin(), env.cdi_devices.end(),
                                       [](const std::string& d) { return d.starts_with("nvidia.com/gpu="); });
}

std::string toolkit_reason(const AttachEnvironment& env) {
  if (env.engine_nvidia_runtime) return "the engine has the nvidia runtime (NVIDIA container toolkit)";
  return "the NVIDIA container toolkit is installed (" + env.toolkit_hook + "), which Docker's GPU support runs";
}

std::string ldconfig_problem(const AttachEnvironment& env) {
  return env.toolkit_config + " sets ldconfig = \"" + env.toolkit_ldconfig + "\", which this host lacks, so the toolkit fails "
         "with `ldcache error: open failed: " + env.toolkit_ldconfig.substr(1) + "`";
}

std::string no_gpu_hint(const std::string& source) {
  std::string how_optional = source.find("runArgs") != std::string::npos
                                 ? "remove --gpus from runArgs and set \"hostRequirements\": {\"gpu\": \"optional\"}"
                                 : "set \"hostRequirements\": {\"gpu\": \"optional\"} in devcontainer.json";
  return "run `dlcontainer doctor` to see what is missing and how to fix it; to start without a GPU, " + how_optional +
         ", or run `dlcontainer up --gpus none`";
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

MethodChoice choose_method(const HostFacts& facts, const AttachEnvironment& env) {
  if (facts.gpus.empty()) {
    return {Method::None, facts.why_none.empty() ? "no NVIDIA GPU found" : facts.why_none};
  }
  if (toolkit_present(env) && !env.toolkit_ldconfig_missing) return {Method::Toolkit, toolkit_reason(env)};
  if (cdi_usable(env)) {
    return {Method::Cdi, "the engine resolves CDI devices and " + join(env.cdi_spec_files, ", ") + " describes the GPUs"};
  }
  auto missing = direct_missing(env);
  std::string before = toolkit_present(env) ? ldconfig_problem(env) + "; so instead: "
                                            : "no NVIDIA container toolkit and no CDI spec the engine uses, so: ";
  if (missing.empty()) {
    return {Method::Direct, before + "the driver's " + std::to_string(env.driver.libraries.size()) + " libraries, " +
                                std::to_string(env.driver.binaries.size()) + " programs and its device nodes, mounted directly"};
  }
  return {Method::None, "no way to attach the GPUs: " + before + "the direct method lacks " + join(missing, "; ")};
}

Attachment plan_attachment(const GpuRequest& request, const HostFacts& facts, const AttachEnvironment& env) {
  Attachment a;
  a.selection = request.selection.text();
  if (request.need == Need::None) {
    a.selection.clear();
    a.reason = request.source.empty() ? "the workspace does not ask for a GPU" : "no GPU asked for (" + request.source + ")";
    return a;
  }
  const bool required = request.need == Need::Required;
  // An optional request that cannot be met starts without GPUs; a required one stops here.
  auto give_up = [&](const std::string& why, const std::string& hint) {
    if (required) throw Error(ErrorCode::GpuUnavailable, "this workspace needs a GPU (" + request.source + ") but " + why, hint);
    Attachment none;
    none.selection = a.selection;
    none.reason = "starting without a GPU (" + request.source + "): " + why;
    return none;
  };

  MethodChoice choice;
  if (request.method && facts.gpus.empty()) {
    choice = {Method::None, facts.why_none.empty() ? "no NVIDIA GPU found" : facts.why_none};
  } else if (request.method) {
    std::string forced = to_string(*request.method);
    choice = {*request.method, "asked for (" + forced + ")"};
    if (*request.method == Method::Toolkit && !toolkit_present(env)) {
      return give_up("the toolkit method was asked for and the NVIDIA container toolkit is not installed",
                     "install nvidia-container-toolkit, or use gpuAttach \"auto\" to let dlcontainer choose");
    }
    if (*request.method == Method::Cdi && !cdi_usable(env)) {
      return give_up(env.engine_cdi ? "the cdi method was asked for and no CDI spec describes nvidia.com/gpu devices"
                                    : "the cdi method was asked for and the engine does not support CDI",
                     "generate a spec with `sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml` and enable CDI in "
                     "Docker (25+: \"features\": {\"cdi\": true} in /etc/docker/daemon.json), or use gpuAttach \"auto\"");
    }
    if (*request.method == Method::Direct) {
      auto missing = direct_missing(env);
      if (!missing.empty()) {
        return give_up("the direct method lacks " + join(missing, "; "), "run `dlcontainer doctor` for the fix");
      }
    }
  } else {
    choice = choose_method(facts, env);
  }
  if (choice.method == Method::None) return give_up(choice.reason, no_gpu_hint(request.source));

  // Which GPUs.
  const int available = static_cast<int>(facts.gpus.size());
  std::vector<int> indices;
  const auto& sel = request.selection;
  if (sel.kind == Selection::Kind::All) {
    for (int i = 0; i < available; ++i) indices.push_back(i);
  } else if (sel.kind == Selection::Kind::Count) {
    if (sel.count > available) {
      return give_up("it asks for " + std::to_string(sel.count) + " GPUs and this host has " + std::to_string(available),
                     "ask for fewer (--gpus " + std::to_string(available) + ") or for all");
    }
    for (int i = 0; i < sel.count; ++i) indices.push_back(i);
  } else {
    for (const auto& id : sel.devices) {
      int found = -1;
      if (all_digits(id)) {
        int i = std::stoi(id);
        if (i < available) found = i;
      } else {
        for (const auto& g : facts.gpus) {
          if (g.uuid == id) found = g.index;
        }
      }
      if (found < 0) {
        std::string have;
        for (const auto& g : facts.gpus) have += (have.empty() ? "" : ", ") + std::to_string(g.index) + " (" + g.uuid + ")";
        return give_up("it asks for GPU " + id + ", which this host does not have", "this host's GPUs: " + have);
      }
      if (std::find(indices.begin(), indices.end(), found) == indices.end()) indices.push_back(found);
    }
  }
  for (int i : indices) {
    const auto& g = facts.gpus[i];
    if (request.min_memory > 0 && g.memory_total < request.min_memory) {
      return give_up("GPU " + std::to_string(i) + " (" + g.name + ") has " + std::to_string(g.memory_total / (1024 * 1024)) +
                         " MiB and hostRequirements.gpu.memory asks for " + std::to_string(request.min_memory / (1024 * 1024)) + " MiB",
                     "choose a GPU with more memory (--gpus device=N), or lower hostRequirements.gpu.memory");
    }
  }

  // What the engine is told.
  std::vector<std::string> ids;
  if (choice.method == Method::Toolkit) {
    if (sel.kind != Selection::Kind::All) {
      for (int i : indices) ids.push_back(facts.gpus[i].uuid.empty() ? std::to_string(i) : facts.gpus[i].uuid);
    }
  } else if (choice.method == Method::Cdi) {
    auto has = [&](const std::string& name) { return std::find(env.cdi_devices.begin(), env.cdi_devices.end(), name) != env.cdi_devices.end(); };
    if (sel.kind == Selection::Kind::All && has("nvidia.com/gpu=all")) {
      ids.push_back("nvidia.com/gpu=all");
    } else {
      for (int i : indices) {
        std::string by_uuid = "nvidia.com/gpu=" + facts.gpus[i].uuid;
        std::string by_index = "nvidia.com/gpu=" + std::to_string(i);
        if (!facts.gpus[i].uuid.empty() && has(by_uuid)) ids.push_back(by_uuid);
        else if (has(by_index)) ids.push_back(by_index);
        else {
          return give_up("no CDI spec names GPU " + std::to_string(i) + " (" + join(env.cdi_spec_files, ", ") + ")",
                         "regenerate the spec: sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml");
        }
      }
    }
  } else {
    for (int i : indices) {
      int minor = facts.gpus[i].minor >= 0 ? facts.gpus[i].minor : i;
      auto node = env.driver.gpu_nodes.find(minor);
      if (node == env.driver.gpu_nodes.end()) {
        return give_up("/dev/nvidia" + std::to_string(minor) + " (GPU " + std::to_string(i) + ") does not exist",
                       "load the driver's device nodes: sudo nvidia-modprobe -c=" + std::to_string(minor));
      }
      ids.push_back(node->second);
    }
  }

  a.method = choice.method;
  a.reason = choice.reason;
  a.engine_ids = ids;
  for (int i : indices) {
    a.indices.push_back(i);
    a.uuids.push_back(facts.gpus[i].uuid);
    a.names.push_back(facts.gpus[i].name);
  }
  return a;
}

std::int64_t default_shm_size(std::int64_t host_memory) {
  return std::max<std::int64_t>(kGiB, host_memory / 2);
}

void apply_attachment(const Attachment& a, const AttachEnvironment& env, engine::ContainerSpec& spec,
                      const std::vector<std::string>& image_env, std::int64_t host_memory) {
  if (!a.attached()) return;
  switch (a.method) {
    case Method::Toolkit: {
      engine::DeviceRequest r;
      r.driver = "nvidia";
      r.count = a.engine_ids.empty() ? -1 : 0;
      r.device_ids = a.engine_ids;
      r.capabilities = {"gpu"};
      spec.device_requests.push_back(std::move(r));
      break;
    }
    case Method::Cdi: {
      engine::DeviceRequest r;
      r.driver = "cdi";  // the engine ignores capabilities for CDI; it reads the names
      r.count = 0;
      r.device_ids = a.engine_ids;
      r.capabilities = {};
      spec.device_requests.push_back(std::move(r));
      break;
    }
    case Method::Direct: {
      auto add_device = [&](const std::string& path) {
        for (const auto& d : spec.devices) {
          if (d.path_in_container == path) return;
        }
        spec.devices.push_back(engine::DeviceMapping{.path_on_host = path, .path_in_container = path, .permissions = "rwm"});
      };
      for (const auto& n : env.driver.control_nodes) add_device(n);
      for (const auto& n : a.engine_ids) add_device(n);
      std::vector<std::string> lib_dirs, bin_dirs;
      auto mount = [&](const std::string& path) {
        for (const auto& m : spec.mounts) {
          if (m.target == path) return;
        }
        spec.mounts.push_back(engine::Mount{.type = "bind", .source = path, .target = path, .read_only = true});
      };
      for (const auto& lib : env.driver.libraries) {
        mount(lib);
        std::string dir = fs::path(lib).parent_path().string();
        if (std::find(lib_dirs.begin(), lib_dirs.end(), dir) == lib_dirs.end()) lib_dirs.push_back(dir);
      }
      for (const auto& bin : env.driver.binaries) {
        mount(bin);
        std::string dir = fs::path(bin).parent_path().string();
        if (std::find(bin_dirs.begin(), bin_dirs.end(), dir) == bin_dirs.end()) bin_dirs.push_back(dir);
      }
      // The image's loader cache does not know these files: tell the loader where they are, ahead
      // of whatever the workspace or the image already sets.
      auto ld = env_lookup(spec.env, "LD_LIBRARY_PATH");
      if (!ld) ld = env_lookup(image_env, "LD_LIBRARY_PATH");
      env_set(spec.env, "LD_LIBRARY_PATH", prepend_dirs(lib_dirs, ld.value_or("")));
      // Triton (torch.compile) looks for libcuda through `ldconfig -p` unless told.
      for (const auto& lib : env.driver.libraries) {
        if (fs::path(lib).filename() == "libcuda.so.1") env_set(spec.env, "TRITON_LIBCUDA_PATH", fs::path(lib).parent_path().string());
      }
      auto path = env_lookup(spec.env, "PATH");
      if (!path) path = env_lookup(image_env, "PATH");
      std::string current = path.value_or(kDefaultPath);
      auto dirs = split(current, ':');
      bool changed = false;
      for (const auto& d : bin_dirs) {
        if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d), changed = true;
      }
      if (changed) env_set(spec.env, "PATH", join(dirs, ":"));
      break;
    }
    case Method::None: break;
  }
  // DataLoader workers share batches through /dev/shm; runArgs --ipc or --shm-size override this.
  if (spec.ipc_mode.empty() && spec.shm_size == 0) spec.shm_size = default_shm_size(host_memory);
}

void to_json(json& j, const Attachment& a) {
  j = {{"method", to_string(a.method)}, {"selection", a.selection}, {"indices", a.indices}, {"uuids", a.uuids},
       {"names", a.names},              {"engineIds", a.engine_ids}, {"reason", a.reason}};
}

void from_json(const json& j, Attachment& a) {
  a.method = Method::None;
  if (auto m = j.find("method"); m != j.end() && m->is_string()) {
    try {
      a.method = parse_method(m->get<std::string>()).value_or(Method::None);
    } catch (const Error&) {
    }
  }
  get_if(j, "selection", a.selection);
  get_if(j, "indices", a.indices);
  get_if(j, "uuids", a.uuids);
  get_if(j, "names", a.names);
  get_if(j, "engineIds", a.engine_ids);
  get_if(j, "reason", a.reason);
}

}  // namespace dlc::gpu
