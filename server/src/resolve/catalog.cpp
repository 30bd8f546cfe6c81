#include "resolve/catalog.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "inspect/version.h"
#include "resolve/catalog_data.h"
#include "resolve/catalog_row.h"
#include "support/error.h"
#include "support/nesting.h"

namespace dlc::resolve {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

bool version_less(const std::string& a, const std::string& b) {
  auto va = inspect::Version::parse(a), vb = inspect::Version::parse(b);
  if (va && vb) return *va < *vb;
  return a < b;
}

template <class T, class Key>
void upsert_front(std::vector<T>& rows, T row, Key key, bool front) {
  auto it = std::find_if(rows.begin(), rows.end(), [&](const T& r) { return key(r) == key(row); });
  if (it != rows.end()) rows.erase(it);
  if (front) rows.insert(rows.begin(), std::move(row));
  else rows.push_back(std::move(row));
}

}  // namespace

int compare_driver(std::string_view a, std::string_view b) {
  auto parts = [](std::string_view s) {
    std::vector<long> out;
    long cur = 0;
    bool any = false;
    for (char c : s) {
      if (c >= '0' && c <= '9') {
        cur = cur * 10 + (c - '0');
        any = true;
      } else if (c == '.') {
        out.push_back(cur);
        cur = 0;
      } else {
        break;
      }
    }
    if (any) out.push_back(cur);
    return out;
  };
  auto pa = parts(a), pb = parts(b);
  for (std::size_t k = 0; k < std::max(pa.size(), pb.size()); ++k) {
    long x = k < pa.size() ? pa[k] : 0, y = k < pb.size() ? pb[k] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

Catalog Catalog::builtin() {
  // Parsed once per process: the plan command calls this on every run and it is on the hot path.
  static const Catalog cached = [] {
    Catalog c;
    for (const auto& f : builtin_catalog_files()) {
      json doc = json::parse(f.text, nullptr, false);
      if (doc.is_discarded()) throw Error(ErrorCode::Internal, "the built-in catalog file " + std::string(f.name) + " is not JSON");
      c.merge(doc, "built-in " + std::string(f.name), false);
    }
    c.origins_ = {"built-in"};
    return c;
  }();
  return cached;
}

fs::path Catalog::default_user_file() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  fs::path dir;
  if (xdg && *xdg) dir = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home) dir = fs::path(home) / ".config";
  else return {};
  fs::path file = dir / "dlcontainer" / "catalog.json";
  std::error_code ec;
  return fs::exists(file, ec) ? file : fs::path{};
}

Catalog Catalog::load(const std::optional<fs::path>& file) {
  Catalog c = builtin();
  fs::path user = file ? *file : default_user_file();
  if (user.empty()) return c;
  std::ifstream in(user, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::ConfigInvalid, "cannot read the catalog file " + user.string(),
                file ? "check the path given to --catalog" : "fix or remove " + user.string());
  }
  std::string text(std::istreambuf_iterator<char>(in), {});
  if (auto deep = find_nesting_beyond(text, kMaxConfigDepth); deep != std::string::npos) {
    auto at = position_of(text, deep);
    throw Error(ErrorCode::ConfigInvalid,
                user.string() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": nested more than " +
                    std::to_string(kMaxConfigDepth) + " levels deep",
                "a catalog file has the shape of schemas/catalog.schema.json, a few levels deep (see docs/resolve.md)");
  }
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    throw Error(ErrorCode::ConfigInvalid, user.string() + " is not a JSON object",
                "a catalog file has the shape of schemas/catalog.schema.json (see docs/resolve.md)");
  }
  if (doc.value("replace", false)) c = Catalog{};
  c.merge(doc, user.string(), true);
  c.origins_.push_back(user.string());
  return c;
}

void Catalog::merge(const json& doc, const std::string& origin, bool user) {
  if (!doc.is_object()) throw Error(ErrorCode::ConfigInvalid, origin + ": a catalog must be a JSON object");
  if (auto it = doc.find("sources"); it != doc.end()) {
    if (!it->is_object()) Row(*it, "sources", origin).fail("must be an object");
    for (const auto& [id, s] : it->items()) {
      Row r(s, "sources." + id, origin);
      upsert_front(sources_, CatalogSource{id, r.str("title", true), r.str("url", true)},
                   [](const CatalogSource& x) { return x.id; }, false);
    }
  }
  merge_frameworks(doc, origin, user);
  if (const json* rows = Row(doc, "catalog", origin).array("cudaImages")) {
    for (std::size_t k = 0; k < rows->size(); ++k) {
      Row r((*rows)[k], "cudaImages[" + std::to_string(k) + "]", origin);
      CudaImage img{r.str("image", true), r.version("cuda", true), r.str("cudnn"), r.str("flavor", true), r.str("os"),
                    r.version("python"), r.source("source", user), user};
      if (img.flavor != "base" && img.flavor != "runtime" && img.flavor != "devel") r.fail("\"flavor\" must be base, runtime or devel");
      upsert_front(cuda_images_, std::move(img), [](const CudaImage& x) { return x.image; }, user);
    }
  }
  if (const json* rows = Row(doc, "catalog", origin).array("pythonImages")) {
    for (std::size_t k = 0; k < rows->size(); ++k) {
      Row r((*rows)[k], "pythonImages[" + std::to_string(k) + "]", origin);
      PythonImage img{r.str("image", true), r.version("python", true), r.str("released"), r.str("os"), r.source("source", user), user};
      upsert_front(python_images_, std::move(img), [](const PythonImage& x) { return x.image; }, user);
    }
  }
  if (auto it = doc.find("drivers"); it != doc.end()) {
    Row d(*it, "drivers", origin);
    if (const json* rows = d.array("toolkits")) {
      for (std::size_t k = 0; k < rows->size(); ++k) {
        Row r((*rows)[k], "drivers.toolkits[" + std::to_string(k) + "]", origin);
        ToolkitDriver t{r.version("cuda", true), r.str("release"), r.str("minDriver", true), r.source("source", user)};
        upsert_front(toolkits_, std::move(t), [](const ToolkitDriver& x) { return x.cuda; }, false);
      }
    }
    if (const json* rows = d.array("minorVersionCompatibility")) {
      for (std::size_t k = 0; k < rows->size(); ++k) {
        Row r((*rows)[k], "drivers.minorVersionCompatibility[" + std::to_string(k) + "]", origin);
        auto major = (*rows)[k].find("cudaMajor");
        if (major == (*rows)[k].end() || !major->is_number_integer()) r.fail("\"cudaMajor\" must be an integer");
        MinorCompat m{major->get<int>(), r.str("minDriver", true), r.str("note"), r.source("source", user)};
        upsert_front(minor_compat_, std::move(m), [](const MinorCompat& x) { return x.cuda_major; }, false);
      }
    }
  }
  if (const json* rows = Row(doc, "catalog", origin).array("buildNeeds")) {
    for (std::size_t k = 0; k < rows->size(); ++k) {
      Row r((*rows)[k], "buildNeeds[" + std::to_string(k) + "]", origin);
      BuildNeed b{inspect::normalize_name(r.str("package", true)), r.str("why", true), r.source("source", user)};
      upsert_front(build_needs_, std::move(b), [](const BuildNeed& x) { return x.package; }, false);
    }
  }
  merge_rules(doc, origin, user);
}

void Catalog::merge_frameworks(const json& doc, const std::string& origin, bool user) {
  if (auto it = doc.find("frameworks"); it != doc.end()) {
    if (!it->is_array()) Row(*it, "frameworks", origin).fail("must be an array");
    for (std::size_t fi = 0; fi < it->size(); ++fi) {
      std::string where = "frameworks[" + std::to_string(fi) + "]";
      Row fr((*it)[fi], where, origin);
      std::string name = fr.str("name", true);
      auto existing = std::find_if(frameworks_.begin(), frameworks_.end(), [&](const Framework& f) { return f.name == name; });
      if (existing == frameworks_.end()) {
        frameworks_.push_back(Framework{name, name, {}, {}, {}, {}, {}});
        existing = frameworks_.end() - 1;
      }
      Framework& fw = *existing;
      if (auto d = fr.str("display"); !d.empty()) fw.display = d;
      for (auto& p : fr.strings("packages")) {
        p = inspect::normalize_name(p);
        if (std::find(fw.packages.begin(), fw.packages.end(), p) == fw.packages.end()) fw.packages.push_back(p);
      }
      if (fw.packages.empty()) fw.packages.push_back(inspect::normalize_name(name));
      if (auto ip = fr.str("imagePython"); !ip.empty()) {
        if (!inspect::SpecifierSet::parse(ip)) fr.fail("\"imagePython\" is not a specifier: " + ip);
        fw.image_python = ip;
      }
      for (auto& m : fr.strings("modules")) {
        if (std::find(fw.modules.begin(), fw.modules.end(), m) == fw.modules.end()) fw.modules.push_back(m);
      }
      if (const json* archs = fr.array("buildArchs")) {
        for (std::size_t k = 0; k < archs->size(); ++k) {
          Row ar((*archs)[k], where + ".buildArchs[" + std::to_string(k) + "]", origin);
          BuildArchs b{ar.str("releases", true), ar.str("cuda", true), ar.strings("archs"), ar.source("source", user)};
          if (!inspect::SpecifierSet::parse(b.releases) || !inspect::SpecifierSet::parse(b.cuda)) ar.fail("\"releases\" and \"cuda\" must be specifiers");
          // A user's row comes first: the first that matches is the one used.
          fw.build_archs.insert(user ? fw.build_archs.begin() : fw.build_archs.end(), std::move(b));
        }
      }
      const json* releases = fr.array("releases");
      if (!releases) fr.fail("\"releases\" is missing");
      for (std::size_t ri = 0; ri < releases->size(); ++ri) {
        std::string rwhere = where + ".releases[" + std::to_string(ri) + "]";
        Row rr((*releases)[ri], rwhere, origin);
        FrameworkRelease rel;
        rel.version = rr.version("version", true);
        rel.released = rr.str("released");
        rel.python = rr.str("python");
        if (!rel.python.empty() && !inspect::SpecifierSet::parse(rel.python)) rr.fail("\"python\" is not a specifier: " + rel.python);
        rel.python_source = rel.python.empty() ? "" : rr.source("pythonSource", user);
        rel.cuda = rr.strings("cuda");
        rel.cudnn = rr.str("cudnn");
        rel.pip = rr.str("pip");
        rel.source = rr.source("source", user);
        rel.user = user;
        const json* images = rr.array("images");
        if (!images) rr.fail("\"images\" is missing");
        for (std::size_t ii = 0; ii < images->size(); ++ii) {
          Row ir((*images)[ii], rwhere + ".images[" + std::to_string(ii) + "]", origin);
          FrameworkImage img;
          img.image = ir.str("image", true);
          img.kind = ir.str("kind", true);
          if (img.kind != "gpu" && img.kind != "cpu") ir.fail("\"kind\" must be gpu or cpu");
          img.flavor = ir.str("flavor");
          if (img.flavor.empty()) img.flavor = "runtime";
          if (img.flavor != "runtime" && img.flavor != "devel") ir.fail("\"flavor\" must be runtime or devel");
          img.cuda = ir.version("cuda");
          if (img.kind == "gpu" && img.cuda.empty()) ir.fail("a gpu image needs \"cuda\"");
          img.cudnn = ir.str("cudnn");
          img.python = ir.version("python");
          img.os = ir.str("os");
          for (auto& p : ir.strings("provides")) img.provides.push_back(inspect::normalize_name(p));
          img.source = ir.source("source", user);
          img.user = user;
          rel.images.push_back(std::move(img));
        }
        // A release given again (a user file) replaces the built-in one whole: its images are the point.
        upsert_front(fw.releases, std::move(rel), [](const FrameworkRelease& x) { return x.version; }, false);
      }
      std::sort(fw.releases.begin(), fw.releases.end(),
                [](const FrameworkRelease& a, const FrameworkRelease& b) { return version_less(a.version, b.version); });
    }
  }
}

const Framework* Catalog::framework(std::string_view name) const {
  for (const auto& f : frameworks_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const Framework* Catalog::framework_of_package(std::string_view package) const {
  for (const auto& f : frameworks_) {
    if (std::find(f.packages.begin(), f.packages.end(), package) != f.packages.end()) return &f;
  }
  return nullptr;
}

std::optional<std::string> Catalog::min_driver(std::string_view cuda) const {
  auto want = inspect::Version::parse(cuda);
  if (!want) return std::nullopt;
  std::optional<std::string> best;
  for (const auto& t : toolkits_) {
    auto have = inspect::Version::parse(t.cuda);
    if (!have) continue;
    // "11.3" matches every 11.3.x row; "11.3.1" matches only itself.
    bool match = true;
    for (std::size_t k = 0; k < want->release().size(); ++k) {
      long h = k < have->release().size() ? have->release()[k] : 0;
      if (h != want->release()[k]) match = false;
    }
    if (match && (!best || compare_driver(t.min_driver, *best) < 0)) best = t.min_driver;
  }
  return best;
}

const MinorCompat* Catalog::minor_compat(int cuda_major) const {
  for (const auto& m : minor_compat_) {
    if (m.cuda_major == cuda_major) return &m;
  }
  return nullptr;
}

std::string Catalog::max_cuda(std::string_view driver) const {
  std::optional<inspect::Version> best;
  for (const auto& t : toolkits_) {
    if (compare_driver(driver, t.min_driver) < 0) continue;
    auto v = inspect::Version::parse(t.cuda);
    if (v && (!best || *best < *v)) best = v;
  }
  return best ? best->major_minor() : "";
}

const CatalogSource* Catalog::source(std::string_view id) const {
  for (const auto& s : sources_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::string Catalog::cite(std::string_view id) const {
  if (const auto* s = source(id)) return s->title + " <" + s->url + ">";
  return std::string(id);
}

}  // namespace dlc::resolve
