// The OCI distribution API, read side: manifests and blobs by reference, with anonymous token auth
// (WWW-Authenticate: Bearer realm/service/scope) and registry mirrors. Generic: it knows OCI, not what
// a Feature is (the caller names the media types it wants).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/http.h"
#include "support/cancel.h"

namespace dlc::registry {

// registry/repository[:tag|@sha256:digest], e.g. ghcr.io/devcontainers/features/python:1.
struct Reference {
  std::string registry;    // host[:port]
  std::string repository;  // "devcontainers/features/python"
  std::string tag;         // "latest" when neither tag nor digest is given; "" with a digest
  std::string digest;      // "sha256:<64 hex>"

  std::string version() const { return digest.empty() ? tag : digest; }
  std::string resource() const { return registry + "/" + repository; }
  std::string str() const { return resource() + (digest.empty() ? ":" + tag : "@" + digest); }

  // Parses as the OCI distribution spec constrains names (lower-cased first, as the reference CLI
  // does). nullopt with *why set when it is not a reference.
  static std::optional<Reference> parse(std::string_view text, std::string* why);
};

struct Manifest {
  std::string digest;  // sha256 of the body: the canonical digest
  std::string body;
  nlohmann::json document;
};

// Where to fetch from instead: registry host -> mirror base URL ("http://127.0.0.1:5000",
// "https://mirror.example"). The registry itself is tried after a mirror that fails.
using Mirrors = std::map<std::string, std::string>;

class Client {
 public:
  explicit Client(Mirrors mirrors = {}, CancelToken cancel = {}) : mirrors_(std::move(mirrors)), cancel_(std::move(cancel)) {}

  // The manifest the reference names, or nullopt when the registry has none (404). A digest in the
  // reference is verified. Error{RegistryUnavailable} when no registry answers, or answers an error.
  std::optional<Manifest> manifest(const Reference& ref, const std::string& accept) const;
  // A blob of the reference's repository, verified against its digest.
  std::string blob(const Reference& ref, const std::string& digest, std::size_t limit) const;

 private:
  HttpResponse get(const Reference& ref, const std::string& path, const std::string& accept, std::size_t limit) const;
  HttpResponse get_from(const std::string& base, const Reference& ref, const std::string& path, const std::string& accept,
                        std::size_t limit) const;
  std::string token(const std::string& challenge, const std::string& base) const;

  Mirrors mirrors_;
  CancelToken cancel_;
  mutable std::map<std::string, std::string> tokens_;  // base URL + scope -> Authorization header
};

// "sha256:<hex>" of data.
std::string sha256_digest(std::string_view data);

}  // namespace dlc::registry
