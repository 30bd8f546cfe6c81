// README prose and the install commands it shows: weak facts, used when nothing stronger says otherwise.
#include "inspect/parsers.h"
#include "inspect/text.h"
#include "inspect/version.h"

namespace dlc::inspect {

namespace {

struct Keyword {
  std::string_view word;
  const char* subject;
  bool major_alone;  // "CUDA 11" names a version; "Python 3" is too vague to use
};

constexpr Keyword kKeywords[] = {
    {"pytorch", "torch", false},     {"torch", "torch", false}, {"tensorflow", "tensorflow", false}, {"tf", "tensorflow", false},
    {"paddlepaddle", "paddlepaddle", false}, {"cudnn", "cudnn", true}, {"cuda", "cuda", true},
    {"python", "python", false},
};

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Reads "<sep> [version] [op] v?1.4.0 [+| or later]" after a keyword; fills spec.
bool read_version_after(std::string_view low, std::size_t i, bool major_alone, std::string& spec) {
  auto skip = [&](std::string_view chars) {
    while (i < low.size() && chars.find(low[i]) != std::string_view::npos) ++i;
  };
  skip(" \t:`*(");
  // A Markdown link on the name: "[TensorFlow](https://www.tensorflow.org/) 1.15".
  if (starts_with(low.substr(i), "](")) {
    auto close = low.find(')', i);
    if (close == std::string_view::npos) return false;
    i = close + 1;
    skip(" \t:`*");
  }
  for (std::string_view w : {"version ", "ver. ", "ver "}) {
    if (starts_with(low.substr(i), w)) {
      i += w.size();
      skip(" \t");
    }
  }
  std::string op = "==";
  for (std::string_view o : {">=", "<=", "==", "~=", ">", "<", "="}) {
    if (starts_with(low.substr(i), o)) {
      op = o == "=" ? "==" : std::string(o);
      i += o.size();
      break;
    }
  }
  if (starts_with(low.substr(i), "\u2265")) {  // ≥
    op = ">=";
    i += 3;
  }
  skip(" \t");
  // "v1.4"; TensorFlow's own docs name releases "r1.7".
  if (i + 1 < low.size() && (low[i] == 'v' || low[i] == 'r') && std::isdigit(static_cast<unsigned char>(low[i + 1]))) ++i;
  std::size_t start = i;
  int dots = 0;
  while (i < low.size() && (std::isdigit(static_cast<unsigned char>(low[i])) ||
                            (low[i] == '.' && i + 1 < low.size() && std::isdigit(static_cast<unsigned char>(low[i + 1]))))) {
    dots += low[i] == '.';
    ++i;
  }
  if (i == start) return false;
  if (i < low.size() && (std::isalpha(static_cast<unsigned char>(low[i])) || low[i] == '_')) return false;  // "10.1a", "3d"
  if (dots == 0 && !major_alone) return false;
  std::string version(low.substr(start, i - start));
  if (version.size() > 12) return false;
  if (op == "==") {
    // A range: "1.9.1 to 1.12.0", "`1.1`~`1.10`", "1.4-1.6": from the first through the last's minor.
    std::size_t j = i;
    while (j < low.size() && (low[j] == '`' || low[j] == '*')) ++j;
    std::string_view rest = low.substr(j);
    for (std::string_view sep : {" to ", " - ", "~", "-"}) {
      if (!starts_with(rest, sep)) continue;
      std::size_t k = j + sep.size();
      while (k < low.size() && (low[k] == ' ' || low[k] == '`' || low[k] == '*' || low[k] == 'v')) ++k;
      std::size_t last_start = k;
      while (k < low.size() && (std::isdigit(static_cast<unsigned char>(low[k])) || (low[k] == '.' && k + 1 < low.size() && std::isdigit(static_cast<unsigned char>(low[k + 1]))))) ++k;
      std::string last_text(low.substr(last_start, k - last_start));
      auto last = Version::parse(last_text);
      auto first = Version::parse(version);
      // A year ("PyTorch 1.0 - 2019") or anything more than a major apart is no range of releases.
      if (k == last_start || !last || !first || *last < *first || last->major() > first->major() + 1 ||
          (k < low.size() && std::isalpha(static_cast<unsigned char>(low[k])))) {
        break;
      }
      std::string upper = last_text.find('.') != std::string::npos ? std::to_string(last->major()) + "." + std::to_string(last->minor() + 1)
                                                                   : std::to_string(last->major() + 1);
      spec = ">=" + version + ",<" + upper;
      return SpecifierSet::parse(spec).has_value();
    }
  }
  std::string_view after = low.substr(i);
  bool at_least = starts_with(after, "+") || starts_with(after, " or later") || starts_with(after, " or higher") ||
                  starts_with(after, " or newer") || starts_with(after, " or above") || starts_with(after, " and above") ||
                  starts_with(after, " and later") || starts_with(after, " and higher");
  if (at_least && op == "==") op = ">=";
  spec = op == "==" ? "==" + version + ".*" : op + version;
  return SpecifierSet::parse(spec).has_value();
}

// A clause that negates ("will not work with 1.0"), names a nightly or preview build, or speaks of the
// future ("we hope to support TensorFlow 2.0") states no release to use.
bool states_no_release(std::string_view low) {
  for (std::string_view w : {"not ", "n't", "no longer", "never", "nightly", "preview", "incompatible", "hope",
                             "future", "plan to", "planned", "will support", "coming soon", "todo"}) {
    if (low.find(w) != std::string_view::npos) return true;
  }
  return false;
}

// What a clause named: any framework, CUDA or Python at all; and the framework it named without a
// version ("You should first install PyTorch", "A basic TensorFlow installation"), whose version the
// next clause may give without naming it again ("The code has been tested with 1.9.1 to 1.12.0", "The
// code follows r1.2 format": TensorFlow's own release names).
struct Named {
  bool any = false;
  const char* without_version = nullptr;
};

void add_hint(const char* subject, const std::string& spec, std::string_view line, const Source& where, RepoFacts& out) {
  // Skip repeats of the same fact on one line ("PyTorch 1.4 (torch 1.4)").
  for (const auto& h : out.hints) {
    if (h.source == where && h.subject == subject && h.spec == spec) return;
  }
  std::string text(trim(line));
  if (text.size() > 160) text = text.substr(0, 157) + "...";
  out.hints.push_back(VersionHint{subject, spec, true, text, where});
}

// "r1.2" standing alone (TensorFlow names its releases so): the release as a hint of TensorFlow.
bool scan_release_name(std::string_view line, const Source& where, RepoFacts& out) {
  std::string low = to_lower(line);
  // "check out the r1.0 branch": the name of a branch, for users of that release.
  if (states_no_release(low) || low.find("branch") != std::string::npos) return false;
  for (std::size_t pos = low.find('r'); pos != std::string::npos; pos = low.find('r', pos + 1)) {
    if (pos > 0 && word_char(low[pos - 1])) continue;
    std::string spec;
    if (pos + 1 < low.size() && std::isdigit(static_cast<unsigned char>(low[pos + 1])) && read_version_after(low, pos, false, spec)) {
      add_hint("tensorflow", spec, line, where, out);
      return true;
    }
  }
  return false;
}

// "tested with 1.9.1 to 1.12.0" in a clause that names nothing: the version of `subject`, named just before.
bool scan_tested_versions(std::string_view line, const char* subject, const Source& where, RepoFacts& out) {
  std::string low = to_lower(line);
  if (states_no_release(low)) return false;
  for (std::string_view phrase : {"tested with", "tested on", "tested using", "tested against", "works with", "compatible with"}) {
    auto pos = low.find(phrase);
    if (pos == std::string::npos) continue;
    std::string spec;
    if (read_version_after(low, pos + phrase.size(), false, spec)) {
      add_hint(subject, spec, line, where, out);
      return true;
    }
  }
  return false;
}

Named scan_sentence(std::string_view line, const Source& where, RepoFacts& out) {
  std::string low = to_lower(line);
  Named named;
  if (states_no_release(low)) return named;
  for (const auto& kw : kKeywords) {
    for (std::size_t pos = low.find(kw.word); pos != std::string::npos; pos = low.find(kw.word, pos + 1)) {
      if (pos > 0 && word_char(low[pos - 1])) continue;
      std::size_t end = pos + kw.word.size();
      // "torch" inside "pytorch" was taken by "pytorch"; "torchvision", "cuda_visible" are other words.
      if (end < low.size() && (std::isalpha(static_cast<unsigned char>(low[end])) || low[end] == '_')) continue;
      std::string spec;
      if (kw.subject == std::string_view("cuda") && end < low.size() && std::isdigit(static_cast<unsigned char>(low[end]))) {
        // Glued to the word, the digits are a build tag ("cuda101", "cuda110": JAX's wheel names), not 101.
        std::size_t stop = end;
        while (stop < low.size() && std::isdigit(static_cast<unsigned char>(low[stop]))) ++stop;
        // Two digits from 10 up are a major ("cuda10 image", "cuda11"); otherwise the last digit is the
        // minor (cuda92, cuda101, cuda110).
        std::string_view digits = std::string_view(low).substr(end, stop - end);
        if (stop < low.size() && (low[stop] == '.' || std::isalpha(static_cast<unsigned char>(low[stop])))) continue;
        if (digits.size() == 2 && digits[0] == '1') {
          spec = "==" + std::string(digits) + ".*";
        } else if (auto cuda = cuda_from_tag(std::string_view(low).substr(pos, stop - pos))) {
          spec = "==" + *cuda + ".*";
        } else {
          continue;
        }
      } else if (!read_version_after(low, end, kw.major_alone, spec)) {
        bool framework = kw.subject == std::string_view("torch") || kw.subject == std::string_view("tensorflow") ||
                         kw.subject == std::string_view("paddlepaddle");
        if (framework && !named.any) named.without_version = kw.subject;
        named.any = true;
        continue;
      }
      if (named.without_version == kw.subject) named.without_version = nullptr;
      named.any = true;
      add_hint(kw.subject, spec, line, where, out);
      break;
    }
  }
  return named;
}

// Clause by clause, so that a negation holds only where it stands: sentences ("TensorFlow 1.14 or 1.15.
// The code does not support TensorFlow 2.0."), and asides in parentheses ("PyTorch 0.4.0 (it does not
// support 0.4.1 or higher)"). A Markdown link's "(url)" is part of its clause.
// "(>= 1.4)", "(1.7 or later)": a version in parentheses belongs to the name before it.
bool version_aside(std::string_view line, std::size_t open) {
  std::size_t i = open + 1;
  while (i < line.size() && (line[i] == ' ' || line[i] == '<' || line[i] == '>' || line[i] == '=' || line[i] == '~' || line[i] == 'v')) ++i;
  return i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]));
}

void scan_prose(std::string_view line, const Source& where, RepoFacts& out) {
  std::size_t start = 0;
  bool in_link = false, in_version = false;
  Named named;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    bool cut = i == line.size();
    if (!cut) {
      char c = line[i];
      if (c == '(' && i > 0 && line[i - 1] == ']') in_link = true;
      else if (c == ')' && in_link) in_link = false;
      else if (c == '(' && !in_link && version_aside(line, i)) in_version = true;
      else if (c == ')' && in_version) in_version = false;
      else if (!in_link) cut = c == '(' || c == ')' || c == ';' || (c == '.' && i + 1 < line.size() && line[i + 1] == ' ');
    }
    if (!cut) continue;
    if (i > start) {
      std::string_view clause = line.substr(start, i - start);
      // Only the clause right after one that named a framework without a version, and only when this one
      // names nothing itself: "A basic TensorFlow installation. The code follows r1.2 format."
      const char* carried = named.without_version;
      named = scan_sentence(clause, where, out);
      if (carried && !named.any && !trim(clause).empty()) {
        bool found = scan_tested_versions(clause, carried, where, out);
        if (!found && carried == std::string_view("tensorflow")) scan_release_name(clause, where, out);
      }
    }
    start = i + 1;
  }
}

// `pip install torch==1.4.0 torchvision -f https://.../cu101/torch_stable.html`
void scan_pip_install(std::string_view cmd, const Source& where, RepoFacts& out, const std::string& group, const std::string& url_option) {
  std::vector<std::string_view> words;
  for (auto w : split(cmd, ' ')) {
    w = trim(w);
    if (!w.empty()) words.push_back(w);
  }
  bool takes_value = false;
  for (auto w : words) {
    if (w == "&&" || w == ";" || w == "|" || w == "\\" || starts_with(w, "#")) break;
    // Markdown's inline code and shell quotes around a word: "`pip install x --index-url URL`".
    while (!w.empty() && (w.back() == '`' || w.back() == '"' || w.back() == '\'')) w.remove_suffix(1);
    while (!w.empty() && (w.front() == '`' || w.front() == '"' || w.front() == '\'')) w.remove_prefix(1);
    if (w.empty()) continue;
    if (takes_value) {
      takes_value = false;
      if (starts_with(w, "http")) out.pip_options.push_back(PipOption{url_option, std::string(w), where});
      continue;
    }
    if (starts_with(w, "-")) {
      takes_value = w == "-f" || w == "-i" || w == "--extra-index-url" || w == "--index-url" || w == "--find-links" ||
                    w == "-r" || w == "-c" || w == "-e";
      if (auto eq = w.find('='); eq != std::string_view::npos && starts_with(w.substr(eq + 1), "http")) {
        out.pip_options.push_back(PipOption{url_option, std::string(w.substr(eq + 1)), where});
      }
      continue;
    }
    // A wheel's URL names the package and its version; other URLs and paths say nothing here.
    bool wheel = starts_with(w, "http") && ends_with(w.substr(0, w.find_first_of("?#")), ".whl");
    if (w == "." || starts_with(w, "./") || (starts_with(w, "http") && !wheel) || starts_with(w, "git+")) continue;
    std::string why;
    if (auto req = parse_requirement(w, where)) {
      req->origin = group;
      req->weak = true;
      req->group = group;
      out.requirements.push_back(std::move(*req));
    }
  }
}

void scan_conda_install(std::string_view cmd, const Source& where, RepoFacts& out, const std::string& group) {
  bool takes_value = false;
  for (auto w : split(cmd, ' ')) {
    w = trim(w);
    if (w.empty()) continue;
    if (w == "&&" || w == ";" || w == "|" || w == "\\" || starts_with(w, "#")) break;
    if (takes_value) {
      takes_value = false;
      continue;
    }
    if (starts_with(w, "-")) {
      takes_value = w == "-c" || w == "--channel" || w == "-n" || w == "--name" || w == "-p" || w == "--prefix";
      continue;
    }
    if ((w.front() == '"' || w.front() == '\'') && w.size() >= 2 && w.back() == w.front()) w = w.substr(1, w.size() - 2);
    std::size_t before = out.requirements.size();
    add_conda_spec(w, where, out, group, true);
    for (std::size_t k = before; k < out.requirements.size(); ++k) out.requirements[k].origin = group;
  }
}

// A list item that is one exact pin ("- `tensorflow-gpu==1.6.0`", "* numpy==1.14.1"), as a README's
// "tested with the following packages" lists them: what an install of those packages would run.
bool scan_listed_pin(std::string_view item, const Source& where, RepoFacts& out, const std::string& group) {
  if (item.size() < 3 || (item[0] != '-' && item[0] != '*' && item[0] != '+') || item[1] != ' ') return false;
  std::string_view body = trim(item.substr(2));
  if (body.size() >= 2 && body.front() == '`' && body.back() == '`') body = trim(body.substr(1, body.size() - 2));
  if (body.find("==") == std::string_view::npos || body.find_first_of(" \t,;`") != std::string_view::npos) return false;
  auto req = parse_requirement(body, where);
  if (!req) return false;
  auto spec = SpecifierSet::parse(req->specifier);
  if (!spec || !spec->exact()) return false;
  req->origin = group;
  req->weak = true;
  req->group = group;
  out.requirements.push_back(std::move(*req));
  return true;
}

}  // namespace

bool scan_install_commands(std::string_view line, const Source& where, RepoFacts& out, const std::string& group,
                           const std::string& url_option) {
  // A shell line may chain commands: "pip install -r requirements.txt && pip install x==1".
  bool command = false;
  std::size_t start = 0;
  while (start < line.size()) {
    std::size_t end = line.find_first_of(";&|", start);
    if (end == std::string_view::npos) end = line.size();
    std::string_view part = line.substr(start, end - start);
    start = end + 1;
    std::string low = to_lower(part);
    for (std::string_view lead : {"pip install ", "pip3 install ", "mamba install ", "conda install "}) {
      auto pos = low.find(lead);
      if (pos == std::string::npos) continue;
      std::string_view cmd = part.substr(pos + lead.size());
      if (lead.find("pip") != std::string_view::npos) scan_pip_install(cmd, where, out, group, url_option);
      else scan_conda_install(cmd, where, out, group);
      command = true;
      break;
    }
  }
  return command;
}

std::vector<std::string> linked_install_documents(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t pos = text.find("]("); pos != std::string_view::npos; pos = text.find("](", pos + 2)) {
    std::size_t end = text.find(')', pos + 2);
    if (end == std::string_view::npos || end - pos > 200) continue;
    std::string_view target = trim(text.substr(pos + 2, end - pos - 2));
    target = target.substr(0, target.find_first_of("# "));  // an anchor or a title after the path
    if (starts_with(target, "./")) target.remove_prefix(2);
    if (target.empty() || target.find("://") != std::string_view::npos || target.front() == '/' || starts_with(target, "..")) continue;
    std::string name = to_lower(target.substr(target.find_last_of('/') + 1));
    bool document = ends_with(name, ".md") || ends_with(name, ".rst") || ends_with(name, ".txt");
    bool about_install = name.find("install") != std::string::npos || name.find("setup") != std::string::npos ||
                         name.find("get_started") != std::string::npos || name.find("getting_started") != std::string::npos ||
                         name.find("getting-started") != std::string::npos;
    std::string rel(target);
    if (document && about_install && std::find(out.begin(), out.end(), rel) == out.end()) out.push_back(rel);
  }
  return out;
}

void parse_readme(std::string_view text, const std::string& file, RepoFacts& out) {
  int line_no = 0;
  // Commands under a heading or a shell comment that says "optional" ("# Optional: Apex for faster
  // training"), up to the next blank line or heading, install extras, not the repository's framework:
  // they are group readme-optional.
  bool optional = false;
  for_each_line(text, [&](std::string_view raw) {
    ++line_no;
    if (raw.size() > 2000) return;  // minified HTML and badges are not prose
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = trim(line);
    if (t.empty()) optional = false;
    else if (t.front() == '#') optional = to_lower(t).find("optional") != std::string::npos;
    auto hash = line.find(" #");
    bool here = optional || (hash != std::string_view::npos && to_lower(line.substr(hash)).find("optional") != std::string::npos);
    Source where{file, line_no};
    bool command = scan_install_commands(line, where, out, here ? "readme-optional" : "readme", "readme-url");
    if (!command) command = scan_listed_pin(t, where, out, here ? "readme-optional" : "readme");
    if (!command) scan_prose(line, where, out);
  });
}

}  // namespace dlc::inspect
