// What code says about its framework: which one it imports, and APIs that a release removed (so the
// code needs a release from before). Only the facts: what they mean for a version is the catalog's
// (resolve/), where each removal is cited.
#include <algorithm>
#include <cstring>

#include "inspect/parsers.h"
#include "inspect/text.h"

namespace dlc::inspect {

namespace {

bool ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool has(std::string_view text, std::string_view needle) {
  return memmem(text.data(), text.size(), needle.data(), needle.size()) != nullptr;
}

void add(RepoFacts& out, const char* kind, std::string_view subject, const std::string& file, int line) {
  for (const auto& c : out.code) {
    if (c.kind == kind && c.subject == subject) return;  // once per file: the first
  }
  out.code.push_back(CodeFact{kind, std::string(subject), 1, Source{file, line}});
}

// An API as code writes it. `tf1` marks those that TensorFlow 2 keeps only under tf.compat.v1: a
// file that imports `tensorflow.compat.v1 as tf` uses them on TensorFlow 2 as well.
struct ApiPattern {
  std::string_view needle;
  std::string_view api;
  bool tf1 = false;
};

constexpr ApiPattern kPythonApis[] = {
    {"tf.Session(", "tf.Session", true},
    {"tf.InteractiveSession(", "tf.Session", true},
    {"tf.placeholder(", "tf.placeholder", true},
    {"tf.app.flags", "tf.app.flags", true},
    {"tf.app.run(", "tf.app.run", true},
    {"tf.train.Optimizer", "tf.train.Optimizer", true},
    {"tf.variable_scope(", "tf.variable_scope", true},
    {"tf.get_variable(", "tf.get_variable", true},
    {"tf.global_variables_initializer(", "tf.global_variables_initializer", true},
    {"tf.ConfigProto(", "tf.ConfigProto", true},
    {"tf.contrib.", "tf.contrib"},
    {"tensorflow.contrib", "tf.contrib"},
    {"tensorflow.examples.tutorials", "tensorflow.examples.tutorials"},
    {"torch.utils.ffi", "torch.utils.ffi"},
    {"torch._six", "torch._six"},
    {"volatile=True", "volatile=True"},
    {"volatile = True", "volatile=True"},
};

// `loss.data[0]`, `total_loss.data[0]`: indexing a 0-dim tensor, the PyTorch 0.3 idiom for a scalar.
std::size_t loss_data_index(std::string_view text) {
  for (std::size_t pos = text.find(".data[0]"); pos != std::string_view::npos; pos = text.find(".data[0]", pos + 1)) {
    std::size_t start = pos;
    while (start > 0 && ident(text[start - 1])) --start;
    std::string name = to_lower(text.substr(start, pos - start));
    if (name.find("loss") != std::string::npos) return pos;
  }
  return std::string_view::npos;
}

// Python 2: a print statement ("print x", "print >>f, x") at the start of a line, or xrange(.
void scan_python2(std::string_view text, const std::string& file, RepoFacts& out) {
  for (std::size_t pos = text.find("xrange("); pos != std::string_view::npos; pos = text.find("xrange(", pos + 1)) {
    if (pos > 0 && (ident(text[pos - 1]) || text[pos - 1] == '.')) continue;
    add(out, "api", "xrange", file, line_of(text, pos));
    break;
  }
  for (std::size_t pos = text.find("print"); pos != std::string_view::npos; pos = text.find("print", pos + 1)) {
    std::size_t ls = pos;
    while (ls > 0 && (text[ls - 1] == ' ' || text[ls - 1] == '\t')) --ls;
    if (ls > 0 && text[ls - 1] != '\n') continue;  // not at the start of a statement
    std::size_t k = pos + 5;
    if (k >= text.size() || text[k] != ' ') continue;
    while (k < text.size() && text[k] == ' ') ++k;
    if (k >= text.size()) continue;
    char c = text[k];
    // "print (x)" and "print = ..." are Python 3 too; a string, a name or ">>" after a space is Python 2.
    if (c == '"' || c == '\'' || c == '>' || std::isalpha(static_cast<unsigned char>(c))) {
      add(out, "api", "print-statement", file, line_of(text, pos));  // no spaces: the import cache splits entries on them
      break;
    }
  }
}

}  // namespace

bool framework_module(std::string_view module) {
  return module == "torch" || module == "tensorflow" || module == "keras" || module == "paddle" || module == "mxnet" || module == "jax";
}

void record_framework_import(std::string_view module, const std::string& file, int line, RepoFacts& out) {
  if (framework_module(module)) add(out, "import", module, file, line);
}

void scan_removed_apis(std::string_view text, const std::string& file, RepoFacts& out) {
  scan_python2(text, file, out);
  // One look for each family first: most files name neither, and the patterns are many.
  bool tf = has(text, "tf.") || has(text, "tensorflow.");
  bool torch = has(text, "torch") || has(text, "volatile");
  if (!tf && !torch) return;
  bool v1_alias = tf && has(text, "tensorflow.compat.v1 as tf");
  for (const auto& p : kPythonApis) {
    bool tf_pattern = starts_with(p.needle, "tf") || starts_with(p.needle, "tensorflow");
    if (tf_pattern ? !tf : !torch) continue;
    if (p.tf1 && v1_alias) continue;
    for (std::size_t pos = text.find(p.needle); pos != std::string_view::npos; pos = text.find(p.needle, pos + 1)) {
      if (pos > 0 && (ident(text[pos - 1]) || text[pos - 1] == '.')) continue;  // "xtf.", "v1.tf."
      add(out, "api", p.api, file, line_of(text, pos));
      break;
    }
  }
  if (!torch) return;
  if (auto pos = loss_data_index(text); pos != std::string_view::npos) add(out, "api", "loss.data[0]", file, line_of(text, pos));
}

void scan_cpp_source(std::string_view text, const std::string& file, RepoFacts& out) {
  // Includes of PyTorch's C++ API: the extension is PyTorch's; THC went away in PyTorch 1.11, AT_CHECK in 1.5.
  for (std::string_view header : {"torch/extension.h", "torch/torch.h", "ATen/ATen.h"}) {
    if (auto pos = text.find(header); pos != std::string_view::npos) {
      add(out, "import", "torch", file, line_of(text, pos));
      break;
    }
  }
  for (std::string_view header : {"THC/THC.h", "THC/THCAtomics.cuh", "THC/THCDeviceUtils.cuh", "THCState"}) {
    if (auto pos = text.find(header); pos != std::string_view::npos) {
      add(out, "api", "THC", file, line_of(text, pos));
      break;
    }
  }
  for (std::size_t pos = text.find("AT_CHECK("); pos != std::string_view::npos; pos = text.find("AT_CHECK(", pos + 1)) {
    if (pos > 0 && ident(text[pos - 1])) continue;  // TORCH_AT_CHECK, a macro of the repository's own
    add(out, "api", "AT_CHECK", file, line_of(text, pos));
    break;
  }
}

}  // namespace dlc::inspect
