#include "core/compose.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "core/container_settings.h"
#include "core/gpu.h"
#include "core/image.h"
#include "support/error.h"
#include "support/files.h"
#include "support/process.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kProjectLabel = "com.docker.compose.project";
constexpr const char* kServiceLabel = "com.docker.compose.service";
constexpr std::size_t kMaxNodes = 200000;

// Compose's YAML as JSON, scalars as strings. An explicit stack, bounded in depth and size: the
// text comes from the project's files.
json yaml_to_json(const YAML::Node& root) {
  json out;
  struct Item {
    YAML::Node node;
    json* into;
    int depth;
  };
  std::vector<Item> todo{{root, &out, 0}};
  std::size_t seen = 0;
  while (!todo.empty()) {
    Item it = todo.back();
    todo.pop_back();
    if (++seen > kMaxNodes || it.depth > 64)
      throw Error(ErrorCode::ConfigInvalid, "the Compose configuration is too large or too deep to read");
    if (it.node.IsMap()) {
      *it.into = json::object();
      for (const auto& kv : it.node) todo.push_back({kv.second, &(*it.into)[kv.first.as<std::string>()], it.depth + 1});
    } else if (it.node.IsSequence()) {
      *it.into = json::array();
      for (std::size_t i = 0; i < it.node.size(); ++i) it.into->push_back(nullptr);
      for (std::size_t i = 0; i < it.node.size(); ++i) todo.push_back({it.node[i], &(*it.into)[i], it.depth + 1});
    } else if (it.node.IsScalar()) {
      *it.into = it.node.as<std::string>();
    }
  }
  return out;
}

std::optional<std::pair<int, int>> version_of(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"((\d+)\.(\d+))"))) return std::nullopt;
  return std::make_pair(std::stoi(m[1]), std::stoi(m[2]));
}

fs::path override_path(const std::string& project) {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = xdg && *xdg ? fs::path(xdg) : fs::path(home && *home ? home : "/tmp") / ".cache";
  return base / "dlcontainer" / "compose" / project / "docker-compose.dlcontainer.yml";
}

struct Project {
  ComposeTool tool;
  std::string name;
  std::vector<std::string> files;  // the config's, then (once written) dlcontainer's override
  json config;                     // `compose config`
  std::string folder;              // where the tool runs: the workspace, as for the reference
};

ProcessResult compose(const Project& p, const std::vector<std::string>& args, ProgressSink& progress,
                      const CancelToken& cancel, const std::string& doing, bool show_stdout = true) {
  ProcessSpec spec;
  spec.argv = p.tool.command;
  if (!p.name.empty()) spec.argv.insert(spec.argv.end(), {"--project-name", p.name});
  for (const auto& f : p.files) spec.argv.insert(spec.argv.end(), {"-f", f});
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.cwd = p.folder;
  std::string last_lines;
  auto r = run_process(
      spec,
      [&](bool is_err, std::string_view line) {
        if (is_err || show_stdout) progress.output(line);
        last_lines = (last_lines.size() > 2000 ? last_lines.substr(last_lines.size() - 1000) : last_lines) + std::string(line) + "\n";
      },
      cancel);
  if (r.status != 0)
    throw Error(ErrorCode::EngineError, doing + " failed (" + p.tool.command.back() + " exited " + std::to_string(r.status) + "): " + last_lines,
                "the compose tool's output is above; check the Compose files named in devcontainer.json");
  return r;
}

Project load_project(const WorkspaceContext& ws, ProgressSink& progress, const CancelToken& cancel) {
  Project p;
  p.tool = find_compose_tool();
  p.files = ws.config.compose->files;
  p.folder = ws.folder.string();
  std::vector<std::string> args;
  if (p.tool.major >= 2) args = {"--profile", "*"};
  args.push_back("config");
  auto r = compose(p, args, progress, cancel, "reading the Compose configuration", false);
  try {
    p.config = yaml_to_json(YAML::Load(r.out));
  } catch (const YAML::Exception& e) {
    throw Error(ErrorCode::ConfigInvalid, std::string("the Compose configuration cannot be read: ") + e.what());
  }
  if (!p.config.contains("services") || !p.config["services"].contains(ws.config.compose->service))
    throw Error(ErrorCode::ConfigInvalid,
                "service '" + ws.config.compose->service + "' of devcontainer.json is not in the Compose configuration",
                "name one of the services of " + ws.config.compose->files.front() + " in \"service\"");
  p.name = compose_project_name(ws, p.tool, p.config);
  return p;
}

std::vector<std::string> services_to_start(const config::ComposeConfig& c) {
  std::vector<std::string> out = c.run_services;
  if (!out.empty() && std::find(out.begin(), out.end(), c.service) == out.end()) out.push_back(c.service);
  return out;  // empty: all of them
}

std::optional<std::string> find_service_container(const engine::Engine& engine, const std::string& project, const std::string& service) {
  auto found = engine.list_containers({{kProjectLabel, project}, {kServiceLabel, service}});
  if (found.empty()) return std::nullopt;
  return found.front().id;
}

std::string string_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<std::vector<std::string>> words_at(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  std::vector<std::string> out;
  if (it->is_string()) {  // compose's string form, split as a shell would on blanks
    std::string w;
    for (char c : it->get<std::string>()) {
      if (c == ' ' && !w.empty()) out.push_back(std::exchange(w, {}));
      else if (c != ' ') w += c;
    }
    if (!w.empty()) out.push_back(w);
  } else if (it->is_array()) {
    for (const auto& x : *it)
      if (x.is_string()) out.push_back(x.get<std::string>());
  }
  return out;
}

// The service's image, built or pulled: what its metadata and the uid layer start from.
std::string service_image(const engine::Engine& engine, const Project& p, const std::string& service, bool no_cache,
                          ProgressSink& progress, const CancelToken& cancel) {
  const json& svc = p.config["services"][service];
  std::string image = string_at(svc, "image");
  if (svc.contains("build")) {
    progress.begin("Building the Compose services");
    std::vector<std::string> args = {"build"};
    if (no_cache) args.push_back("--no-cache");
    compose(p, args, progress, cancel, "building the Compose services");
    progress.end();
    if (image.empty()) {
      bool old_names = p.tool.major < 2 || (p.tool.major == 2 && p.tool.minor < 8);
      image = p.name + (old_names ? "_" : "-") + service;
    }
  } else if (!engine.inspect_image(image)) {
    progress.begin("Pulling " + image);
    engine.pull_image(image, progress, cancel);
    progress.end();
  }
  return image;
}

}  // namespace

ComposeTool find_compose_tool() {
  std::vector<std::vector<std::string>> candidates;
  if (on_path("docker")) candidates.push_back({"docker", "compose"});
  if (on_path("docker-compose")) candidates.push_back({"docker-compose"});
  for (const auto& command : candidates) {
    ProcessSpec spec{.argv = command};
    spec.argv.insert(spec.argv.end(), {"version", "--short"});
    try {
      auto r = run_process(spec);
      auto v = version_of(r.out);
      if (r.status != 0 || !v) continue;
      ComposeTool tool{command, r.out.substr(0, r.out.find('\n')), v->first, v->second};
      if (!tool.version.empty() && tool.version.front() == 'v') tool.version.erase(0, 1);
      return tool;
    } catch (const Error&) {
    }
  }
  throw Error(ErrorCode::PathNotFound, "no compose tool: neither `docker compose` nor `docker-compose` is installed",
              "install Docker's compose plugin (docker-compose-plugin) or docker-compose (apt install docker-compose)");
}

std::string compose_project_name(const WorkspaceContext& ws, const ComposeTool& tool, const json& compose_config) {
  bool new_names = tool.major > 1 || (tool.major == 1 && tool.minor >= 21);  // 1.21 allowed '-' and '_'
  auto clean = [&](const std::string& name) {
    std::string out;
    for (char c : name) {
      char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (std::isalnum(static_cast<unsigned char>(l)) || (new_names && (l == '-' || l == '_'))) out += l;
    }
    return out;
  };
  if (const char* env = std::getenv("COMPOSE_PROJECT_NAME"); env && !clean(env).empty()) return clean(env);
  if (auto dotenv = read_file((ws.folder / ".env").string(), 1 << 20)) {
    std::smatch m;
    if (std::regex_search(*dotenv, m, std::regex(R"((^|\n)COMPOSE_PROJECT_NAME=([^\r\n]+))")) && !clean(m[2]).empty())
      return clean(m[2]);
  }
  // A `name:` of the files' own (compose v2 says "devcontainer" when there is none: not the files').
  std::string named = string_at(compose_config, "name");
  if (!named.empty() && named != "devcontainer") return clean(named);
  fs::path working = fs::path(ws.config.compose->files.front()).parent_path();
  if (working == ws.folder / ".devcontainer") return clean(ws.folder.filename().string() + "_devcontainer");
  return clean(working.filename().string());
}

std::string up_compose(const engine::Engine& engine, const WorkspaceContext& ws, const UpParams& params,
                       std::optional<engine::ContainerSummary> existing, const std::vector<engine::Mount>& extra_mounts,
                       UpResult& result, ProgressSink& progress, const CancelToken& cancel) {
  const auto& cc = *ws.config.compose;
  auto gpus = plan_gpus(engine, ws, params);  // before anything is built: a GPU the host lacks stops here
  Project p = load_project(ws, progress, cancel);
  result.compose_project = p.name;
  if (!existing) {
    if (auto id = find_service_container(engine, p.name, cc.service)) existing = engine::ContainerSummary{.id = *id, .state = "exited"};
  }
  if (existing && params.rebuild) {
    progress.begin("Removing the old container");
    engine.remove_container(existing->id, /*force=*/true, /*anonymous_volumes=*/true);
    progress.end();
    existing.reset();
  }
  auto start = services_to_start(cc);
  if (existing) {
    if (auto info = engine.inspect_container(existing->id); info && info->state.running) {
      result.action = "running";
      return existing->id;
    }
    // Started as it was made: its override (when dlcontainer made it) and no recreation.
    if (fs::exists(override_path(p.name))) p.files.push_back(override_path(p.name).string());
    std::vector<std::string> args = {"up", "-d", "--no-recreate"};
    args.insert(args.end(), start.begin(), start.end());
    progress.begin("Starting the Compose services");
    compose(p, args, progress, cancel, "starting the Compose services");
    progress.end();
    result.action = "started";
    return existing->id;
  }

  auto features = workspace_features(ws, progress, cancel);  // before the build: a Feature that cannot be had stops here
  std::string base = service_image(engine, p, cc.service, params.no_cache || params.rebuild, progress, cancel);
  WorkspaceContext service_ws = ws;
  const json& svc = p.config["services"][cc.service];
  // The service's own user is the container's user unless containerUser says otherwise.
  if (service_ws.config.container_user.empty()) service_ws.config.run_args.user = string_at(svc, "user");
  auto image = finish_image(engine, service_ws, HostUser::current(), base, std::move(features),
                            params.no_cache || params.rebuild, progress, cancel);
  result.warnings.insert(result.warnings.end(), image.warnings.begin(), image.warnings.end());
  result.features = image.features;
  WorkspaceContext made = with_image(service_ws, image);
  for (const auto& m : extra_mounts) made.config.mounts.push_back(m);
  if (made.config.gpu.need != ws.config.gpu.need) gpus = plan_gpus(engine, made, params);
  // With overrideCommand false, the service's own entrypoint and command run after Features' ones.
  engine::ImageInfo run_as = image.base;
  if (auto e = words_at(svc, "entrypoint")) run_as.entrypoint = e, run_as.cmd = words_at(svc, "command");
  else if (auto c = words_at(svc, "command")) run_as.cmd = c;
  auto spec = container_spec(made, image.ref == base ? "" : image.ref, run_as);
  attach_gpus(gpus, spec, image.info);

  std::string first = read_file(cc.files.front(), 1 << 20).value_or("");
  std::smatch version;
  std::regex_search(first, version, std::regex(R"((^|\n)\s*(version:[^\r\n]*))"));
  auto path = override_path(p.name);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (!write_file_atomically(path.string(), compose_override(spec, cc.service, made.config.forward_ports, p.config,
                                                             version.size() > 2 ? version[2].str() : "")))
    throw Error(ErrorCode::Internal, "cannot write the Compose override " + path.string(), "check the cache folder's permissions");
  p.files.push_back(path.string());
  std::vector<std::string> args = {"up", "-d"};
  args.insert(args.end(), start.begin(), start.end());
  cancel.throw_if_cancelled();
  progress.begin("Starting the Compose services");
  compose(p, args, progress, cancel, "starting the Compose services");
  progress.end();
  auto id = find_service_container(engine, p.name, cc.service);
  if (!id) throw Error(ErrorCode::ContainerNotFound, "the compose tool made no container for service " + cc.service);
  result.action = "created";
  return *id;
}

std::string down_compose(const engine::Engine& engine, const engine::ContainerSummary& container, bool remove) {
  auto label = [&](const char* key) {
    auto it = container.labels.find(key);
    return it == container.labels.end() ? std::string() : it->second;
  };
  const std::string project = label(kProjectLabel);
  auto settings = summary_settings(container.labels);
  bool whole_project = settings.merged.shutdown_action.empty() || settings.merged.shutdown_action == "stopCompose";
  std::vector<engine::ContainerSummary> targets{container};
  if (whole_project) targets = engine.list_containers({{kProjectLabel, project}});
  if (remove && whole_project) {
    // `compose down` also removes the project's network; its files are named on the container.
    try {
      Project p{.tool = find_compose_tool(), .name = project, .folder = label("com.docker.compose.project.working_dir")};
      std::string files = label("com.docker.compose.project.config_files");
      for (std::size_t start = 0; start < files.size();) {
        auto comma = files.find(',', start);
        p.files.push_back(files.substr(start, comma - start));
        start = comma == std::string::npos ? files.size() : comma + 1;
      }
      if (std::all_of(p.files.begin(), p.files.end(), [](const std::string& f) { return fs::exists(f); })) {
        compose(p, {"down"}, no_progress(), {}, "removing the Compose project " + project);
        return "removed";
      }
    } catch (const Error&) {
      // No tool, or files gone: the engine removes the containers (the network stays).
    }
  }
  for (const auto& c : targets) {
    if (remove) engine.remove_container(c.id, /*force=*/true, /*anonymous_volumes=*/true);
    else if (c.state == "running") engine.stop_container(c.id);
  }
  return remove ? "removed" : "stopped";
}

}  // namespace dlc::core
