#include "core/features_fetch.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "core/features.h"
#include "registry/http.h"
#include "support/archive.h"
#include "support/error.h"
#include "support/files.h"
#include "support/hash.h"
#include "support/nesting.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxArtifact = std::size_t{128} << 20;

std::string hex_of(const std::string& digest) { return digest.substr(digest.find(':') + 1); }

// Unpacks an archive into cache/blobs/<hex> once: into a fresh folder beside it, renamed into place,
// so that a concurrent `up` or a crash never leaves a half-unpacked Feature that looks whole.
fs::path unpack_cached(const fs::path& cache, const std::string& digest, const std::string& data, const std::string& what) {
  fs::path dest = cache / "blobs" / hex_of(digest);
  std::error_code ec;
  if (fs::is_directory(dest, ec)) return dest;
  fs::create_directories(dest.parent_path(), ec);
  fs::path tmp = dest.string() + ".tmp" + std::to_string(::getpid());
  fs::remove_all(tmp, ec);
  extract_tar(data, tmp, what);
  fs::rename(tmp, dest, ec);
  if (ec) {
    fs::remove_all(tmp, ec);
    if (!fs::is_directory(dest)) throw Error(ErrorCode::Internal, "cannot keep " + what + " in " + dest.string());
  }
  return dest;
}

std::optional<fs::path> cached(const fs::path& cache, const std::string& digest) {
  fs::path dest = cache / "blobs" / hex_of(digest);
  std::error_code ec;
  if (fs::is_directory(dest, ec)) return dest;
  return std::nullopt;
}

FetchedFeature fetch_oci(const config::FeatureSource& source, const std::optional<config::LockEntry>& locked,
                         const registry::Client& client, const fs::path& cache, ProgressSink& progress) {
  registry::Reference ref = source.ref;
  if (locked && locked->integrity.starts_with("sha256:")) {
    ref.tag.clear();
    ref.digest = locked->integrity;  // the lockfile's digest wins over what the tag says now
  }
  // A manifest named by digest never changes: kept, so a locked workspace needs no network at all.
  std::optional<registry::Manifest> manifest;
  fs::path manifest_file = cache / "manifests" / (ref.digest.empty() ? std::string() : hex_of(ref.digest) + ".json");
  if (!ref.digest.empty()) {
    if (auto text = read_file(manifest_file.string(), std::size_t{4} << 20); text && registry::sha256_digest(*text) == ref.digest) {
      manifest = registry::Manifest{.digest = ref.digest, .body = *text, .document = parse_json_within(*text)};
    }
  }
  if (!manifest) {
    progress.report("fetching the manifest of " + ref.str());
    manifest = client.manifest(ref, "application/vnd.oci.image.manifest.v1+json");
    if (!manifest) {
      if (locked)
        throw Error(ErrorCode::ConfigInvalid,
                    "Feature '" + source.id + "' could not be processed: devcontainer-lock.json pins it to " + ref.digest + ", which " +
                        ref.registry + " no longer serves",
                    "remove its entry from devcontainer-lock.json to take the version the registry has now");
      throw Error(ErrorCode::ConfigInvalid, "Feature '" + source.id + "' could not be processed: " + ref.registry + " has no " + ref.str(),
                  "check the id and the version tag; `devcontainer features info tags " + source.ref.resource() + "` lists them");
    }
    std::error_code ec;
    fs::create_directories(cache / "manifests", ec);
    write_file_atomically((cache / "manifests" / (hex_of(manifest->digest) + ".json")).string(), manifest->body);
  }
  const json& doc = manifest->document;
  std::string config_type = doc.is_object() && doc.contains("config") && doc["config"].is_object() ? doc["config"].value("mediaType", "") : "";
  if (config_type != kFeatureConfigMediaType)
    throw Error(ErrorCode::ConfigInvalid, "'" + source.id + "' is not a Feature: its manifest's config is '" + config_type + "'",
                "a Feature's manifest has the config media type " + std::string(kFeatureConfigMediaType));
  std::string layer;
  if (auto layers = doc.find("layers"); layers != doc.end() && layers->is_array()) {
    for (const auto& l : *layers)
      if (l.is_object() && l.value("mediaType", "") == kFeatureLayerMediaType && l.value("digest", "").starts_with("sha256:")) {
        layer = l.value("digest", "");
        break;
      }
  }
  if (layer.empty())
    throw Error(ErrorCode::ConfigInvalid, "'" + source.id + "' has no layer of type " + std::string(kFeatureLayerMediaType),
                "publish it with `devcontainer features publish`, which packages it as the spec says");
  FetchedFeature out{.digest = manifest->digest, .integrity = manifest->digest,
                     .resolved = source.ref.resource() + "@" + manifest->digest};
  if (auto hit = cached(cache, layer)) {
    out.folder = *hit;
  } else {
    progress.report("downloading " + source.id);
    out.folder = unpack_cached(cache, layer, client.blob(ref, layer, kMaxArtifact), "Feature '" + source.id + "'");
  }
  return out;
}

FetchedFeature fetch_tarball(const config::FeatureSource& source, const std::optional<config::LockEntry>& locked,
                             const fs::path& cache, ProgressSink& progress, const CancelToken& cancel) {
  FetchedFeature out{.resolved = source.url};
  if (locked && !locked->integrity.empty()) {
    if (auto hit = cached(cache, locked->integrity)) {
      out.folder = *hit;
      out.digest = out.integrity = locked->integrity;
      return out;
    }
  }
  progress.report("downloading " + source.url);
  auto r = registry::http_get({.url = source.url, .max_body = kMaxArtifact}, cancel);
  if (r.status != 200)
    throw Error(ErrorCode::RegistryUnavailable, "Feature '" + source.id + "': " + source.url + " answered HTTP " + std::to_string(r.status),
                "check that the URL serves the Feature's .tgz");
  out.digest = out.integrity = registry::sha256_digest(r.body);
  if (locked && !locked->integrity.empty() && locked->integrity != out.integrity)
    throw Error(ErrorCode::ConfigInvalid,
                "Feature '" + source.id + "': the tarball's digest is " + out.integrity + ", not the " + locked->integrity +
                    " that devcontainer-lock.json records",
                "the file at the URL changed since it was locked: check it, then remove its lockfile entry to accept the new one");
  out.folder = unpack_cached(cache, out.digest, r.body, "Feature '" + source.id + "'");
  return out;
}

}  // namespace

std::string folder_digest(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (files.size() >= 2000)
      throw Error(ErrorCode::ConfigInvalid, "the Feature folder " + folder.string() + " holds more than 2000 files");
    if (!it->is_directory()) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  std::string hashed;
  std::size_t total = 0;
  for (const auto& f : files) {
    struct stat st {};
    if (::lstat(f.c_str(), &st) != 0) continue;
    hashed += f.lexically_relative(folder).generic_string() + "\n" + std::to_string(st.st_mode & 0777) + "\n";
    auto content = S_ISLNK(st.st_mode) ? fs::read_symlink(f, ec).string() : read_file(f.string(), std::size_t{64} << 20).value_or("");
    total += content.size();
    if (total > (std::size_t{64} << 20)) throw Error(ErrorCode::ConfigInvalid, "the Feature folder " + folder.string() + " holds more than 64 MiB");
    hashed += sha256_hex(content) + "\n";
  }
  return "sha256:" + sha256_hex(hashed);
}

FetchedFeature fetch_feature(const config::FeatureSource& source, const std::optional<config::LockEntry>& locked,
                             const registry::Client& client, const fs::path& cache_dir, ProgressSink& progress,
                             const CancelToken& cancel) {
  cancel.throw_if_cancelled();
  switch (source.kind) {
    case config::FeatureSource::Kind::Local: {
      std::error_code ec;
      if (!fs::is_regular_file(source.path / "devcontainer-feature.json", ec))
        throw Error(ErrorCode::ConfigInvalid,
                    "Feature '" + source.id + "': " + (source.path / "devcontainer-feature.json").string() + " does not exist",
                    "a local Feature is a folder under .devcontainer/ with devcontainer-feature.json and install.sh");
      return {.folder = source.path, .digest = folder_digest(source.path)};
    }
    case config::FeatureSource::Kind::Oci: return fetch_oci(source, locked, client, cache_dir, progress);
    case config::FeatureSource::Kind::Tarball: return fetch_tarball(source, locked, cache_dir, progress, cancel);
  }
  throw Error(ErrorCode::Internal, "unknown Feature source");
}

}  // namespace dlc::core
