#include "registry/oci.h"

#include <algorithm>
#include <regex>

#include "support/error.h"
#include "support/hash.h"
#include "support/nesting.h"

namespace dlc::registry {

using json = nlohmann::json;

namespace {

// The distribution spec's grammar for a repository path and a tag.
bool valid_path(const std::string& path) {
  static const std::regex re("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$");
  return path.size() <= 255 && std::regex_match(path, re);
}
bool valid_tag(const std::string& tag) {
  static const std::regex re("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$");
  return std::regex_match(tag, re);
}

// key="value" from a WWW-Authenticate challenge.
std::string challenge_param(const std::string& challenge, const std::string& key) {
  std::regex re(key + "=\"([^\"]*)\"");
  std::smatch m;
  return std::regex_search(challenge, m, re) ? m[1].str() : std::string();
}

std::string base_url(const std::string& registry) {
  return (is_loopback_host(registry) ? "http://" : "https://") + registry;
}

}  // namespace

std::string sha256_digest(std::string_view data) { return "sha256:" + sha256_hex(data); }

std::optional<Reference> Reference::parse(std::string_view text, std::string* why) {
  auto fail = [&](std::string reason) -> std::optional<Reference> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  if (text.empty() || text.size() > 512) return fail("a reference is 1 to 512 characters");
  std::string input(text);
  std::transform(input.begin(), input.end(), input.begin(), [](unsigned char c) { return std::tolower(c); });
  if (input.front() == '.') return fail("it starts with '.'");
  Reference ref;
  std::string resource;
  auto at = input.rfind('@');
  auto colon = input.rfind(':');
  auto slash = input.rfind('/');
  if (at != std::string::npos) {
    resource = input.substr(0, at);
    ref.digest = input.substr(at + 1);
    static const std::regex digest_re("^sha256:[a-f0-9]{64}$");
    if (!std::regex_match(ref.digest, digest_re)) return fail("the digest '" + ref.digest + "' is not sha256:<64 hex digits>");
  } else if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    resource = input.substr(0, colon);
    ref.tag = input.substr(colon + 1);
    if (!valid_tag(ref.tag)) return fail("the tag '" + ref.tag + "' is not a valid tag");
  } else {
    resource = input;
    ref.tag = "latest";
  }
  auto first = resource.find('/');
  if (first == std::string::npos || first == 0) return fail("it has no registry/ part");
  ref.registry = resource.substr(0, first);
  ref.repository = resource.substr(first + 1);
  if (!valid_path(ref.repository)) return fail("the path '" + ref.repository + "' is not a valid repository name");
  return ref;
}

std::string Client::token(const std::string& challenge, const std::string& base) const {
  std::string realm = challenge_param(challenge, "realm");
  std::string service = challenge_param(challenge, "service");
  std::string scope = challenge_param(challenge, "scope");
  std::string key = base + "\n" + realm + "\n" + service + "\n" + scope;
  if (auto it = tokens_.find(key); it != tokens_.end()) return it->second;
  bool https = realm.starts_with("https://");
  bool local_http = realm.starts_with("http://") && is_loopback_host(realm.substr(7, realm.find('/', 7) - 7));
  if (!https && !local_http) {
    throw Error(ErrorCode::RegistryUnavailable, base + " sends for its token to '" + realm + "', which is not an https:// URL",
                "dlcontainer asks for tokens over HTTPS only (plain HTTP on this machine's loopback)");
  }
  std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
  if (!service.empty()) url += "service=" + url_escape(service);
  if (!scope.empty()) url += (service.empty() ? "" : "&") + std::string("scope=") + url_escape(scope);
  auto r = http_get({.url = url, .max_body = 64 << 10}, cancel_);
  std::string value;
  if (r.status == 200) {
    json body = parse_json_within(r.body);
    if (body.is_object()) {
      for (const char* field : {"token", "access_token"}) {
        if (auto t = body.find(field); t != body.end() && t->is_string() && !t->get<std::string>().empty()) {
          value = t->get<std::string>();
          break;
        }
      }
    }
  }
  if (value.empty()) {
    throw Error(ErrorCode::RegistryUnavailable,
                "the token service of " + base + " (" + realm + ") gave no anonymous token (HTTP " + std::to_string(r.status) + ")",
                "dlcontainer reads Features anonymously: publish the Feature publicly, or use a mirror that serves it");
  }
  return tokens_[key] = "Authorization: Bearer " + value;
}

HttpResponse Client::get_from(const std::string& base, const Reference& ref, const std::string& path, const std::string& accept,
                              std::size_t limit) const {
  HttpRequest req{.url = base + "/v2/" + ref.repository + path, .max_body = limit};
  if (!accept.empty()) req.headers.push_back("Accept: " + accept);
  std::string scope_key = base + "\n" + ref.repository;
  auto cached = tokens_.find(scope_key);
  if (cached != tokens_.end()) req.headers.push_back(cached->second);
  auto r = http_get(req, cancel_);
  if (r.status != 401) return r;
  std::string challenge = r.header("www-authenticate");
  std::string scheme = challenge.substr(0, challenge.find(' '));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme != "bearer") {
    throw Error(ErrorCode::RegistryUnavailable,
                base + " asks for a login (" + (challenge.empty() ? "no challenge" : challenge) + ") to read " + ref.repository,
                "dlcontainer reads Features anonymously: publish the Feature publicly, or use a mirror that serves it");
  }
  std::string auth = token(challenge, base);
  tokens_[scope_key] = auth;
  if (cached != tokens_.end()) req.headers.pop_back();
  req.headers.push_back(auth);
  return http_get(req, cancel_);
}

HttpResponse Client::get(const Reference& ref, const std::string& path, const std::string& accept, std::size_t limit) const {
  std::vector<std::string> bases;
  if (auto m = mirrors_.find(ref.registry); m != mirrors_.end()) {
    std::string mirror = m->second;
    while (mirror.ends_with('/')) mirror.pop_back();
    bases.push_back(mirror);
  }
  bases.push_back(base_url(ref.registry));
  std::string tried;
  for (std::size_t i = 0; i < bases.size(); ++i) {
    bool last = i + 1 == bases.size();
    try {
      auto r = get_from(bases[i], ref, path, accept, limit);
      if (last || (r.status >= 200 && r.status < 300)) return r;
      tried += bases[i] + ": HTTP " + std::to_string(r.status) + "; ";
    } catch (const Error& e) {
      if (last || e.code() == ErrorCode::Cancelled) {
        if (tried.empty()) throw;
        throw Error(e.code(), std::string(e.what()) + " (after the mirror: " + tried.substr(0, tried.size() - 2) + ")", e.hint());
      }
      tried += std::string(e.what()) + "; ";
    }
  }
  throw Error(ErrorCode::Internal, "no registry to ask for " + ref.str());
}

std::optional<Manifest> Client::manifest(const Reference& ref, const std::string& accept) const {
  auto r = get(ref, "/manifests/" + ref.version(), accept, std::size_t{4} << 20);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) {
    throw Error(ErrorCode::RegistryUnavailable,
                ref.registry + " answered HTTP " + std::to_string(r.status) + " for the manifest of " + ref.str(),
                "check that the reference is right and that the registry serves it anonymously");
  }
  Manifest m{.digest = sha256_digest(r.body), .body = std::move(r.body)};
  if (!ref.digest.empty() && m.digest != ref.digest) {
    throw Error(ErrorCode::RegistryUnavailable, ref.registry + " sent a manifest for " + ref.str() + " whose digest is " + m.digest,
                "the registry or something between it and you altered it; try again, or check the mirror");
  }
  m.document = parse_json_within(m.body);
  if (!m.document.is_object()) {
    throw Error(ErrorCode::RegistryUnavailable, "the manifest of " + ref.str() + " is not a JSON object");
  }
  return m;
}

std::string Client::blob(const Reference& ref, const std::string& digest, std::size_t limit) const {
  auto r = get(ref, "/blobs/" + digest, "", limit);
  if (r.status != 200) {
    throw Error(ErrorCode::RegistryUnavailable,
                ref.registry + " answered HTTP " + std::to_string(r.status) + " for the blob " + digest + " of " + ref.resource(),
                "the registry lists the blob in its manifest but does not serve it; try again later");
  }
  if (sha256_digest(r.body) != digest) {
    throw Error(ErrorCode::RegistryUnavailable, "the blob " + digest + " of " + ref.resource() + " does not match its digest",
                "the download was altered or cut; try again");
  }
  return std::move(r.body);
}

}  // namespace dlc::registry
