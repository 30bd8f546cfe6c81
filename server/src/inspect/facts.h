// What a repository says about the environment it needs, each fact with the file and line it came
// from. Produced by inspect/ (which only reads files), consumed by resolve/.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dlc::inspect {

// Where a fact was read: a path relative to the repository root, and a 1-based line (0: the file as a whole).
struct Source {
  std::string file;
  int line = 0;

  std::string str() const { return line > 0 ? file + ":" + std::to_string(line) : file; }
  bool operator==(const Source&) const = default;
};

// One requirement on a Python package, from any of the files that state them.
struct Requirement {
  std::string name;        // normalised (PEP 503): "torch", "tensorflow-gpu", "opencv-python"
  std::string raw;         // the requirement as it would be given to pip ("torch==1.11.0+cu113; python_version>'3.6'")
  std::string specifier;   // PEP 440 specifier ("==1.11.0+cu113"); conda and Poetry forms are translated
  std::vector<std::string> extras;
  std::string marker;      // environment marker, as written
  std::string url;         // a direct reference (name @ url, a VCS or wheel URL)
  std::string origin;      // pip | conda | pyproject | poetry | setup.py | readme
  std::string group;       // an optional group (pyproject extras, Poetry groups, requirements-dev.txt); "" : main
  bool editable = false;   // -e: the project itself or a local checkout, not a package to fetch
  bool weak = false;       // said in prose (README), not in a file a tool reads
  Source source;
};

// A version stated for something that is not a pip package: CUDA, cuDNN, Python, or a framework
// named in prose. spec is a PEP 440 specifier ("==11.3.*", ">=3.8").
struct VersionHint {
  std::string subject;  // cuda | cudnn | python | torch | tensorflow | paddlepaddle | cpu
  std::string spec;
  bool weak = false;    // prose (README) rather than a file a tool reads
  std::string text;     // what was read ("--extra-index-url https://download.pytorch.org/whl/cu113")
  Source source;
};

// An index or find-links option a requirements file gives pip; needed again at build time.
struct PipOption {
  std::string option;  // --extra-index-url | --index-url | --find-links | --trusted-host | --pre
  std::string value;
  Source source;
};

// A Dockerfile stage's base image.
struct BaseImage {
  std::string image;  // ARG defaults substituted
  std::string stage;  // "AS name", "" when unnamed
  bool final_stage = false;
  Source source;
};

// Something that compiles CUDA code: a CUDAExtension in setup.py, a .cu file, cpp_extension.load.
struct CudaCode {
  std::string kind;  // cuda-extension | build-extension | cpp-extension | cu-source | jit-load | build-import:MODULE
  Source source;
};

// A module the code imports whose wheel needs system libraries that slim images lack.
struct SystemNeed {
  std::string module;                 // "cv2"
  std::vector<std::string> packages;  // Debian/Ubuntu packages: "libgl1", "libglib2.0-0"
  std::string why;
  Source source;                      // the first import seen
};

// What the code itself shows: a framework it imports (kind "import": "torch", "tensorflow", "keras",
// "paddle", "mxnet"), or an API that a framework release removed (kind "api": "tf.Session",
// "torch.utils.ffi", "THC"). The first occurrence by path, and how many files show it.
struct CodeFact {
  std::string kind;     // import | api
  std::string subject;
  int files = 0;
  Source source;
};

struct RepoFacts {
  std::string root;            // absolute path of the repository
  std::string commit;          // HEAD's id; "" when not a git repository
  std::string commit_date;     // HEAD's committer date, YYYY-MM-DD; "" when unknown
  std::string origin_url;      // where it was cloned from, when it was
  std::vector<std::string> manifests;  // files read for requirements, in the order read
  std::vector<Requirement> requirements;
  std::vector<PipOption> pip_options;
  std::vector<std::string> conda_channels;
  std::vector<VersionHint> hints;
  std::vector<BaseImage> dockerfiles;
  std::vector<CudaCode> cuda_code;
  std::vector<SystemNeed> system_needs;
  std::vector<CodeFact> code;          // sorted by kind, then subject
  std::optional<Source> devcontainer;  // the repository's own devcontainer.json
  std::vector<std::string> warnings;   // files that could not be read as written ("env.yml:3: ...")
  std::size_t files_seen = 0;
};

void to_json(nlohmann::json& j, const Source& s);
void from_json(const nlohmann::json& j, Source& s);
void to_json(nlohmann::json& j, const Requirement& r);
void from_json(const nlohmann::json& j, Requirement& r);
void to_json(nlohmann::json& j, const VersionHint& h);
void from_json(const nlohmann::json& j, VersionHint& h);
void to_json(nlohmann::json& j, const PipOption& o);
void from_json(const nlohmann::json& j, PipOption& o);
void to_json(nlohmann::json& j, const BaseImage& b);
void from_json(const nlohmann::json& j, BaseImage& b);
void to_json(nlohmann::json& j, const CudaCode& c);
void from_json(const nlohmann::json& j, CudaCode& c);
void to_json(nlohmann::json& j, const SystemNeed& s);
void from_json(const nlohmann::json& j, SystemNeed& s);
void to_json(nlohmann::json& j, const CodeFact& c);
void from_json(const nlohmann::json& j, CodeFact& c);
void to_json(nlohmann::json& j, const RepoFacts& f);
void from_json(const nlohmann::json& j, RepoFacts& f);

}  // namespace dlc::inspect
