// Imports whose wheels load system libraries that slim and CUDA images do not ship.
#include <algorithm>
#include <cstring>

#include "inspect/parsers.h"
#include "inspect/text.h"

namespace dlc::inspect {

namespace {

struct Need {
  std::string_view module;
  std::vector<std::string> packages;  // names valid on both Debian and Ubuntu
  std::string_view why;
};

// Sorted by module for binary search.
const std::vector<Need>& needs() {
  static const std::vector<Need> table = [] {
    std::vector<Need> t = {
        {"cv2", {"libgl1", "libglib2.0-0"}, "opencv-python's wheel loads libGL.so.1 and libgthread-2.0.so.0"},
        {"decord", {"libgl1"}, "decord's wheel links libGL"},
        {"dlib", {"build-essential", "cmake"}, "dlib has no Linux wheels for most versions and builds from source"},
        {"ffmpeg", {"ffmpeg"}, "ffmpeg-python runs the ffmpeg program"},
        {"git", {"git"}, "GitPython runs the git program"},
        {"graphviz", {"graphviz"}, "the graphviz package runs the dot program"},
        {"librosa", {"libsndfile1"}, "librosa reads audio through soundfile (libsndfile)"},
        {"lightgbm", {"libgomp1"}, "LightGBM's wheel links the GNU OpenMP runtime"},
        {"moviepy", {"ffmpeg"}, "moviepy runs the ffmpeg program"},
        {"mpi4py", {"libopenmpi-dev", "openmpi-bin"}, "mpi4py builds against and runs with an MPI implementation"},
        {"mujoco", {"libgl1", "libegl1"}, "MuJoCo's rendering loads libGL/libEGL"},
        {"open3d", {"libgl1", "libgomp1"}, "Open3D's wheel links libGL and the GNU OpenMP runtime"},
        {"pdf2image", {"poppler-utils"}, "pdf2image runs poppler's pdftoppm"},
        {"pyaudio", {"portaudio19-dev", "build-essential"}, "PyAudio builds against PortAudio"},
        {"pydub", {"ffmpeg"}, "pydub runs the ffmpeg program"},
        {"pyrender", {"libgl1", "libegl1"}, "pyrender renders through libGL/libEGL"},
        {"pytesseract", {"tesseract-ocr"}, "pytesseract runs the tesseract program"},
        {"soundfile", {"libsndfile1"}, "soundfile loads libsndfile"},
        {"tkinter", {"python3-tk"}, "tkinter needs Tk (for the system Python)"},
        {"whisper", {"ffmpeg"}, "openai-whisper runs the ffmpeg program to decode audio"},
    };
    std::sort(t.begin(), t.end(), [](const Need& a, const Need& b) { return a.module < b.module; });
    return t;
  }();
  return table;
}

const Need* lookup(std::string_view module) {
  const auto& t = needs();
  auto it = std::lower_bound(t.begin(), t.end(), module, [](const Need& n, std::string_view m) { return n.module < m; });
  return it != t.end() && it->module == module ? &*it : nullptr;
}

// Modules whose package is installed by compiling CUDA code with nvcc: NVIDIA apex (built from its
// repository with --cuda_ext; the `apex` on PyPI is an unrelated package), flash-attn and mamba-ssm
// (their kernels are built when no prebuilt wheel matches the torch/CUDA pair). The catalog's
// buildNeeds says the same of these packages when a requirement names them; an import is the
// evidence left when only the install document's `git clone` and `pip install ./` do. PyTorch
// Geometric's extensions (torch_scatter, torch_sparse, torch_cluster, torch_spline_conv) are sdists
// on PyPI: pip compiles them unless PyG's own wheel index is given (the resolver looks for it); so is
// TRAK's fast_jl.
bool built_with_nvcc(std::string_view module) {
  return module == "apex" || module == "flash_attn" || module == "mamba_ssm" || module == "torch_scatter" ||
         module == "torch_sparse" || module == "torch_cluster" || module == "torch_spline_conv" || module == "fast_jl";
}

bool ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void record(std::string_view module, const std::string& file, std::string_view text, std::size_t at, RepoFacts& out) {
  if (framework_module(module)) {
    record_framework_import(module, file, line_of(text, at), out);
    return;
  }
  if (built_with_nvcc(module)) {
    std::string kind = "build-import:" + std::string(module);
    bool seen = std::any_of(out.cuda_code.begin(), out.cuda_code.end(), [&](const CudaCode& c) { return c.kind == kind; });
    if (!seen) out.cuda_code.push_back(CudaCode{std::move(kind), Source{file, line_of(text, at)}});
    return;
  }
  const Need* need = lookup(module);
  if (!need) return;
  for (const auto& s : out.system_needs) {
    if (s.module == module) return;
  }
  out.system_needs.push_back(SystemNeed{std::string(module), need->packages, std::string(need->why), Source{file, line_of(text, at)}});
}

}  // namespace

std::optional<SystemNeed> system_need(std::string_view module, const Source& where) {
  const Need* need = lookup(module);
  if (!need) return std::nullopt;
  return SystemNeed{std::string(module), need->packages, std::string(need->why), where};
}

void scan_imports(std::string_view text, const std::string& file, RepoFacts& out) {
  // `import a.b as c, d` and `from a.b import c`: find each "import" keyword and look around it.
  const char* base = text.data();
  std::size_t n = text.size();
  std::size_t pos = 0;
  while (pos < n) {
    const void* hit = memmem(base + pos, n - pos, "import", 6);
    if (!hit) break;
    std::size_t at = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
    pos = at + 6;
    if ((at > 0 && ident(base[at - 1])) || (at + 6 < n && ident(base[at + 6]))) continue;
    // Start of the statement: back to the line start (or a notebook's JSON quote).
    std::size_t ls = at;
    while (ls > 0 && base[ls - 1] != '\n' && base[ls - 1] != '"') --ls;
    std::string_view head = trim(text.substr(ls, at - ls));
    if (starts_with(head, "from ")) {
      std::string_view mod = trim(head.substr(5));
      mod = mod.substr(0, mod.find_first_of(". \t"));
      if (!mod.empty()) record(mod, file, text, at, out);
      if (mod == "torch" && head.find("cpp_extension") != std::string_view::npos) {
        // `from torch.utils.cpp_extension import load`: kernels compiled at run time need nvcc.
        std::string_view tail = text.substr(at + 6, std::min<std::size_t>(80, n - at - 6));
        if (tail.find("load") != std::string_view::npos) {
          bool seen = std::any_of(out.cuda_code.begin(), out.cuda_code.end(), [](const CudaCode& c) { return c.kind == "jit-load"; });
          if (!seen) out.cuda_code.push_back(CudaCode{"jit-load", Source{file, line_of(text, at)}});
        }
      }
      continue;
    }
    if (!head.empty()) continue;  // "import" inside an expression or a string
    std::size_t i = at + 6;
    while (i < n && base[i] != '\n' && base[i] != '\\' && base[i] != ';' && base[i] != '"') {
      while (i < n && (base[i] == ' ' || base[i] == '\t' || base[i] == ',')) ++i;
      std::size_t start = i;
      while (i < n && ident(base[i])) ++i;
      if (i == start) break;
      record(text.substr(start, i - start), file, text, at, out);
      while (i < n && base[i] != ',' && base[i] != '\n' && base[i] != '\\' && base[i] != ';' && base[i] != '"') ++i;  // ".sub as x"
    }
  }
  // `torch.utils.cpp_extension.load(...)` or `cpp_extension.load_inline(...)` after a plain import of
  // the module: the same run-time compile as the `from ... import load` above.
  if (const void* call = memmem(base, n, "cpp_extension.load", 18)) {
    std::size_t at = static_cast<std::size_t>(static_cast<const char*>(call) - base);
    bool seen = std::any_of(out.cuda_code.begin(), out.cuda_code.end(), [](const CudaCode& c) { return c.kind == "jit-load"; });
    if (!seen) out.cuda_code.push_back(CudaCode{"jit-load", Source{file, line_of(text, at)}});
  }
  scan_removed_apis(text, file, out);
}

}  // namespace dlc::inspect
