// The compatibility catalog: which official images exist for each framework release (with their
// CUDA, cuDNN, Python and OS), the nvidia/cuda and python base images, NVIDIA's minimum Linux driver
// for each CUDA toolkit, and CUDA 11/12/13 minor-version compatibility. Built into the binary from
// server/catalog/*.json (schemas/catalog.schema.json) and overridable by a user file.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::resolve {

struct CatalogSource {
  std::string id;
  std::string title;
  std::string url;
};

struct FrameworkImage {
  std::string image;
  std::string kind;    // gpu | cpu
  std::string flavor;  // runtime | devel ("" : runtime)
  std::string cuda;    // "11.3"; "" for cpu images
  std::string cudnn;
  std::string python;  // "" when the catalog does not record it
  std::string os;
  std::vector<std::string> provides;
  std::string source;
  bool user = false;   // from a user catalog file
};

struct FrameworkRelease {
  std::string version;
  std::string released;  // YYYY-MM-DD or YYYY-MM
  std::string python;    // PEP 440 specifier of supported Pythons; "" : not recorded
  std::string python_source;
  std::vector<std::string> cuda;
  std::string cudnn;
  std::string pip;       // installs it on a plain Python image; "" : not recorded
  std::string source;
  std::vector<FrameworkImage> images;
  bool user = false;
};

// The GPU architectures (TORCH_CUDA_ARCH_LIST entries: "8.0", "8.6+PTX") of the binaries that the
// images of some releases and CUDA versions install.
struct BuildArchs {
  std::string releases;  // PEP 440 specifier
  std::string cuda;      // PEP 440 specifier
  std::vector<std::string> archs;
  std::string source;
};

struct Framework {
  std::string name;     // pytorch | tensorflow | paddlepaddle
  std::string display;  // PyTorch
  std::vector<std::string> packages;
  std::vector<std::string> modules;        // imports that mean this framework: torch; tensorflow, keras
  std::string image_python;                // PEP 440 specifier of the Python of its images that record none (">=3")
  std::vector<FrameworkRelease> releases;  // ascending by version
  std::vector<BuildArchs> build_archs;
};

// A package that works with only some releases of a framework: each row maps versions of the package
// (a specifier) to the releases (a specifier) it works with.
struct Companion {
  std::string package;
  std::string framework;
  std::vector<std::pair<std::string, std::string>> versions;
  std::string source;
};

// An API that a framework release removed: code using it needs a release below `below`.
struct RemovedApi {
  std::string api;
  std::string framework;
  std::string below;
  std::string why;
  std::string source;
};

// The NGC containers of one monthly release: their CUDA, and the lowest driver of each branch that
// runs them on a data center GPU through the forward-compatibility package they carry.
struct NgcRelease {
  std::string release;  // "21.06"
  std::string cuda;     // "11.3.1"
  std::vector<std::string> data_center_drivers;
  std::vector<std::string> images;
  std::string source;
};

struct CudaImage {
  std::string image;
  std::string cuda;
  std::string cudnn;
  std::string flavor;  // base | runtime | devel
  std::string os;
  std::string python;  // usually none
  std::string source;
  bool user = false;
};

struct PythonImage {
  std::string image;
  std::string python;
  std::string released;
  std::string os;
  std::string source;
  bool user = false;
};

struct ToolkitDriver {
  std::string cuda;     // full version, "11.3.1"
  std::string release;  // "CUDA 11.3.1 Update 1"
  std::string min_driver;
  std::string source;
};

struct MinorCompat {
  int cuda_major = 0;
  std::string min_driver;
  std::string note;
  std::string source;
};

struct BuildNeed {
  std::string package;
  std::string why;
  std::string source;
};

class Catalog {
 public:
  // The built-in catalog only.
  static Catalog builtin();
  // The built-in catalog merged with `file` when given (Error{ConfigInvalid} when it cannot be read),
  // else with $XDG_CONFIG_HOME/dlcontainer/catalog.json (~/.config/...) when that exists.
  static Catalog load(const std::optional<std::filesystem::path>& file);
  // The user file that load() reads when none is given: "" when there is none.
  static std::filesystem::path default_user_file();

  // Merges one document of catalog.schema.json's shape. `origin` names it in errors and as the
  // source of its rows ("built-in pytorch.json", "/home/u/.config/dlcontainer/catalog.json").
  // Throws Error{ConfigInvalid} naming the row that is wrong.
  void merge(const nlohmann::json& doc, const std::string& origin, bool user);

  const std::vector<Framework>& frameworks() const { return frameworks_; }
  const std::vector<CudaImage>& cuda_images() const { return cuda_images_; }
  const std::vector<PythonImage>& python_images() const { return python_images_; }
  const std::vector<ToolkitDriver>& toolkits() const { return toolkits_; }
  const std::vector<BuildNeed>& build_needs() const { return build_needs_; }
  const std::vector<Companion>& companions() const { return companions_; }
  const std::vector<RemovedApi>& removed_apis() const { return removed_apis_; }
  const std::vector<NgcRelease>& ngc_releases() const { return ngc_releases_; }
  const std::vector<std::string>& origins() const { return origins_; }

  const Framework* framework(std::string_view name) const;
  // The framework a pip package is ("torch" -> pytorch, "tensorflow-gpu" -> tensorflow).
  const Framework* framework_of_package(std::string_view package) const;
  // The framework an import means ("torch" -> pytorch, "keras" -> tensorflow).
  const Framework* framework_of_module(std::string_view module) const;
  const Companion* companion(std::string_view package) const;
  const RemovedApi* removed_api(std::string_view api) const;
  // The architectures of a release's image of this CUDA; nullptr when the catalog does not record them.
  const BuildArchs* build_archs(const Framework& fw, std::string_view release, std::string_view cuda) const;
  // The NGC release an nvcr.io image belongs to, when the catalog has it.
  const NgcRelease* ngc_release_of(std::string_view image) const;
  // The lowest driver of any toolkit of this CUDA ("11.3" -> 465.19.01; "11.0.3" -> 450.51.06).
  std::optional<std::string> min_driver(std::string_view cuda) const;
  const MinorCompat* minor_compat(int cuda_major) const;
  // The newest CUDA (major.minor) a driver runs natively, by the toolkit table; "" when older than all.
  std::string max_cuda(std::string_view driver) const;
  const CatalogSource* source(std::string_view id) const;
  // "title <url>" of a source id, for explanations; the id itself when unknown.
  std::string cite(std::string_view id) const;

 private:
  void merge_frameworks(const nlohmann::json& doc, const std::string& origin, bool user);
  // companions, removedApis, ngcReleases (catalog_rules.cpp)
  void merge_rules(const nlohmann::json& doc, const std::string& origin, bool user);

  std::vector<CatalogSource> sources_;
  std::vector<Framework> frameworks_;
  std::vector<CudaImage> cuda_images_;
  std::vector<PythonImage> python_images_;
  std::vector<ToolkitDriver> toolkits_;
  std::vector<MinorCompat> minor_compat_;
  std::vector<BuildNeed> build_needs_;
  std::vector<Companion> companions_;
  std::vector<RemovedApi> removed_apis_;
  std::vector<NgcRelease> ngc_releases_;
  std::vector<std::string> origins_;
};

// Compares NVIDIA driver versions ("515.48.07" < "520.61.05"); -1, 0, 1. Non-numbers compare as 0.
int compare_driver(std::string_view a, std::string_view b);

}  // namespace dlc::resolve
