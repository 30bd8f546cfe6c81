// The catalog's rules beyond images: companion packages, removed APIs, NGC releases, and the GPU
// architectures of framework builds; read from the documents and looked up by the resolver.
#include <algorithm>

#include "inspect/version.h"
#include "resolve/catalog.h"
#include "resolve/catalog_row.h"

namespace dlc::resolve {

using json = nlohmann::json;

namespace {

std::string specifier(const Row& r, const json& value, const char* what) {
  if (!value.is_string() || !inspect::SpecifierSet::parse(value.get<std::string>())) r.fail(std::string(what) + " must be a PEP 440 specifier");
  return value.get<std::string>();
}

// A user's row of the same key replaces the built-in one and is looked at first.
template <class T, class Key>
void put(std::vector<T>& rows, T row, Key key, bool user) {
  rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const T& r) { return key(r) == key(row); }), rows.end());
  rows.insert(user ? rows.begin() : rows.end(), std::move(row));
}

}  // namespace

void Catalog::merge_rules(const json& doc, const std::string& origin, bool user) {
  Row top(doc, "catalog", origin);
  if (const json* rows = top.array("companions")) {
    for (std::size_t k = 0; k < rows->size(); ++k) {
      Row r((*rows)[k], "companions[" + std::to_string(k) + "]", origin);
      Companion c{inspect::normalize_name(r.str("package", true)), r.str("framework", true), {}, r.source("source", user)};
      const json* versions = r.array("versions");
      if (!versions) r.fail("\"versions\" is missing");
      for (const auto& pair : *versions) {
        if (!pair.is_array() || pair.size() != 2) r.fail("each of \"versions\" is [package specifier, framework specifier]");
        c.versions.emplace_back(specifier(r, pair[0], "a package version"), specifier(r, pair[1], "a framework version"));
      }
      put(companions_, std::move(c), [](const Companion& x) { return x.package; }, user);
    }
  }
  if (const json* rows = top.array("removedApis")) {
    for (std::size_t k = 0; k < rows->size(); ++k) {
      Row r((*rows)[k], "removedApis[" + std::to_string(k) + "]", origin);
      RemovedApi a{r.str("api", true), r.str("framework", true), r.version("below", true), r.str("why", true), r.source("source", user)};
      put(removed_apis_, std::move(a), [](const RemovedApi& x) { return x.api; }, user);
    }
  }
  if (const json* rows = top.array("ngcReleases")) {
    for (std::size_t k = 0; k < rows->size(); ++k) {
      Row r((*rows)[k], "ngcReleases[" + std::to_string(k) + "]", origin);
      NgcRelease n{r.str("release", true), r.version("cuda", true), r.strings("dataCenterDrivers"), r.strings("images"), r.source("source", user)};
      put(ngc_releases_, std::move(n), [](const NgcRelease& x) { return x.release; }, user);
    }
  }
}

const Framework* Catalog::framework_of_module(std::string_view module) const {
  for (const auto& f : frameworks_) {
    if (std::find(f.modules.begin(), f.modules.end(), module) != f.modules.end()) return &f;
  }
  return nullptr;
}

const Companion* Catalog::companion(std::string_view package) const {
  for (const auto& c : companions_) {
    if (c.package == package) return &c;
  }
  return nullptr;
}

const RemovedApi* Catalog::removed_api(std::string_view api) const {
  for (const auto& a : removed_apis_) {
    if (a.api == api) return &a;
  }
  return nullptr;
}

const BuildArchs* Catalog::build_archs(const Framework& fw, std::string_view release, std::string_view cuda) const {
  for (const auto& b : fw.build_archs) {
    auto releases = inspect::SpecifierSet::parse(b.releases), cudas = inspect::SpecifierSet::parse(b.cuda);
    if (releases && cudas && releases->contains(release) && cudas->contains(cuda)) return &b;
  }
  return nullptr;
}

const NgcRelease* Catalog::ngc_release_of(std::string_view image) const {
  for (const auto& n : ngc_releases_) {
    if (std::find(n.images.begin(), n.images.end(), image) != n.images.end()) return &n;
  }
  return nullptr;
}

}  // namespace dlc::resolve
