// A Dockerfile's FROM lines.
#include <algorithm>
#include <map>

#include "inspect/parsers.h"
#include "inspect/text.h"

namespace dlc::inspect {

namespace {

// ${NAME}, ${NAME:-default} and $NAME from the ARG defaults seen before the first FROM.
std::string substitute(std::string_view text, const std::map<std::string, std::string>& args, bool& unresolved) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    std::string name, fallback;
    bool has_fallback = false;
    std::size_t j = i + 1;
    if (j < text.size() && text[j] == '{') {
      auto close = text.find('}', j);
      if (close == std::string_view::npos) {
        out += text.substr(i);
        break;
      }
      std::string_view inner = text.substr(j + 1, close - j - 1);
      if (auto dash = inner.find(":-"); dash != std::string_view::npos) {
        name = std::string(inner.substr(0, dash));
        fallback = std::string(inner.substr(dash + 2));
        has_fallback = true;
      } else {
        name = std::string(inner);
      }
      i = close;
    } else {
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) name += text[j++];
      i = j - 1;
    }
    auto it = args.find(name);
    if (it != args.end() && !it->second.empty()) {
      out += it->second;
    } else if (has_fallback) {
      out += fallback;
    } else {
      unresolved = true;
      out += "${" + name + "}";
    }
  }
  return out;
}

}  // namespace

void parse_dockerfile(std::string_view text, const std::string& file, RepoFacts& out) {
  std::map<std::string, std::string> args;
  std::vector<BaseImage> stages;
  std::string logical;
  int logical_line = 0, line_no = 0;
  for_each_line(text, [&](std::string_view raw) {
    ++line_no;
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = trim(line);
    if (logical.empty()) {
      logical_line = line_no;
      if (t.empty() || t[0] == '#') return;
    } else if (!t.empty() && t[0] == '#') {
      return;  // comments inside a continued instruction are dropped
    }
    if (ends_with(t, "\\")) {
      logical += std::string(t.substr(0, t.size() - 1)) + " ";
      return;
    }
    logical += std::string(t);
    std::string stmt = std::move(logical);
    logical.clear();
    std::string_view s = trim(stmt);
    auto space = s.find_first_of(" \t");
    std::string keyword = to_lower(s.substr(0, space));
    std::string_view rest = space == std::string_view::npos ? std::string_view{} : trim(s.substr(space));
    if (keyword == "run") {
      // The authors' own install commands (`RUN pip install torch==1.4.0`): evidence, weaker than a
      // requirements file, of group "dockerfile". Build arguments are substituted where they have defaults.
      bool unresolved = false;
      std::string cmd = substitute(rest, args, unresolved);
      std::size_t before = out.requirements.size();
      scan_install_commands(cmd, Source{file, logical_line}, out, "dockerfile", "dockerfile-url");
      if (unresolved) {
        // `torch==${VERSION}` without a default says nothing of the version.
        out.requirements.erase(std::remove_if(out.requirements.begin() + static_cast<std::ptrdiff_t>(before), out.requirements.end(),
                                              [](const Requirement& r) { return r.raw.find("${") != std::string::npos; }),
                               out.requirements.end());
      }
      return;
    }
    if (keyword == "arg" || keyword == "env") {
      if (keyword == "env" || !stages.empty()) {
        // After FROM, an ARG or ENV only gives values to later RUN lines.
        auto eq = rest.find('=');
        if (eq == std::string_view::npos) return;
        std::string name(trim(rest.substr(0, eq)));
        std::string value(trim(rest.substr(eq + 1)));
        value = value.substr(0, value.find(' '));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) value = value.substr(1, value.size() - 2);
        bool unresolved = false;
        args[name] = substitute(value, args, unresolved);
        return;
      }
    }
    if (keyword == "arg" && stages.empty()) {
      auto eq = rest.find('=');
      std::string name(trim(rest.substr(0, eq)));
      std::string value = eq == std::string_view::npos ? "" : std::string(trim(rest.substr(eq + 1)));
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      bool unresolved = false;  // an ARG default may use an earlier ARG
      args[name] = substitute(value, args, unresolved);
      return;
    }
    if (keyword != "from") return;
    std::vector<std::string_view> words;
    for (auto w : split(rest, ' ')) {
      if (!trim(w).empty()) words.push_back(trim(w));
    }
    std::size_t k = 0;
    while (k < words.size() && starts_with(words[k], "--")) ++k;  // --platform=...
    if (k >= words.size()) {
      out.warnings.push_back(Source{file, logical_line}.str() + ": FROM names no image");
      return;
    }
    BaseImage b;
    bool unresolved = false;
    b.image = substitute(words[k], args, unresolved);
    if (unresolved) out.warnings.push_back(Source{file, logical_line}.str() + ": FROM " + std::string(words[k]) + " uses a build argument without a default");
    if (k + 2 < words.size() && to_lower(words[k + 1]) == "as") b.stage = std::string(words[k + 2]);
    b.source = Source{file, logical_line};
    stages.push_back(std::move(b));
  });
  if (stages.empty()) return;
  stages.back().final_stage = true;
  for (auto& s : stages) out.dockerfiles.push_back(std::move(s));
}

}  // namespace dlc::inspect
