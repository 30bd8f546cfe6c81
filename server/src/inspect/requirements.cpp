// requirements*.txt and PEP 508 requirement strings.
#include <algorithm>
#include <cctype>
#include <set>

#include "inspect/parsers.h"
#include "inspect/text.h"
#include "inspect/version.h"

namespace dlc::inspect {

namespace {

bool name_start(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }

// A URL from its first character: "https://...", "git+ssh://...", "file:..." (not "name @ https://...").
bool looks_like_url(std::string_view s) {
  if (starts_with(s, "git+") || starts_with(s, "hg+") || starts_with(s, "svn+") || starts_with(s, "bzr+") || starts_with(s, "file:")) {
    return true;
  }
  auto scheme_end = s.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  for (char c : s.substr(0, scheme_end)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '.' && c != '-') return false;
  }
  return true;
}

// The project name a URL or path names: "#egg=name", a wheel or sdist file name, or the last path part.
std::string name_from_url(std::string_view url) {
  if (auto egg = url.find("#egg="); egg != std::string_view::npos) {
    std::string_view name = url.substr(egg + 5);
    name = name.substr(0, name.find_first_of("&[ "));
    return normalize_name(name);
  }
  std::string_view path = url.substr(0, url.find_first_of("?#"));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::string_view base = path.substr(path.find_last_of('/') == std::string_view::npos ? 0 : path.find_last_of('/') + 1);
  if (ends_with(base, ".whl")) return normalize_name(base.substr(0, base.find('-')));
  for (std::string_view ext : {".tar.gz", ".zip", ".tar.bz2", ".git"}) {
    if (ends_with(base, ext)) {
      base.remove_suffix(ext.size());
      if (ext != ".git") {
        // sdist: name-version; the version starts at the last '-' followed by a digit.
        for (std::size_t k = base.size(); k-- > 0;) {
          if (base[k] == '-' && k + 1 < base.size() && std::isdigit(static_cast<unsigned char>(base[k + 1]))) {
            base = base.substr(0, k);
            break;
          }
        }
      }
      break;
    }
  }
  return normalize_name(base);
}

// pip's split of a requirement line: the requirement ends at the first word that starts with '-', and
// the options after it ("torch==2.3.0 --index-url https://download.pytorch.org/whl/cu121", "x --hash=...").
std::pair<std::string_view, std::string_view> split_line_options(std::string_view line) {
  for (std::size_t pos = 0; (pos = line.find_first_of(" \t", pos)) != std::string_view::npos; ++pos) {
    std::string_view rest = trim(line.substr(pos));
    if (!rest.empty() && rest.front() == '-') return {trim(line.substr(0, pos)), rest};
  }
  return {line, {}};
}

// Options given after a requirement, each with its value ("--opt value" or "--opt=value").
std::vector<std::string> line_options(std::string_view options) {
  std::vector<std::string> words, out;
  for (std::size_t k = 0; k < options.size();) {
    while (k < options.size() && (options[k] == ' ' || options[k] == '\t')) ++k;
    std::size_t end = options.find_first_of(" \t", k);
    if (k < options.size()) words.emplace_back(options.substr(k, end == std::string_view::npos ? std::string_view::npos : end - k));
    k = end == std::string_view::npos ? options.size() : end;
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string opt = words[i];
    bool takes_value = opt.front() == '-' && opt.find('=') == std::string::npos && opt != "--pre";
    if (takes_value && i + 1 < words.size() && words[i + 1].front() != '-') opt += " " + words[++i];
    out.push_back(std::move(opt));
  }
  return out;
}

// Per-requirement options: how pip checks or builds it, not what it installs.
bool per_requirement_option(std::string_view opt) {
  for (std::string_view o : {"--hash", "--global-option", "--install-option", "--config-settings", "--config-setting"}) {
    if (starts_with(opt, o)) return true;
  }
  return false;
}

// pip's comment rule: '#' at the start of a line or after whitespace.
std::string_view strip_comment(std::string_view line) {
  for (std::size_t k = 0; k < line.size(); ++k) {
    if (line[k] == '#' && (k == 0 || line[k - 1] == ' ' || line[k - 1] == '\t')) return line.substr(0, k);
  }
  return line;
}

struct Context {
  const FileReader* read;
  RepoFacts* out;
  std::set<std::string> visiting;  // the include chain: a file met again on it is a cycle
  std::set<std::string> parsed;    // every file read once at most, so that includes cannot multiply the work
  // Paths that differ at every level (a folder linking to itself) are new files each time: the files one
  // manifest pulls in are counted, so that b includes a level cannot cost b^depth reads.
  int includes_left = kMaxIncludes;
  static constexpr int kMaxIncludes = 64;
};

std::string join_path(const std::string& file, std::string_view target) {
  if (starts_with(target, "/")) return std::string(target);
  auto slash = file.find_last_of('/');
  std::string dir = slash == std::string::npos ? "" : file.substr(0, slash + 1);
  std::string joined = dir + std::string(target);
  // Normalise "a/../b" and "./" so that cycles are recognised.
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= joined.size()) {
    auto end = joined.find('/', start);
    std::string part = joined.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? joined.size() + 1 : end + 1;
    if (part.empty() || part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

void parse_file(std::string_view text, const std::string& file, Context& ctx, const std::string& group, int depth);

void handle_option(std::string_view line, const Source& where, const std::string& file, Context& ctx,
                   const std::string& group, int depth) {
  // "--opt value", "--opt=value", "-r value", "-rvalue".
  std::string_view opt = line, value;
  if (auto sep = line.find_first_of(" \t="); sep != std::string_view::npos) {
    opt = line.substr(0, sep);
    value = trim(line.substr(sep + 1));
  } else if (line.size() > 2 && line[1] != '-') {
    opt = line.substr(0, 2);
    value = trim(line.substr(2));
  }
  auto& out = *ctx.out;
  if (opt == "-r" || opt == "--requirement" || opt == "-c" || opt == "--constraint") {
    bool constraint = opt == "-c" || opt == "--constraint";
    if (value.empty()) {
      out.warnings.push_back(where.str() + ": " + std::string(opt) + " names no file");
      return;
    }
    if (looks_like_url(value)) {
      out.warnings.push_back(where.str() + ": " + std::string(opt) + " " + std::string(value) + " is remote; not read");
      return;
    }
    std::string target = join_path(file, value);
    if (ctx.parsed.count(target) && !ctx.visiting.count(target)) return;  // read already, through another include
    if (depth >= 10 || ctx.visiting.count(target)) {
      out.warnings.push_back(where.str() + ": " + target + " includes itself; the cycle is cut there");
      return;
    }
    if (ctx.includes_left <= 0) {
      if (ctx.includes_left-- == 0) {
        out.warnings.push_back(where.str() + ": more than " + std::to_string(Context::kMaxIncludes) +
                               " files included; " + target + " and later includes are not read");
      }
      return;
    }
    --ctx.includes_left;
    auto text = (*ctx.read)(target);
    if (!text) {
      out.warnings.push_back(where.str() + ": " + target + " cannot be read");
      return;
    }
    if (std::find(out.manifests.begin(), out.manifests.end(), target) == out.manifests.end()) out.manifests.push_back(target);
    parse_file(*text, target, ctx, constraint ? "constraints" : group, depth + 1);
    return;
  }
  if (opt == "-e" || opt == "--editable") {
    Requirement r;
    r.editable = true;
    r.origin = "pip";
    r.group = group;
    r.source = where;
    r.raw = std::string(value);
    r.url = std::string(value);
    r.name = looks_like_url(value) ? name_from_url(value) : "";
    if (r.name.empty()) r.name = value == "." || value.empty() ? "." : normalize_name(value.substr(value.find_last_of('/') + 1));
    out.requirements.push_back(std::move(r));
    return;
  }
  static constexpr std::pair<std::string_view, std::string_view> kPipOptions[] = {
      {"-i", "--index-url"},          {"--index-url", "--index-url"}, {"--extra-index-url", "--extra-index-url"},
      {"-f", "--find-links"},         {"--find-links", "--find-links"}, {"--trusted-host", "--trusted-host"},
      {"--pre", "--pre"}};
  for (auto [given, canonical] : kPipOptions) {
    if (opt == given) {
      out.pip_options.push_back(PipOption{std::string(canonical), std::string(value), where});
      return;
    }
  }
  // --no-binary, --only-binary, --prefer-binary, --require-hashes, --use-feature: how pip installs, not what.
}

}  // namespace

std::optional<Requirement> local_path_requirement(std::string_view stmt, const Source& where) {
  // pip installs a path ("." , "./lib", "/opt/x", "submodules/simple-knn") as a local project: like -e,
  // not a package to fetch. Anything with a '/' that is not a URL or a specifier is a path to pip.
  bool path = starts_with(stmt, ".") || starts_with(stmt, "/") ||
              (stmt.find('/') != std::string_view::npos && stmt.find("://") == std::string_view::npos &&
               stmt.find_first_of(" \t;@<>=!~[") == std::string_view::npos && name_char(stmt.front()));
  if (!path) return std::nullopt;
  std::string_view last = stmt;
  while (last.size() > 1 && last.back() == '/') last.remove_suffix(1);
  Requirement r;
  r.name = stmt == "." ? "." : normalize_name(last.substr(last.find_last_of('/') + 1));
  r.raw = std::string(stmt);
  r.url = std::string(stmt);
  r.editable = true;
  r.origin = "pip";
  r.source = where;
  return r;
}

namespace {

void parse_file(std::string_view text, const std::string& file, Context& ctx, const std::string& group, int depth) {
  ctx.visiting.insert(file);
  ctx.parsed.insert(file);
  auto& out = *ctx.out;
  std::string logical;
  int logical_line = 0;
  int line_no = 0;
  for_each_line(text, [&](std::string_view raw) {
    ++line_no;
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (logical.empty()) logical_line = line_no;
    // A backslash at the end continues the line (after the comment is cut, as pip does).
    std::string_view content = strip_comment(line);
    if (!content.empty() && trim(content).ends_with('\\')) {
      std::string_view body = trim(content);
      logical += std::string(body.substr(0, body.size() - 1)) + " ";
      return;
    }
    logical += std::string(content);
    std::string whole = std::move(logical);
    logical.clear();
    std::string_view stmt = trim(whole);
    if (stmt.empty()) return;
    Source where{file, logical_line};
    if (stmt.front() == '-') {
      handle_option(stmt, where, file, ctx, group, depth);
      return;
    }
    auto [requirement, options] = split_line_options(stmt);
    stmt = requirement;
    // pip applies an index or find-links option given on a requirement's line to the whole install.
    for (const auto& opt : line_options(options)) {
      if (!per_requirement_option(opt)) handle_option(opt, where, file, ctx, group, depth);
    }
    std::string why;
    auto req = parse_requirement(stmt, where, &why);
    if (!req) {
      if (auto local = local_path_requirement(stmt, where)) {
        local->group = group;
        out.requirements.push_back(std::move(*local));
        return;
      }
      out.warnings.push_back(where.str() + ": " + why);
      return;
    }
    req->origin = "pip";
    req->group = group;
    out.requirements.push_back(std::move(*req));
  });
  ctx.visiting.erase(file);
}

}  // namespace

std::optional<Requirement> parse_requirement(std::string_view text, const Source& where, std::string* why) {
  auto fail = [&](std::string reason) -> std::optional<Requirement> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  std::string_view s = trim(text);
  if (s.empty()) return fail("empty requirement");
  Requirement r;
  r.source = where;
  // A bare URL: "git+https://...#egg=name", "https://.../pkg-1.0-py3-none-any.whl".
  if (looks_like_url(s)) {
    std::string_view url = s, marker;
    if (auto semi = s.find(" ;"); semi != std::string_view::npos) {
      url = trim(s.substr(0, semi));
      marker = trim(s.substr(semi + 2));
    }
    r.url = std::string(url);
    r.name = name_from_url(url);
    r.marker = std::string(marker);
    r.raw = std::string(s);
    if (r.name.empty()) return fail("cannot tell which project " + std::string(url) + " is");
    // A wheel's file name says its version (PEP 427: name-version-python-abi-platform.whl), and the
    // URL installs exactly that: mxnet_cu101-1.6.0b20191214-py2.py3-none-manylinux1_x86_64.whl.
    std::string_view path = url.substr(0, url.find_first_of("?#"));
    std::string_view file = path.substr(path.find_last_of('/') == std::string_view::npos ? 0 : path.find_last_of('/') + 1);
    if (ends_with(file, ".whl")) {
      auto parts = split(file, '-');
      if (parts.size() >= 5 && Version::parse(parts[1])) r.specifier = "==" + std::string(parts[1]);
    }
    return r;
  }
  std::size_t i = 0;
  if (!name_start(s[0])) return fail("\"" + std::string(s) + "\" is not a requirement");
  while (i < s.size() && name_char(s[i])) ++i;
  std::string_view name = s.substr(0, i);
  r.name = normalize_name(name);
  auto skip_ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  };
  skip_ws();
  if (i < s.size() && s[i] == '[') {
    auto close = s.find(']', i);
    if (close == std::string_view::npos) return fail("unclosed [ in \"" + std::string(s) + "\"");
    for (auto part : split(s.substr(i + 1, close - i - 1), ',')) {
      part = trim(part);
      if (!part.empty()) r.extras.push_back(normalize_name(part));
    }
    i = close + 1;
    skip_ws();
  }
  std::string_view rest = s.substr(i);
  std::string_view marker;
  if (starts_with(rest, "@")) {
    // name @ url ; marker   (the marker needs whitespace before ';', since URLs may hold ';')
    std::string_view url = trim(rest.substr(1));
    if (auto semi = url.find(" ;"); semi != std::string_view::npos) {
      marker = trim(url.substr(semi + 2));
      url = trim(url.substr(0, semi));
    }
    if (url.empty()) return fail("\"" + std::string(s) + "\" has @ but no URL");
    r.url = std::string(url);
  } else {
    std::string_view spec = rest;
    if (auto semi = rest.find(';'); semi != std::string_view::npos) {
      spec = trim(rest.substr(0, semi));
      marker = trim(rest.substr(semi + 1));
    }
    spec = trim(spec);
    if (starts_with(spec, "(") && ends_with(spec, ")")) spec = trim(spec.substr(1, spec.size() - 2));
    if (!spec.empty()) {
      // "torch >= 1.4" is fine; "torch 1.4" or "torch==1.4 numpy" is not a requirement.
      std::string compact;
      for (char c : spec) {
        if (c != ' ' && c != '\t') compact += c;
      }
      if (!SpecifierSet::parse(compact)) {
        return fail("cannot read the version specifier \"" + std::string(spec) + "\" of " + std::string(name));
      }
      r.specifier = compact;
    }
  }
  if (!marker.empty() && marker.find_first_not_of(" \t") == std::string_view::npos) marker = {};
  r.marker = std::string(marker);
  r.raw = std::string(s);
  return r;
}

void parse_requirements(std::string_view text, const std::string& file, const FileReader& read, RepoFacts& out,
                        const std::string& group) {
  Context ctx{&read, &out, {}};
  if (std::find(out.manifests.begin(), out.manifests.end(), file) == out.manifests.end()) out.manifests.push_back(file);
  parse_file(text, file, ctx, group, 0);
}

}  // namespace dlc::inspect
