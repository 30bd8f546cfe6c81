#include "core/plan.h"

#include <unistd.h>

#include <cstdlib>

#include "config/jsonc.h"
#include "core/engine_facts.h"
#include "config/properties.h"
#include "core/image.h"
#include "core/placement.h"
#include "core/workspace.h"
#include "engine/build_context.h"
#include "inspect/inspect.h"
#include "inspect/parsers.h"
#include "inspect/repo.h"
#include "support/files.h"
#include "support/error.h"
#include "support/hash.h"
#include "support/json.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

fs::path xdg_dir(const char* variable, const char* fallback_under_home) {
  if (const char* v = std::getenv(variable); v && *v) return v;
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / fallback_under_home;
}

namespace {

bool valid_driver(const std::string& v) {
  // 515.48.07, 440.64, 570.26: two or three dot-separated numbers.
  int parts = 1;
  if (v.empty() || !std::isdigit(static_cast<unsigned char>(v.front())) || !std::isdigit(static_cast<unsigned char>(v.back()))) return false;
  for (char c : v) {
    if (c == '.') ++parts;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return parts >= 2 && parts <= 3 && v.find("..") == std::string::npos;
}

std::string read_text(const fs::path& p) { return read_file(p.string()).value_or(""); }

void write_file(const fs::path& p, const std::string& content) {
  if (!write_file_atomically(p.string(), content)) {
    throw Error(ErrorCode::Internal, "cannot write " + p.string(), "check the folder's permissions");
  }
}

// The repository's devcontainer.json, as the resolver needs to see it.
std::optional<resolve::DevcontainerInput> devcontainer_input(const fs::path& folder) {
  auto found = config::find_config(folder);
  if (!found) return std::nullopt;
  config::Substitution vars;
  vars.local_workspace_folder = folder.string();
  auto cfg = config::load_config(*found, vars);
  resolve::DevcontainerInput in;
  in.file = fs::relative(*found, folder).generic_string();
  in.image = cfg.image;
  in.customizations = cfg.dlcontainer;
  if (cfg.build) {
    in.dockerfile = cfg.build->dockerfile;
    inspect::RepoFacts df;
    inspect::parse_dockerfile(read_text(cfg.build->dockerfile), in.dockerfile, df);
    for (const auto& b : df.dockerfiles) {
      if (b.final_stage) in.image = b.image;
    }
  }
  return in;
}

struct Planned {
  fs::path folder;
  inspect::RepoFacts facts;
  resolve::Plan plan;
};

Planned plan_folder(const fs::path& folder, const PlanParams& params, bool use_devcontainer,
                    ProgressSink& progress = no_progress(), const CancelToken& cancel = {}) {
  Planned out;
  out.folder = folder;
  auto catalog = resolve::Catalog::load(params.catalog.empty() ? std::nullopt : std::optional<fs::path>(params.catalog));
  auto prefs = UserPreferences::load();
  inspect::InspectOptions inspect_options;
  inspect_options.cache_dir = xdg_dir("XDG_CACHE_HOME", ".cache") / "dlcontainer" / "inspect";
  inspect_options.cancel = cancel;
  progress.report("reading the repository " + folder.string());
  out.facts = inspect::inspect_repository(folder, inspect_options);
  cancel.throw_if_cancelled();
  progress.report("resolving the image for this host");
  resolve::ResolveOptions options;
  options.framework = params.framework;
  options.cuda = params.cuda;
  options.python = params.python;
  options.devel = params.devel;
  options.apt_mirror = prefs.apt_mirror;
  options.pip_index_url = prefs.pip_index_url;
  if (use_devcontainer) options.devcontainer = devcontainer_input(folder);
  auto host = host_facts_for(params);
  out.plan = resolve::resolve(out.facts, host, catalog, options);
  if (!host.machine.empty()) out.plan.host = "on " + host.machine + ": " + out.plan.host;
  return out;
}

resolve::DockerfileOptions current_user() {
  HostUser host = HostUser::current();
  return resolve::DockerfileOptions{host.uid, host.gid, "dev"};
}

}  // namespace

void from_json(const json& j, PlanParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "driver", p.driver);
  get_if(j, "noGpu", p.no_gpu);
  get_if(j, "gpuArch", p.gpu_arch);
  get_if(j, "catalog", p.catalog);
  get_if(j, "framework", p.framework);
  get_if(j, "cuda", p.cuda);
  get_if(j, "python", p.python);
  get_if(j, "devel", p.devel);
  get_if(j, "host", p.host);
  get_if(j, "strict", p.strict);
}

void to_json(json& j, const PlanParams& p) {
  j = {{"workspace", p.workspace}, {"noGpu", p.no_gpu}, {"devel", p.devel}};
  if (!p.driver.empty()) j["driver"] = p.driver;
  if (!p.gpu_arch.empty()) j["gpuArch"] = p.gpu_arch;
  if (!p.catalog.empty()) j["catalog"] = p.catalog;
  if (!p.framework.empty()) j["framework"] = p.framework;
  if (!p.cuda.empty()) j["cuda"] = p.cuda;
  if (!p.python.empty()) j["python"] = p.python;
}

void to_json(json& j, const PlanResult& r) {
  j = {{"workspace", r.workspace}, {"plan", r.plan}, {"facts", r.facts}};
  if (!r.dockerfile.empty()) j["dockerfile"] = r.dockerfile;
  if (!r.image.empty()) j["image"] = r.image;
}

void to_json(json& j, const InitResult& r) { j = {{"workspace", r.workspace}, {"written", r.written}, {"plan", r.plan}}; }

UserPreferences UserPreferences::load() {
  UserPreferences prefs;
  fs::path file = xdg_dir("XDG_CONFIG_HOME", ".config") / "dlcontainer" / "config.json";
  std::error_code ec;
  if (!fs::exists(file, ec)) return prefs;
  json doc = config::parse_jsonc(config::read_config_text(file.string()), file.string());
  auto text = [&](const char* key, std::string& out, const char* example) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return;
    if (!it->is_string() || it->get<std::string>().empty()) {
      throw Error(ErrorCode::ConfigInvalid, file.string() + ": \"" + key + "\" must be a non-empty string",
                  std::string("write e.g. \"") + key + "\": \"" + example + "\"");
    }
    out = it->get<std::string>();
  };
  text("host", prefs.engine_host, "ssh://user@gpu1");
  text("cloneImage", prefs.clone_image, "alpine/git:latest");
  auto mirrors = doc.find("mirrors");
  if (mirrors == doc.end() || mirrors->is_null()) return prefs;
  if (!mirrors->is_object()) {
    throw Error(ErrorCode::ConfigInvalid, file.string() + ": \"mirrors\" must be an object",
                "write {\"mirrors\": {\"apt\": \"https://mirror.example\", \"pip\": \"https://mirror.example/pypi/simple\"}}");
  }
  auto str = [&](const char* key, std::string& out) {
    auto it = mirrors->find(key);
    if (it == mirrors->end() || it->is_null()) return;
    if (!it->is_string()) throw Error(ErrorCode::ConfigInvalid, file.string() + ": \"mirrors." + key + "\" must be a URL string");
    out = it->get<std::string>();
    if (out.find("://") == std::string::npos || out.find_first_of("'\"\n ") != std::string::npos) {
      throw Error(ErrorCode::ConfigInvalid, file.string() + ": \"mirrors." + key + "\" is not a URL: " + out,
                  "give an http:// or https:// URL");
    }
  };
  str("apt", prefs.apt_mirror);
  str("pip", prefs.pip_index_url);
  if (auto regs = mirrors->find("registries"); regs != mirrors->end() && !regs->is_null()) {
    // {"ghcr.io": "https://mirror.example"}: where OCI artifacts (Features) of a registry are fetched first.
    if (!regs->is_object())
      throw Error(ErrorCode::ConfigInvalid, file.string() + ": \"mirrors.registries\" must map registry hosts to mirror URLs",
                  "write {\"mirrors\": {\"registries\": {\"ghcr.io\": \"https://mirror.example\"}}}");
    for (const auto& [host, url] : regs->items()) {
      bool ok = url.is_string() && (url.get<std::string>().starts_with("https://") || url.get<std::string>().starts_with("http://")) &&
                url.get<std::string>().find_first_of("'\"\n ") == std::string::npos;
      if (!ok)
        throw Error(ErrorCode::ConfigInvalid, file.string() + ": \"mirrors.registries." + host + "\" must be an http:// or https:// URL",
                    "write the mirror's base URL, e.g. \"https://mirror.example\"");
      prefs.registry_mirrors[host] = url.get<std::string>();
    }
  }
  return prefs;
}

// "9.0", "8.6", "sm_90", "90" -> (9, 0); nullopt otherwise.
std::optional<std::pair<int, int>> parse_compute_capability(std::string v) {
  if (v.rfind("sm_", 0) == 0 || v.rfind("compute_", 0) == 0) v = v.substr(v.find('_') + 1);
  if (v.find('.') == std::string::npos && v.size() >= 2 && v.size() <= 3) v = v.substr(0, v.size() - 1) + "." + v.substr(v.size() - 1);
  auto dot = v.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 >= v.size()) return std::nullopt;
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (k != dot && !std::isdigit(static_cast<unsigned char>(v[k]))) return std::nullopt;
  }
  int major = std::stoi(v.substr(0, dot)), minor = std::stoi(v.substr(dot + 1));
  if (major < 1 || major > 20 || minor > 9) return std::nullopt;
  return std::pair{major, minor};
}

namespace {

gpu::HostFacts driver_facts(const PlanParams& params) {
  if (!params.driver.empty() && params.no_gpu) {
    throw Error(ErrorCode::InvalidArgument, "--driver and --no-gpu contradict each other", "give one of them");
  }
  if (!params.driver.empty()) {
    if (!valid_driver(params.driver)) {
      throw Error(ErrorCode::InvalidArgument, "--driver " + params.driver + " is not an NVIDIA driver version",
                  "give it as nvidia-smi prints it, e.g. --driver 515.48.07");
    }
    gpu::HostFacts h;
    h.driver_present = true;
    h.driver_version = params.driver;
    h.source = "given";
    return h;
  }
  if (params.no_gpu) {
    gpu::HostFacts h;
    h.source = "given";
    h.why_none = "--no-gpu was given";
    return h;
  }
  if (params.facts) return *params.facts;
  // A workspace in a Slurm job is planned for its node (its driver, its GPUs), not for this login node.
  auto endpoint = engine_endpoint(engine_for(params.workspace, params.host));
  if (endpoint.local()) return gpu::read_host_facts();
  return engine_host_facts(engine::Engine::connect(endpoint)).facts;
}

}  // namespace

gpu::HostFacts host_facts_for(const PlanParams& params) {
  std::optional<std::pair<int, int>> cc;
  if (!params.gpu_arch.empty()) {
    cc = parse_compute_capability(params.gpu_arch);
    if (!cc) {
      throw Error(ErrorCode::InvalidArgument, "--gpu-arch " + params.gpu_arch + " is not a compute capability",
                  "give it as NVIDIA writes it, e.g. --gpu-arch 9.0 for an H100 or H200, 8.0 for an A100, 8.6 for an RTX 3090");
    }
    if (params.no_gpu) throw Error(ErrorCode::InvalidArgument, "--gpu-arch and --no-gpu contradict each other", "give one of them");
  }
  gpu::HostFacts h = driver_facts(params);
  if (!cc) return h;
  if (h.gpus.empty()) {
    if (!h.driver_present) {
      // No driver here (or none given): plan for that GPU with the driver unknown.
      h = gpu::HostFacts{};
    }
    gpu::GpuDevice d;
    d.name = "a GPU of compute capability " + std::to_string(cc->first) + "." + std::to_string(cc->second) + " (--gpu-arch)";
    h.gpus.push_back(d);
  }
  for (auto& d : h.gpus) {
    d.compute_major = cc->first;
    d.compute_minor = cc->second;
  }
  return h;
}

fs::path clone_folder_for(const std::string& url) {
  return inspect::clone_folder(url, xdg_dir("XDG_DATA_HOME", ".local/share") / "dlcontainer" / "clones");
}

fs::path materialize_workspace(const std::string& path_or_url, const CancelToken& cancel) {
  if (inspect::is_remote(path_or_url)) return inspect::checkout(path_or_url, clone_folder_for(path_or_url).parent_path(), cancel);
  return workspace_folder(path_or_url);
}

PlanResult plan_workspace(const PlanParams& params, ProgressSink& progress, const CancelToken& cancel) {
  cancel.throw_if_cancelled();
  if (inspect::is_remote(params.workspace)) progress.report("fetching " + params.workspace);
  fs::path folder = materialize_workspace(params.workspace, cancel);
  cancel.throw_if_cancelled();
  auto planned = plan_folder(folder, params, true, progress, cancel);
  PlanResult r;
  r.workspace = folder.string();
  r.facts = std::move(planned.facts);
  r.plan = std::move(planned.plan);
  if (r.plan.mode == "image") {
    r.dockerfile = resolve::render_dockerfile(r.plan, current_user());
    r.image = resolve::plan_image_tag(r.dockerfile);
  }
  // What `up` would not do as devcontainer.json asks is said here already (an error with --strict).
  if (auto found = config::find_config(folder)) {
    auto warnings = config::property_warnings(config::parse_jsonc(read_text(*found), found->string()));
    std::string rel = fs::relative(*found, folder).generic_string();
    if (params.strict && !warnings.empty()) {
      std::string list;
      for (const auto& w : warnings) list += "\n  " + w;
      throw Error(ErrorCode::ConfigInvalid, rel + " asks for what dlcontainer does not do (--strict):" + list,
                  "remove those properties, or plan without --strict to be warned and go on");
    }
    for (const auto& w : warnings) r.plan.warnings.push_back(rel + ": " + w);
  }
  return r;
}

InitResult init_workspace(const InitParams& params) {
  fs::path folder = materialize_workspace(params.plan.workspace);
  fs::path dir = folder / ".devcontainer";
  fs::path config_file = dir / "devcontainer.json", dockerfile = dir / "Dockerfile";
  std::error_code ec;
  // Plan first: a plan that fails writes nothing.
  auto planned = plan_folder(folder, params.plan, false);
  bool writes_dockerfile = planned.plan.mode == "image";
  if (!params.force) {
    std::vector<fs::path> existing;
    if (auto found = config::find_config(folder)) existing.push_back(*found);
    if (writes_dockerfile && fs::exists(dockerfile, ec)) existing.push_back(dockerfile);
    if (!existing.empty()) {
      std::string names;
      for (const auto& p : existing) names += (names.empty() ? "" : " and ") + p.string();
      throw Error(ErrorCode::InvalidArgument, names + (existing.size() > 1 ? " exist" : " exists") + "; init writes nothing over them",
                  "keep them (`dlcontainer up` uses them), or pass --force to overwrite .devcontainer/devcontainer.json and .devcontainer/Dockerfile");
    }
  }
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::PathNotFound, "cannot create " + dir.string() + ": " + ec.message(), "check the folder's permissions");
  InitResult r;
  r.workspace = folder.string();
  if (writes_dockerfile) {
    // For stock tools: a user `dev` with uid 1000; they give it the host's uid (updateRemoteUserUID).
    write_file(dockerfile, resolve::render_dockerfile(planned.plan, resolve::DockerfileOptions{1000, 1000, "dev"}));
    r.written.push_back(dockerfile.string());
  }
  json dc = resolve::render_devcontainer(planned.plan, folder.filename().string());
  write_file(config_file, dc.dump(2) + "\n");
  r.written.push_back(config_file.string());
  r.plan = std::move(planned.plan);
  return r;
}

InferredWorkspace infer_workspace(const fs::path& folder, const gpu::HostFacts* facts) {
  PlanParams params;
  params.workspace = folder.string();
  if (facts) params.facts = *facts;
  auto planned = plan_folder(folder, params, false);
  InferredWorkspace w;
  w.plan = std::move(planned.plan);
  auto& c = w.config;
  c.name = folder.filename().string();
  if (w.plan.gpu) c.gpu.need = config::GpuRequirement::Need::Optional;
  if (w.plan.mode == "dockerfile") {
    c.build = config::BuildConfig{(folder / w.plan.dockerfile).string(), folder.string(), {}, "", {}};
    c.document = {{"build", {{"dockerfile", w.plan.dockerfile}, {"context", "."}}}, {"inferred", true}};
    return w;
  }
  auto user = current_user();
  w.dockerfile = resolve::render_dockerfile(w.plan, user);
  w.image = resolve::plan_image_tag(w.dockerfile);
  c.image = w.image;
  // The Dockerfile already gives the user the host's uid: no second layer for it.
  c.update_remote_user_uid = false;
  if (user.uid != 0) c.remote_user = user.user;
  c.document = {{"image", w.image}, {"inferred", true}, {"plan", resolve::plan_fingerprint(w.plan)}};
  return w;
}

std::string ensure_plan_image(const engine::Engine& engine, const InferredWorkspace& inferred, const std::string& folder,
                              bool no_cache, ProgressSink& progress, const CancelToken& cancel) {
  if (!no_cache && engine.inspect_image(inferred.image)) {
    progress.begin("Image " + inferred.image + " is up to date (plan unchanged)");
    progress.end();
    return inferred.image;
  }
  progress.begin("Building " + inferred.image + " from " + inferred.plan.base_image);
  engine::BuildRequest req;
  req.tags = {inferred.image};
  req.no_cache = no_cache;
  req.labels = {{kPlanLabel, resolve::plan_fingerprint(inferred.plan)}, {kBuiltForLabel, folder}};
  std::string context = engine::tar_files({{"Dockerfile", inferred.dockerfile, 0644}});
  try {
    engine.build_image(req, [&](const engine::DataSink& write) { write(context); }, progress, cancel);
  } catch (const Error& e) {
    // The usual cause on a closed network: the base is neither here nor pullable. Say which ways out there are.
    if (e.code() != ErrorCode::BuildFailed || engine.inspect_image(inferred.plan.base_image)) throw;
    throw Error(ErrorCode::BuildFailed, e.what(),
                "the plan's base image " + inferred.plan.base_image +
                    " is not on this engine and could not be pulled: pull it where the registry is reachable, point a catalog "
                    "file at an image you have (~/.config/dlcontainer/catalog.json; see docs/resolve.md), or run `dlcontainer init` "
                    "and edit .devcontainer/Dockerfile");
  }
  progress.end();
  return inferred.image;
}

}  // namespace dlc::core
