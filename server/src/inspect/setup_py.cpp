// setup.py (read as text, never run) and setup.cfg.
#include <algorithm>

#include "inspect/parsers.h"
#include "inspect/text.h"
#include "inspect/version.h"

namespace dlc::inspect {

namespace {

bool is_ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Finds `word` as a whole identifier at or after `from`, outside comments and strings is not checked:
// setup.py files are small and plain, and a false hit only adds a fact that a human can see the source of.
std::size_t find_word(std::string_view text, std::string_view word, std::size_t from) {
  for (std::size_t pos = text.find(word, from); pos != std::string_view::npos; pos = text.find(word, pos + 1)) {
    bool left = pos == 0 || !is_ident(text[pos - 1]);
    bool right = pos + word.size() >= text.size() || !is_ident(text[pos + word.size()]);
    if (left && right) return pos;
  }
  return std::string_view::npos;
}

bool in_comment(std::string_view text, std::size_t pos) {
  std::size_t line_start = text.rfind('\n', pos);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  std::string_view before = text.substr(line_start, pos - line_start);
  return before.find('#') != std::string_view::npos;
}

// Reads a Python string literal at text[i] ('...', "...", '''...''', r"..."); returns its value and
// moves i past it. nullopt when there is none.
std::optional<std::string> read_string(std::string_view text, std::size_t& i) {
  std::size_t k = i;
  while (k < text.size() && (text[k] == 'r' || text[k] == 'R' || text[k] == 'u' || text[k] == 'U' || text[k] == 'b')) ++k;
  if (k >= text.size() || (text[k] != '"' && text[k] != '\'')) return std::nullopt;
  char q = text[k];
  bool triple = k + 2 < text.size() && text[k + 1] == q && text[k + 2] == q;
  std::size_t start = k + (triple ? 3 : 1);
  std::string value;
  for (std::size_t m = start; m < text.size(); ++m) {
    if (text[m] == '\\' && m + 1 < text.size()) {
      value += text[m + 1];
      ++m;
      continue;
    }
    if (triple ? (m + 2 < text.size() && text[m] == q && text[m + 1] == q && text[m + 2] == q) : text[m] == q) {
      i = m + (triple ? 3 : 1);
      return value;
    }
    if (!triple && text[m] == '\n') return std::nullopt;
    value += text[m];
  }
  return std::nullopt;
}

// The string literals of the list after `key=` or `"key":`; false when the value is not a literal list.
bool read_list_after(std::string_view text, std::size_t key_end, const std::string& file,
                     const std::function<void(std::string, Source)>& each) {
  std::size_t i = key_end;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '"' || text[i] == '\'')) ++i;
  if (i >= text.size() || (text[i] != '=' && text[i] != ':')) return false;
  ++i;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i >= text.size() || (text[i] != '[' && text[i] != '(')) return false;
  char close = text[i] == '[' ? ']' : ')';
  ++i;
  while (i < text.size()) {
    char c = text[i];
    if (c == close) return true;
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    std::size_t at = i;
    if (auto s = read_string(text, i)) {
      each(*s, Source{file, line_of(text, at)});
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++i;
      continue;
    }
    return false;  // a name, a call, a comprehension: not something to read without running it
  }
  return false;
}

}  // namespace

void scan_build_script(std::string_view text, const std::string& file, RepoFacts& out) {
  int line_no = 0;
  for_each_line(text, [&](std::string_view line) {
    ++line_no;
    std::string_view cmd = trim(line);
    if (cmd.empty() || cmd.front() == '#') return;
    // The command word: "nvcc -c ...", "$CUDA_HOME/bin/nvcc ...", "/usr/local/cuda/bin/nvcc ...".
    std::string_view word = cmd.substr(0, cmd.find_first_of(" \t"));
    if (word != "nvcc" && !ends_with(word, "/nvcc")) return;
    bool seen = std::any_of(out.cuda_code.begin(), out.cuda_code.end(), [](const CudaCode& c) { return c.kind == "nvcc-build"; });
    if (!seen) out.cuda_code.push_back(CudaCode{"nvcc-build", Source{file, line_no}});
  });
}

void parse_setup_py(std::string_view text, const std::string& file, RepoFacts& out, bool root) {
  // What builds CUDA code: the reason an image needs nvcc (a -devel image).
  struct Marker {
    std::string_view word;
    const char* kind;
  };
  for (auto [word, kind] : {Marker{"CUDAExtension", "cuda-extension"}, Marker{"BuildExtension", "build-extension"},
                            Marker{"CppExtension", "cpp-extension"}, Marker{"nvcc", "nvcc-build"}}) {
    for (std::size_t pos = find_word(text, word, 0); pos != std::string_view::npos; pos = find_word(text, word, pos + 1)) {
      if (in_comment(text, pos)) continue;
      // An import line names it without using it; the use is what matters, but either says the same.
      out.cuda_code.push_back(CudaCode{kind, Source{file, line_of(text, pos)}});
      break;
    }
  }
  if (!root) return;
  if (std::find(out.manifests.begin(), out.manifests.end(), file) == out.manifests.end()) out.manifests.push_back(file);
  for (std::size_t pos = find_word(text, "install_requires", 0); pos != std::string_view::npos;
       pos = find_word(text, "install_requires", pos + 1)) {
    if (in_comment(text, pos)) continue;
    bool literal = read_list_after(text, pos + 16, file, [&](std::string req_text, Source at) {
      std::string why;
      if (auto req = parse_requirement(req_text, at, &why)) {
        req->origin = "setup.py";
        out.requirements.push_back(std::move(*req));
      } else {
        out.warnings.push_back(at.str() + ": " + why);
      }
    });
    if (!literal) {
      out.warnings.push_back(Source{file, line_of(text, pos)}.str() +
                             ": install_requires is computed, not a literal list; read what it reads instead");
    }
  }
  if (auto pos = find_word(text, "python_requires", 0); pos != std::string_view::npos && !in_comment(text, pos)) {
    std::size_t i = pos + 15;
    if (i < text.size() && (text[i] == '"' || text[i] == '\'')) ++i;  // the key's closing quote, in dict form
    auto skip_blanks = [&] {
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    };
    skip_blanks();
    bool assigned = i < text.size() && (text[i] == '=' || text[i] == ':');
    if (assigned) ++i;
    skip_blanks();
    std::size_t at = i;
    if (auto s = assigned ? read_string(text, i) : std::nullopt) {
      std::string compact;
      for (char c : *s) {
        if (c != ' ') compact += c;
      }
      if (SpecifierSet::parse(compact)) {
        out.hints.push_back(VersionHint{"python", compact, false, "python_requires=\"" + *s + "\"", Source{file, line_of(text, at)}});
      }
    }
  }
}

void parse_setup_cfg(std::string_view text, const std::string& file, RepoFacts& out) {
  std::string section;
  bool in_requires = false;
  int line_no = 0;
  bool any = false;
  for_each_line(text, [&](std::string_view raw) {
    ++line_no;
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = trim(line);
    if (starts_with(t, "[") && ends_with(t, "]")) {
      section = std::string(t.substr(1, t.size() - 2));
      in_requires = false;
      return;
    }
    if (section != "options") return;
    bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    if (!continuation) {
      in_requires = false;
      auto eq = t.find('=');
      if (eq == std::string_view::npos) return;
      std::string_view key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
      if (key == "install_requires") {
        in_requires = true;
        t = value;
      } else if (key == "python_requires") {
        std::string compact;
        for (char c : value) {
          if (c != ' ') compact += c;
        }
        if (SpecifierSet::parse(compact)) {
          out.hints.push_back(VersionHint{"python", compact, false, std::string(t), Source{file, line_no}});
        }
        return;
      } else {
        return;
      }
    }
    if (!in_requires || t.empty() || t[0] == '#') return;
    std::string why;
    if (auto req = parse_requirement(t, Source{file, line_no}, &why)) {
      req->origin = "setup.py";
      out.requirements.push_back(std::move(*req));
      any = true;
    } else {
      out.warnings.push_back(Source{file, line_no}.str() + ": " + why);
    }
  });
  if (any && std::find(out.manifests.begin(), out.manifests.end(), file) == out.manifests.end()) out.manifests.push_back(file);
}

}  // namespace dlc::inspect
