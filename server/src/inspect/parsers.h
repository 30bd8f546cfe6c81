// Readers for the files in which a repository states its environment. Each appends what it finds
// to a RepoFacts with the file and line, and turns what it cannot read into a warning rather than an
// error: a broken line in one file must not hide the facts in the others. None executes anything.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "inspect/facts.h"

namespace dlc::inspect {

// Reads another file of the repository (for -r includes), by path relative to the root; nullopt
// when it does not exist or cannot be read.
using FileReader = std::function<std::optional<std::string>(const std::string& relative_path)>;

// One PEP 508 requirement ("torch[cuda]>=1.4,<2; python_version>'3.6'", "pkg @ https://..."),
// without pip's per-line options. nullopt when the text is not a requirement; *why says why.
std::optional<Requirement> parse_requirement(std::string_view text, const Source& where, std::string* why = nullptr);

// requirements*.txt: comments, line continuations, -r/-c includes (followed through `read`, cycles
// and depth bounded), -e, index and find-links options, per-requirement --hash options.
// A requirement line pip reads as a local project's path ("./lib", "submodules/simple-knn"): an
// editable requirement named by its last folder; nullopt when the line is not a path.
std::optional<Requirement> local_path_requirement(std::string_view stmt, const Source& where);

// `group` is given to every requirement read ("" for the main file, "dev" for requirements-dev.txt).
void parse_requirements(std::string_view text, const std::string& file, const FileReader& read, RepoFacts& out,
                        const std::string& group = "");

// conda environment.yml: python, cudatoolkit/cuda-version/pytorch-cuda, cudnn, channels, the
// conda packages (translated to specifiers) and the pip: section.
void parse_environment_yml(std::string_view text, const std::string& file, RepoFacts& out, const std::string& group = "");

// One conda match spec ("pytorch=1.7", "cudatoolkit=10.1", "python=3.8"): a requirement, or a
// hint for the packages that are CUDA, cuDNN or Python themselves.
void add_conda_spec(std::string_view spec, const Source& where, RepoFacts& out, const std::string& group, bool weak);

// cog.yaml (Replicate's Cog): build.python_packages and build.python_requirements as requirements of
// group "cog" (the image the repository publishes its model in), build.run's pip commands,
// build.python_version and build.cuda as hints.
void parse_cog_yaml(std::string_view text, const std::string& file, const FileReader& read, RepoFacts& out);

// pyproject.toml: PEP 621 dependencies, requires-python and optional groups; Poetry's dependency
// tables, groups and sources; uv's indexes.
void parse_pyproject(std::string_view text, const std::string& file, RepoFacts& out);

// setup.py read as text: install_requires and python_requires (when `root`), and anything that
// builds CUDA code (CUDAExtension, BuildExtension, CppExtension) wherever the file is.
void parse_setup_py(std::string_view text, const std::string& file, RepoFacts& out, bool root);

// A shell script (make.sh, compile.sh) that runs nvcc: CUDA code built, as a setup.py's nvcc would be.
void scan_build_script(std::string_view text, const std::string& file, RepoFacts& out);

// setup.cfg: [options] install_requires and python_requires.
void parse_setup_cfg(std::string_view text, const std::string& file, RepoFacts& out);

// A Dockerfile's FROM lines (ARG defaults substituted; the last stage marked final).
void parse_dockerfile(std::string_view text, const std::string& file, RepoFacts& out);

// README prose and install commands: "tested with PyTorch 1.4 and CUDA 10.1", "Python 3.7+",
// `pip install torch==1.4.0`, `conda install pytorch=1.4 cudatoolkit=10.1`. Every fact is weak.
void parse_readme(std::string_view text, const std::string& file, RepoFacts& out);

// The repository's own documents about installing that a README links to ("[Installation](g3doc/
// setup/installation.md)"): relative paths of .md/.rst/.txt files named for install, setup or getting
// started, in the order linked.
std::vector<std::string> linked_install_documents(std::string_view text);

// `pip install ...` and `conda install ...` commands on one shell line (chained with ; && |): their
// requirements (weak, of `group`: "readme", "dockerfile") and URLs (as PipOptions named `url_option`).
// True when the line holds such a command.
bool scan_install_commands(std::string_view line, const Source& where, RepoFacts& out, const std::string& group,
                           const std::string& url_option);

// Imports whose wheels need system libraries, and JIT-compiled CUDA (torch.utils.cpp_extension.load).
// `seen` collects modules already reported so that only the first import of each is kept.
void scan_imports(std::string_view text, const std::string& file, RepoFacts& out);

// Frameworks the code imports and APIs a framework release removed (code_facts.cpp), as CodeFacts.
bool framework_module(std::string_view module);
void record_framework_import(std::string_view module, const std::string& file, int line, RepoFacts& out);
void scan_removed_apis(std::string_view text, const std::string& file, RepoFacts& out);
// A C++ or CUDA source: PyTorch's extension headers (the code is a PyTorch extension) and THC.
void scan_cpp_source(std::string_view text, const std::string& file, RepoFacts& out);

// The system packages a module's wheel needs, when it is one that needs some.
std::optional<SystemNeed> system_need(std::string_view module, const Source& where);

// Facts that follow from others: a CUDA version named by an index URL (".../whl/cu113"), a local
// version ("+cu113"), a PaddlePaddle post-release ("post117"), a cupy-cudaXXX package. Run once
// after every file has been read.
void derive_hints(RepoFacts& facts);

}  // namespace dlc::inspect
