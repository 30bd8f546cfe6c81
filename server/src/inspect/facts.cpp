// RepoFacts on the wire (camelCase). Empty fields are left out so that a plan's JSON stays readable.
#include "inspect/facts.h"
#include "support/json.h"

namespace dlc::inspect {

using json = nlohmann::json;

namespace {


template <class T>
void put_if(json& j, const char* key, const T& value) {
  if (!value.empty()) j[key] = value;
}

}  // namespace

void to_json(json& j, const Source& s) {
  j = {{"file", s.file}};
  if (s.line > 0) j["line"] = s.line;
}
void from_json(const json& j, Source& s) {
  get_if(j, "file", s.file);
  get_if(j, "line", s.line);
}

void to_json(json& j, const Requirement& r) {
  j = {{"name", r.name}, {"origin", r.origin}, {"source", r.source}};
  put_if(j, "raw", r.raw);
  put_if(j, "specifier", r.specifier);
  put_if(j, "extras", r.extras);
  put_if(j, "marker", r.marker);
  put_if(j, "url", r.url);
  put_if(j, "group", r.group);
  if (r.editable) j["editable"] = true;
  if (r.weak) j["weak"] = true;
}
void from_json(const json& j, Requirement& r) {
  get_if(j, "name", r.name);
  get_if(j, "raw", r.raw);
  get_if(j, "specifier", r.specifier);
  get_if(j, "extras", r.extras);
  get_if(j, "marker", r.marker);
  get_if(j, "url", r.url);
  get_if(j, "origin", r.origin);
  get_if(j, "group", r.group);
  get_if(j, "editable", r.editable);
  get_if(j, "weak", r.weak);
  get_if(j, "source", r.source);
}

void to_json(json& j, const VersionHint& h) {
  j = {{"subject", h.subject}, {"spec", h.spec}, {"source", h.source}};
  if (h.weak) j["weak"] = true;
  put_if(j, "text", h.text);
}
void from_json(const json& j, VersionHint& h) {
  get_if(j, "subject", h.subject);
  get_if(j, "spec", h.spec);
  get_if(j, "weak", h.weak);
  get_if(j, "text", h.text);
  get_if(j, "source", h.source);
}

void to_json(json& j, const PipOption& o) { j = {{"option", o.option}, {"value", o.value}, {"source", o.source}}; }
void from_json(const json& j, PipOption& o) {
  get_if(j, "option", o.option);
  get_if(j, "value", o.value);
  get_if(j, "source", o.source);
}

void to_json(json& j, const BaseImage& b) {
  j = {{"image", b.image}, {"finalStage", b.final_stage}, {"source", b.source}};
  put_if(j, "stage", b.stage);
}
void from_json(const json& j, BaseImage& b) {
  get_if(j, "image", b.image);
  get_if(j, "stage", b.stage);
  get_if(j, "finalStage", b.final_stage);
  get_if(j, "source", b.source);
}

void to_json(json& j, const CudaCode& c) { j = {{"kind", c.kind}, {"source", c.source}}; }
void from_json(const json& j, CudaCode& c) {
  get_if(j, "kind", c.kind);
  get_if(j, "source", c.source);
}

void to_json(json& j, const SystemNeed& s) {
  j = {{"module", s.module}, {"packages", s.packages}, {"why", s.why}, {"source", s.source}};
}
void from_json(const json& j, SystemNeed& s) {
  get_if(j, "module", s.module);
  get_if(j, "packages", s.packages);
  get_if(j, "why", s.why);
  get_if(j, "source", s.source);
}

void to_json(json& j, const CodeFact& c) { j = {{"kind", c.kind}, {"subject", c.subject}, {"files", c.files}, {"source", c.source}}; }
void from_json(const json& j, CodeFact& c) {
  get_if(j, "kind", c.kind);
  get_if(j, "subject", c.subject);
  get_if(j, "files", c.files);
  get_if(j, "source", c.source);
}

void to_json(json& j, const RepoFacts& f) {
  j = {{"root", f.root},
       {"requirements", f.requirements},
       {"hints", f.hints},
       {"cudaCode", f.cuda_code},
       {"systemNeeds", f.system_needs},
       {"dockerfiles", f.dockerfiles},
       {"filesSeen", f.files_seen}};
  put_if(j, "commit", f.commit);
  put_if(j, "commitDate", f.commit_date);
  put_if(j, "originUrl", f.origin_url);
  put_if(j, "manifests", f.manifests);
  put_if(j, "pipOptions", f.pip_options);
  put_if(j, "condaChannels", f.conda_channels);
  put_if(j, "warnings", f.warnings);
  put_if(j, "code", f.code);
  if (f.devcontainer) j["devcontainer"] = *f.devcontainer;
}
void from_json(const json& j, RepoFacts& f) {
  get_if(j, "root", f.root);
  get_if(j, "commit", f.commit);
  get_if(j, "commitDate", f.commit_date);
  get_if(j, "originUrl", f.origin_url);
  get_if(j, "manifests", f.manifests);
  get_if(j, "requirements", f.requirements);
  get_if(j, "pipOptions", f.pip_options);
  get_if(j, "condaChannels", f.conda_channels);
  get_if(j, "hints", f.hints);
  get_if(j, "dockerfiles", f.dockerfiles);
  get_if(j, "cudaCode", f.cuda_code);
  get_if(j, "systemNeeds", f.system_needs);
  get_if(j, "warnings", f.warnings);
  get_if(j, "code", f.code);
  get_if(j, "filesSeen", f.files_seen);
  if (auto it = j.find("devcontainer"); it != j.end() && it->is_object()) f.devcontainer = it->get<Source>();
}

}  // namespace dlc::inspect
