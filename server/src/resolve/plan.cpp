// Plan on the wire (camelCase), and its fingerprint.
#include "resolve/plan.h"

#include "support/hash.h"
#include "support/json.h"

namespace dlc::resolve {

using json = nlohmann::json;

void to_json(json& j, const Decision& d) {
  j = {{"topic", d.topic}, {"choice", d.choice}, {"reason", d.reason}};
  if (!d.rejected.empty()) j["rejected"] = d.rejected;
  if (!d.facts.empty()) j["facts"] = d.facts;
  if (!d.citations.empty()) j["citations"] = d.citations;
}

void from_json(const json& j, Decision& d) {
  get_if(j, "topic", d.topic);
  get_if(j, "choice", d.choice);
  get_if(j, "reason", d.reason);
  get_if(j, "rejected", d.rejected);
  get_if(j, "facts", d.facts);
  get_if(j, "citations", d.citations);
}

void to_json(json& j, const Plan& p) {
  j = {{"mode", p.mode},
       {"baseImage", p.base_image},
       {"framework", p.framework},
       {"frameworkVersion", p.framework_version},
       {"gpu", p.gpu},
       {"cuda", p.cuda},
       {"cudnn", p.cudnn},
       {"python", p.python},
       {"flavor", p.flavor},
       {"driverRequired", p.driver_required},
       {"minorVersionCompatibility", p.minor_version_compatibility},
       {"baseHasPython", p.base_has_python},
       {"aptPackages", p.apt_packages},
       {"pipPackages", p.pip_packages},
       {"pipConstraints", p.pip_constraints},
       {"pipOptions", p.pip_options},
       {"env", p.env},
       {"host", p.host},
       {"catalog", p.catalog},
       {"decisions", p.decisions},
       {"warnings", p.warnings}};
  if (!p.apt_mirror.empty()) j["aptMirror"] = p.apt_mirror;
  if (!p.pip_index_url.empty()) j["pipIndexUrl"] = p.pip_index_url;
  if (!p.dockerfile.empty()) j["dockerfile"] = p.dockerfile;
  if (!p.commit_date.empty()) j["commitDate"] = p.commit_date;
}

void from_json(const json& j, Plan& p) {
  get_if(j, "mode", p.mode);
  get_if(j, "baseImage", p.base_image);
  get_if(j, "framework", p.framework);
  get_if(j, "frameworkVersion", p.framework_version);
  get_if(j, "gpu", p.gpu);
  get_if(j, "cuda", p.cuda);
  get_if(j, "cudnn", p.cudnn);
  get_if(j, "python", p.python);
  get_if(j, "flavor", p.flavor);
  get_if(j, "driverRequired", p.driver_required);
  get_if(j, "minorVersionCompatibility", p.minor_version_compatibility);
  get_if(j, "baseHasPython", p.base_has_python);
  get_if(j, "aptPackages", p.apt_packages);
  get_if(j, "pipPackages", p.pip_packages);
  get_if(j, "pipConstraints", p.pip_constraints);
  get_if(j, "pipOptions", p.pip_options);
  get_if(j, "env", p.env);
  get_if(j, "aptMirror", p.apt_mirror);
  get_if(j, "pipIndexUrl", p.pip_index_url);
  get_if(j, "dockerfile", p.dockerfile);
  get_if(j, "host", p.host);
  get_if(j, "commitDate", p.commit_date);
  get_if(j, "catalog", p.catalog);
  get_if(j, "decisions", p.decisions);
  get_if(j, "warnings", p.warnings);
}

std::string plan_fingerprint(const Plan& p) {
  // Only what changes the image: the words that explain it may change freely.
  json j = {{"mode", p.mode},           {"base", p.base_image},         {"apt", p.apt_packages},
            {"pip", p.pip_packages},    {"constraints", p.pip_constraints}, {"pipOptions", p.pip_options},
            {"env", p.env},             {"aptMirror", p.apt_mirror},    {"pipIndex", p.pip_index_url},
            {"dockerfile", p.dockerfile}, {"python", p.base_has_python}};
  return sha256_hex(j.dump()).substr(0, 16);
}

}  // namespace dlc::resolve
