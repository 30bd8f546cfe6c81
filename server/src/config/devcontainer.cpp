#include "config/devcontainer.h"

#include <cstdlib>

#include "config/jsonc.h"
#include "support/files.h"
#include "support/error.h"

namespace dlc::config {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Reads one property with a clear error when its type is wrong; the path names it as the user wrote it.
class Reader {
 public:
  Reader(const json& document, std::string file) : doc_(document), file_(std::move(file)) {}

  [[noreturn]] void wrong(const std::string& property, const std::string& expected) const {
    throw Error(ErrorCode::ConfigInvalid, file_ + ": \"" + property + "\" must be " + expected,
                "see https://containers.dev/implementors/json_reference/ for the property's forms");
  }

  const json* find(const std::string& key) const {
    auto it = doc_.find(key);
    return it == doc_.end() || it->is_null() ? nullptr : &*it;
  }

  std::string string(const std::string& key, const std::string& fallback = "") const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_string()) wrong(key, "a string");
    return v->get<std::string>();
  }

  bool boolean(const std::string& key, bool fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean()) wrong(key, "true or false");
    return v->get<bool>();
  }

  std::vector<std::string> strings(const std::string& key) const {
    const json* v = find(key);
    if (!v) return {};
    if (!v->is_array()) wrong(key, "an array of strings");
    std::vector<std::string> out;
    for (const auto& item : *v) {
      if (!item.is_string()) wrong(key, "an array of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  std::map<std::string, std::string> string_map(const std::string& key) const {
    const json* v = find(key);
    if (!v) return {};
    if (!v->is_object()) wrong(key, "an object of strings");
    std::map<std::string, std::string> out;
    for (const auto& [k, item] : v->items()) {
      if (item.is_null()) continue;  // remoteEnv: null unsets a variable; nothing to set
      if (!item.is_string()) wrong(key + "." + k, "a string");
      out[k] = item.get<std::string>();
    }
    return out;
  }

  LifecycleCommand command(const std::string& key) const {
    const json* v = find(key);
    return v ? parse_lifecycle_command(*v, key, file_) : LifecycleCommand{};
  }

 private:
  const json& doc_;
  std::string file_;
};

// Applies substitute() to every string of a JSON value in place, keys left alone. A work list rather
// than recursion, and no copies of subtrees on the way down: linear in the document's size.
void substitute_all(json& root, const Substitution& vars) {
  std::vector<json*> pending{&root};
  while (!pending.empty()) {
    json* value = pending.back();
    pending.pop_back();
    if (value->is_string()) {
      *value = substitute(value->get_ref<const std::string&>(), vars);
    } else if (value->is_structured()) {
      for (auto& item : *value) pending.push_back(&item);
    }
  }
}

std::vector<int> parse_app_port(const json* value, const std::string& file) {
  std::vector<int> ports;
  if (!value) return ports;
  auto one = [&](const json& item) {
    if (item.is_number_integer() && item.get<int>() > 0 && item.get<int>() < 65536) {
      ports.push_back(item.get<int>());
    } else if (item.is_string()) {
      // "8000:8000" publishes host:container as docker's -p does; we take the container side.
      auto text = item.get<std::string>();
      auto colon = text.rfind(':');
      try {
        ports.push_back(std::stoi(colon == std::string::npos ? text : text.substr(colon + 1)));
      } catch (const std::logic_error&) {
        throw Error(ErrorCode::ConfigInvalid, file + ": \"appPort\" holds '" + text + "', which is not a port");
      }
    } else {
      throw Error(ErrorCode::ConfigInvalid, file + ": \"appPort\" must be a port, a string, or an array of those");
    }
  };
  if (value->is_array())
    for (const auto& item : *value) one(item);
  else
    one(*value);
  return ports;
}


std::optional<BuildConfig> read_build(const Reader& r, const std::string& file) {
  const json* build = r.find("build");
  if (!build && !r.find("dockerFile")) return std::nullopt;
  if (build && !build->is_object()) r.wrong("build", "an object");
  json b = build ? *build : json::object();
  Reader br(b, file);
  fs::path folder = fs::path(file).parent_path();
  BuildConfig bc;
  std::string dockerfile = br.string("dockerfile", r.string("dockerFile"));
  if (dockerfile.empty()) r.wrong("build.dockerfile", "the path of a Dockerfile");
  bc.dockerfile = (folder / dockerfile).lexically_normal().string();
  fs::path context = (folder / br.string("context", r.string("context", "."))).lexically_normal();
  bc.context = context.has_filename() ? context.string() : context.parent_path().string();  // "a/.." is "a/"
  bc.args = br.string_map("args");
  bc.target = br.string("target");
  if (const json* cf = br.find("cacheFrom"); cf && cf->is_string())
    bc.cache_from = {cf->get<std::string>()};
  else
    bc.cache_from = br.strings("cacheFrom");
  try {
    bc.options = parse_build_options(br.strings("options"));
  } catch (const Error& e) {
    throw Error(ErrorCode::ConfigInvalid, file + ": " + e.what(), e.hint());
  }
  std::error_code ec;
  if (!fs::is_regular_file(bc.dockerfile, ec))
    throw Error(ErrorCode::PathNotFound, file + ": build.dockerfile " + bc.dockerfile + " does not exist",
                "the path is relative to the folder that holds devcontainer.json");
  if (!fs::is_directory(bc.context, ec))
    throw Error(ErrorCode::PathNotFound, file + ": build.context " + bc.context + " is not a folder",
                "the path is relative to the folder that holds devcontainer.json");
  return bc;
}

std::optional<ComposeConfig> read_compose(const Reader& r, const std::string& file) {
  const json* files = r.find("dockerComposeFile");
  if (!files) return std::nullopt;
  ComposeConfig cc;
  std::vector<std::string> names;
  if (files->is_string()) names = {files->get<std::string>()};
  else names = r.strings("dockerComposeFile");
  if (names.empty()) r.wrong("dockerComposeFile", "a Compose file's path, or an array of them");
  fs::path folder = fs::path(file).parent_path();
  for (const auto& n : names) {
    auto path = (folder / n).lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
      throw Error(ErrorCode::PathNotFound, file + ": dockerComposeFile " + path.string() + " does not exist",
                  "the path is relative to the folder that holds devcontainer.json");
    cc.files.push_back(path.string());
  }
  cc.service = r.string("service");
  if (cc.service.empty())
    throw Error(ErrorCode::ConfigInvalid, file + ": \"service\" is missing",
                "name the Compose service that is the dev container: \"service\": \"app\"");
  cc.run_services = r.strings("runServices");
  return cc;
}

}  // namespace

std::string default_workspace_folder(const fs::path& workspace) {
  auto clean = workspace.lexically_normal();
  if (clean.has_filename() == false) clean = clean.parent_path();
  return "/workspaces/" + clean.filename().string();
}

namespace {

// Whether a devcontainer.json is at `path`. Something there that is not a file (a folder, a FIFO) is
// an error, not "none": a plan inferred in its place would build something the user did not ask for.
bool config_at(const fs::path& path) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return false;
  if (!fs::is_regular_file(status)) {
    throw Error(ErrorCode::ConfigInvalid, path.string() + " is not a file (" + (fs::is_directory(status) ? "a folder" : "a FIFO, socket or device") + ")",
                "make it the JSON file, or remove it to let dlcontainer infer the container");
  }
  return true;
}

}  // namespace

std::optional<fs::path> find_config(const fs::path& workspace) {
  std::error_code ec;
  if (config_at(workspace / ".devcontainer" / "devcontainer.json"))
    return fs::absolute(workspace / ".devcontainer" / "devcontainer.json");
  if (config_at(workspace / ".devcontainer.json")) return fs::absolute(workspace / ".devcontainer.json");
  std::vector<fs::path> nested;
  if (fs::is_directory(workspace / ".devcontainer", ec)) {
    for (const auto& entry : fs::directory_iterator(workspace / ".devcontainer", ec))
      if (entry.is_directory() && config_at(entry.path() / "devcontainer.json"))
        nested.push_back(fs::absolute(entry.path() / "devcontainer.json"));
  }
  if (nested.empty()) return std::nullopt;
  if (nested.size() > 1) {
    std::string names;
    for (const auto& p : nested) names += (names.empty() ? "" : ", ") + p.parent_path().filename().string();
    throw Error(ErrorCode::ConfigInvalid, "several devcontainer.json files in " + workspace.string() + "/.devcontainer (" + names + ")",
                "choose one with --config .devcontainer/NAME/devcontainer.json");
  }
  return nested.front();
}

std::string substitute(const std::string& text, const Substitution& vars) {
  auto env = [&](const std::string& name) -> std::optional<std::string> {
    if (vars.local_env) return vars.local_env(name);
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  auto basename = [](const std::string& path) { return fs::path(path).lexically_normal().filename().string(); };
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    auto open = text.find("${", i);
    if (open == std::string::npos) break;
    auto close = text.find('}', open + 2);
    if (close == std::string::npos) break;
    out.append(text, i, open - i);
    std::string expr = text.substr(open + 2, close - open - 2);
    std::optional<std::string> value;
    if (expr == "localWorkspaceFolder") {
      value = vars.local_workspace_folder;
    } else if (expr == "localWorkspaceFolderBasename") {
      value = basename(vars.local_workspace_folder);
    } else if (expr == "containerWorkspaceFolder") {
      value = vars.container_workspace_folder;
    } else if (expr == "containerWorkspaceFolderBasename") {
      value = basename(vars.container_workspace_folder);
    } else if (expr == "devcontainerId") {
      value = vars.devcontainer_id;
    } else if (expr.rfind("localEnv:", 0) == 0 || expr.rfind("env:", 0) == 0) {
      std::string rest = expr.substr(expr.find(':') + 1);
      auto colon = rest.find(':');
      std::string name = rest.substr(0, colon);
      value = env(name);
      if (!value) value = colon == std::string::npos ? "" : rest.substr(colon + 1);
    }
    // ${containerEnv:...} and anything unknown stay as written, for a later stage or for the user to see.
    out += value ? *value : text.substr(open, close - open + 1);
    i = close + 1;
  }
  out.append(text, std::min(i, text.size()), std::string::npos);
  return out;
}

engine::Mount parse_mount(const json& value, const Substitution* vars) {
  engine::Mount mount;
  auto wrong = [&](const std::string& why) {
    throw Error(ErrorCode::ConfigInvalid, "mount " + value.dump() + ": " + why,
                "write \"type=bind,source=/host/path,target=/container/path\" or {\"type\": \"volume\", "
                "\"source\": \"name\", \"target\": \"/path\"}");
  };
  auto set = [&](const std::string& key, const std::string& raw) {
    std::string v = vars ? substitute(raw, *vars) : raw;
    if (key == "type") mount.type = v;
    else if (key == "source" || key == "src") mount.source = v;
    else if (key == "target" || key == "destination" || key == "dst") mount.target = v;
    else if (key == "readonly" || key == "ro") mount.read_only = v.empty() || v == "true" || v == "1";
    else if (key == "consistency" || key == "bind-propagation") return;  // ignored by Linux engines
    else wrong("unknown key '" + key + "'");
  };
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    std::size_t start = 0;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      std::string part = text.substr(start, comma - start);
      if (!part.empty()) {
        auto eq = part.find('=');
        set(part.substr(0, eq), eq == std::string::npos ? "" : part.substr(eq + 1));
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else if (value.is_object()) {
    for (const auto& [key, v] : value.items()) {
      if (v.is_boolean()) set(key, v.get<bool>() ? "true" : "false");
      else if (v.is_string()) set(key, v.get<std::string>());
      else wrong("'" + key + "' must be a string");
    }
  } else {
    wrong("must be a string or an object");
  }
  if (mount.type != "bind" && mount.type != "volume" && mount.type != "tmpfs") wrong("type must be bind, volume or tmpfs");
  if (mount.target.empty() || mount.target.front() != '/') wrong("target must be an absolute path");
  // A volume without a source is an anonymous one (the engine names it); a bind needs its folder.
  if (mount.type == "bind" && mount.source.empty()) wrong("source is missing");
  return mount;
}

DevcontainerConfig load_config(const fs::path& config_file, Substitution vars) {
  return parse_config(read_config_text(config_file.string()), config_file, std::move(vars));
}

DevcontainerConfig parse_config(std::string_view text, const fs::path& config_file, Substitution vars) {
  DevcontainerConfig c;
  c.config_file = fs::absolute(config_file).lexically_normal().string();
  const std::string& file = c.config_file;
  c.document = parse_jsonc(text, file);
  if (!c.document.is_object())
    throw Error(ErrorCode::ConfigInvalid, file + ": the file must hold one JSON object", "start it with { and end it with }");

  // workspaceFolder decides ${containerWorkspaceFolder}, so it expands first, with that variable empty.
  {
    Reader raw(c.document, file);
    std::string folder = substitute(raw.string("workspaceFolder"), vars);
    if (!folder.empty() && folder.front() != '/')
      throw Error(ErrorCode::ConfigInvalid, file + ": \"workspaceFolder\" must be an absolute path in the container",
                  "write for example \"/workspaces/" + fs::path(vars.local_workspace_folder).filename().string() + "\"");
    c.workspace_folder = folder;
    vars.container_workspace_folder =
        folder.empty() ? default_workspace_folder(vars.local_workspace_folder) : folder;
  }
  json doc = c.document;
  substitute_all(doc, vars);
  Reader r(doc, file);

  c.name = r.string("name");
  c.image = r.string("image");
  c.build = read_build(r, file);
  c.compose = read_compose(r, file);
  int sources = !c.image.empty() + c.build.has_value() + c.compose.has_value();
  if (sources == 0)
    throw Error(ErrorCode::ConfigInvalid, file + ": neither \"image\" nor \"build\" nor \"dockerComposeFile\" is set",
                "add \"image\": \"IMAGE\" or \"build\": {\"dockerfile\": \"Dockerfile\"}");
  if (sources > 1)
    throw Error(ErrorCode::ConfigInvalid, file + ": more than one of \"image\", \"build\" and \"dockerComposeFile\" is set",
                "keep one: an image to run as is, a Dockerfile to build, or a Compose service");

  // Mounts are split into fields as written, and only then expanded (parse_mount): a variable's value
  // is one field's value, never more fields.
  Reader written(c.document, file);
  if (const json* wm = written.find("workspaceMount")) {
    c.workspace_mount = parse_mount(*wm, &vars);
    if (c.workspace_folder.empty())
      throw Error(ErrorCode::ConfigInvalid, file + ": \"workspaceMount\" is set without \"workspaceFolder\"",
                  "the spec needs both: add \"workspaceFolder\" with the mount's target");
  }
  if (const json* mounts = written.find("mounts")) {
    if (!mounts->is_array()) r.wrong("mounts", "an array");
    for (const auto& m : *mounts) c.mounts.push_back(parse_mount(m, &vars));
  }
  c.run_args_raw = r.strings("runArgs");
  c.run_args = parse_run_args(c.run_args_raw);
  if (const json* fp = r.find("forwardPorts")) c.forward_ports = parse_forward_ports(*fp, file);
  c.app_port = parse_app_port(r.find("appPort"), file);
  c.container_env = r.string_map("containerEnv");
  c.remote_env = r.string_map("remoteEnv");
  c.container_user = r.string("containerUser");
  c.remote_user = r.string("remoteUser");
  c.update_remote_user_uid = r.boolean("updateRemoteUserUID", true);
  // A Compose service keeps its own command unless asked (the spec's default differs by kind).
  c.override_command = r.boolean("overrideCommand", !c.compose);
  c.init = r.boolean("init", false);
  c.privileged = r.boolean("privileged", false);
  c.cap_add = r.strings("capAdd");
  c.security_opt = r.strings("securityOpt");
  if (const json* hr = r.find("hostRequirements")) {
    c.host_requirements = parse_host_requirements(*hr, file);
    c.gpu = c.host_requirements.gpu;
  }
  if (const json* pa = r.find("portsAttributes")) c.ports_attributes = parse_ports_attributes(*pa, file);
  if (const json* opa = r.find("otherPortsAttributes"))
    c.other_ports_attributes = parse_port_attributes(*opa, "otherPortsAttributes", file);
  if (const json* probe = r.find("userEnvProbe")) c.user_env_probe = parse_user_env_probe(*probe, file);
  if (const json* wait = r.find("waitFor")) c.wait_for = parse_wait_for(*wait, file);
  c.initialize_command = r.command("initializeCommand");
  c.on_create_command = r.command("onCreateCommand");
  c.update_content_command = r.command("updateContentCommand");
  c.post_create_command = r.command("postCreateCommand");
  c.post_start_command = r.command("postStartCommand");
  c.post_attach_command = r.command("postAttachCommand");
  c.shutdown_action = r.string("shutdownAction", c.compose ? "stopCompose" : "stopContainer");
  if (c.shutdown_action != "none" && c.shutdown_action != (c.compose ? "stopCompose" : "stopContainer"))
    r.wrong("shutdownAction", c.compose ? "\"none\" or \"stopCompose\"" : "\"none\" or \"stopContainer\"");
  if (const json* custom = r.find("customizations")) {
    if (!custom->is_object()) r.wrong("customizations", "an object");
    if (auto ours = custom->find("dlcontainer"); ours != custom->end()) {
      if (!ours->is_object()) r.wrong("customizations.dlcontainer", "an object");
      c.dlcontainer = *ours;
    }
  }
  return c;
}

}  // namespace dlc::config
