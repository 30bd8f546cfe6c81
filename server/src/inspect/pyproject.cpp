// pyproject.toml, read with toml++: PEP 621, Poetry and uv.
#include <toml++/toml.h>

#include <algorithm>

#include "inspect/parsers.h"
#include "inspect/text.h"
#include "inspect/version.h"

namespace dlc::inspect {

namespace {

Source where(const std::string& file, const toml::node& n) { return Source{file, static_cast<int>(n.source().begin.line)}; }

void add_pep508_array(const toml::array& arr, const std::string& file, const std::string& origin, const std::string& group,
                      RepoFacts& out) {
  for (const auto& el : arr) {
    auto text = el.value<std::string>();
    Source at = where(file, el);
    if (!text) {
      out.warnings.push_back(at.str() + ": a dependency must be a string");
      continue;
    }
    std::string why;
    if (auto req = parse_requirement(*text, at, &why)) {
      req->origin = origin;
      req->group = group;
      out.requirements.push_back(std::move(*req));
    } else {
      out.warnings.push_back(at.str() + ": " + why);
    }
  }
}

void add_index_url(const toml::node* url, const std::string& file, RepoFacts& out) {
  if (!url) return;
  if (auto s = url->value<std::string>()) out.pip_options.push_back(PipOption{"--extra-index-url", *s, where(file, *url)});
}

// One entry of a Poetry dependency table: "^1.11", or {version, python, markers, extras, git, url, path, source}.
void add_poetry(const std::string& key, const toml::node& value, const std::string& file, const std::string& group,
                RepoFacts& out) {
  Source at = where(file, value);
  std::string name = normalize_name(key);
  auto add_one = [&](const toml::node& v) {
    Requirement r;
    r.name = name;
    r.origin = "poetry";
    r.group = group;
    r.source = where(file, v);
    std::string constraint;
    if (auto s = v.value<std::string>()) {
      constraint = *s;
    } else if (const auto* t = v.as_table()) {
      if (auto s2 = (*t)["version"].value<std::string>()) constraint = *s2;
      if (auto m = (*t)["markers"].value<std::string>()) r.marker = *m;
      if (auto py = (*t)["python"].value<std::string>()) {
        auto spec = SpecifierSet::parse_poetry(*py);
        std::string m = spec && !spec->empty() ? "python_version " + spec->clauses().front().str() : "";
        if (!m.empty() && r.marker.empty()) r.marker = m;
      }
      if (const auto* extras = (*t)["extras"].as_array()) {
        for (const auto& e : *extras) {
          if (auto s3 = e.value<std::string>()) r.extras.push_back(normalize_name(*s3));
        }
      }
      if (auto git = (*t)["git"].value<std::string>()) r.url = "git+" + *git;
      if (auto url = (*t)["url"].value<std::string>()) r.url = *url;
      if (auto path = (*t)["path"].value<std::string>()) {
        r.url = *path;
        r.editable = true;
      }
      if ((*t)["optional"].value_or(false) && r.group.empty()) r.group = "optional";
    } else {
      out.warnings.push_back(at.str() + ": the Poetry dependency " + key + " is neither a string nor a table");
      return;
    }
    if (!constraint.empty()) {
      auto spec = SpecifierSet::parse_poetry(constraint);
      if (!spec) {
        out.warnings.push_back(r.source.str() + ": cannot read the Poetry constraint \"" + constraint + "\" of " + key);
      } else {
        r.specifier = spec->str();
      }
    }
    r.raw = r.name;
    if (!r.extras.empty()) {
      r.raw += "[";
      for (std::size_t k = 0; k < r.extras.size(); ++k) r.raw += (k ? "," : "") + r.extras[k];
      r.raw += "]";
    }
    if (!r.url.empty() && !r.editable) r.raw += " @ " + r.url;
    else r.raw += r.specifier;
    if (!r.marker.empty()) r.raw += "; " + r.marker;
    out.requirements.push_back(std::move(r));
  };
  if (const auto* several = value.as_array()) {
    // Multiple-constraint form: one entry per platform or Python.
    for (const auto& v : *several) add_one(v);
  } else {
    add_one(value);
  }
}

void add_poetry_table(const toml::table* deps, const std::string& file, const std::string& group, RepoFacts& out) {
  if (!deps) return;
  for (const auto& [key, value] : *deps) {
    std::string k(key.str());
    if (k == "python") {
      if (auto s = value.value<std::string>()) {
        auto spec = SpecifierSet::parse_poetry(*s);
        if (spec) out.hints.push_back(VersionHint{"python", spec->str(), false, "python = \"" + *s + "\"", where(file, value)});
      }
      continue;
    }
    add_poetry(k, value, file, group, out);
  }
}

// toml++ builds a table for each part of a dotted key and frees them recursively: `[a.a.a...]` with
// 100,000 parts (200 KB) exhausts the stack. How deep a statement nests tables, from its text alone:
// the header's dots, the dots of its keys (those of inline tables too), and its inline tables' nesting.
// Arrays are not counted: toml++ bounds their nesting itself (TOML_MAX_NESTED_VALUES).
std::size_t table_depth(std::string_view s) {
  std::size_t deepest = 0, header = 0, keys = 0, braces = 0;
  std::string open;  // the '[' and '{' of the statement's values, innermost last
  bool in_key = true, in_header = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' || c == '\'') {
      // Strings are skipped as TOML reads them: one line unless tripled, escapes in "..." only, and a
      // tripled one may end with up to two more quotes.
      bool multi = s.substr(i, 3) == std::string(3, c);
      std::size_t quotes = multi ? 3 : 1;
      for (i += quotes; i < s.size(); ++i) {
        if (c == '"' && s[i] == '\\') ++i;
        else if (!multi && s[i] == '\n') break;
        else if (s.substr(i, quotes) == std::string(quotes, c)) break;
      }
      if (multi) {
        i += 2;
        for (int extra = 0; extra < 2 && i + 1 < s.size() && s[i + 1] == c; ++extra) ++i;
      }
    } else if (c == '#') {
      while (i + 1 < s.size() && s[i + 1] != '\n') ++i;
    } else if (c == '\n' && open.empty()) {
      in_key = true, in_header = false, keys = 0;  // a statement ends with its line
    } else if (c == '[' && in_key && open.empty() && keys == 0) {
      in_header = true, header = 0;
    } else if (c == ']' && in_header) {
      in_header = false, in_key = false;
    } else if (c == '.' && (in_key || in_header)) {
      in_header ? ++header : ++keys;
    } else if (c == '=') {
      in_key = false;
    } else if (c == '[' || c == '{') {
      open += c;
      braces += c == '{';
      in_key = c == '{';
    } else if ((c == ']' || c == '}') && !open.empty()) {
      braces -= open.back() == '{';
      open.pop_back();
    } else if (c == ',' && !open.empty()) {
      in_key = open.back() == '{';
    }
    deepest = std::max(deepest, header + keys + braces);
  }
  return deepest;
}

constexpr std::size_t kMaxTableDepth = 128;

}  // namespace

void parse_pyproject(std::string_view text, const std::string& file, RepoFacts& out) {
  if (table_depth(text) > kMaxTableDepth) {
    out.warnings.push_back(file + ": tables nested more than " + std::to_string(kMaxTableDepth) + " levels deep; not read");
    return;
  }
  toml::table doc;
  try {
    doc = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    out.warnings.push_back(file + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    return;
  }
  if (std::find(out.manifests.begin(), out.manifests.end(), file) == out.manifests.end()) out.manifests.push_back(file);
  if (const auto* project = doc["project"].as_table()) {
    if (const auto* deps = (*project)["dependencies"].as_array()) add_pep508_array(*deps, file, "pyproject", "", out);
    if (const auto* optional = (*project)["optional-dependencies"].as_table()) {
      for (const auto& [group, arr] : *optional) {
        if (const auto* a = arr.as_array()) add_pep508_array(*a, file, "pyproject", std::string(group.str()), out);
      }
    }
    if (const auto* rp = (*project)["requires-python"].as_string()) {
      std::string compact;
      for (char c : rp->get()) {
        if (c != ' ') compact += c;
      }
      if (SpecifierSet::parse(compact)) {
        out.hints.push_back(VersionHint{"python", compact, false, "requires-python = \"" + rp->get() + "\"", where(file, *rp)});
      } else {
        out.warnings.push_back(where(file, *rp).str() + ": cannot read requires-python \"" + rp->get() + "\"");
      }
    }
  }
  // PEP 735 dependency groups: strings only (include-group tables are skipped).
  if (const auto* groups = doc["dependency-groups"].as_table()) {
    for (const auto& [group, arr] : *groups) {
      const auto* a = arr.as_array();
      if (!a) continue;
      for (const auto& el : *a) {
        auto s = el.value<std::string>();
        if (!s) continue;
        std::string why;
        if (auto req = parse_requirement(*s, where(file, el), &why)) {
          req->origin = "pyproject";
          req->group = std::string(group.str());
          out.requirements.push_back(std::move(*req));
        } else {
          out.warnings.push_back(where(file, el).str() + ": " + why);
        }
      }
    }
  }
  if (const auto* poetry = doc["tool"]["poetry"].as_table()) {
    add_poetry_table((*poetry)["dependencies"].as_table(), file, "", out);
    add_poetry_table((*poetry)["dev-dependencies"].as_table(), file, "dev", out);
    if (const auto* groups = (*poetry)["group"].as_table()) {
      for (const auto& [group, tbl] : *groups) {
        if (const auto* t = tbl.as_table()) add_poetry_table((*t)["dependencies"].as_table(), file, std::string(group.str()), out);
      }
    }
    if (const auto* sources = (*poetry)["source"].as_array()) {
      for (const auto& s : *sources) {
        if (const auto* t = s.as_table()) add_index_url(t->get("url"), file, out);
      }
    }
  }
  if (const auto* indexes = doc["tool"]["uv"]["index"].as_array()) {
    for (const auto& s : *indexes) {
      if (const auto* t = s.as_table()) add_index_url(t->get("url"), file, out);
    }
  }
}

}  // namespace dlc::inspect
