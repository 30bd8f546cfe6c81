#include "inspect/version.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "inspect/text.h"

namespace dlc::inspect {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Reads digits at s[i...]; false when there are none. Caps the value so that absurd input cannot overflow.
bool read_number(std::string_view s, std::size_t& i, long& out) {
  std::size_t start = i;
  out = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (out < 100000000000L) out = out * 10 + (s[i] - '0');
    ++i;
  }
  return i > start;
}

bool starts_with_ci(std::string_view s, std::size_t i, std::string_view word) {
  if (s.size() - i < word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (lower(s[i + k]) != word[k]) return false;
  }
  return true;
}

void skip_separator(std::string_view s, std::size_t& i) {
  if (i < s.size() && (s[i] == '.' || s[i] == '-' || s[i] == '_')) ++i;
}

int compare_release(const std::vector<long>& a, const std::vector<long>& b) {
  std::size_t n = std::max(a.size(), b.size());
  for (std::size_t k = 0; k < n; ++k) {
    long x = k < a.size() ? a[k] : 0, y = k < b.size() ? b[k] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// Local labels compare segment by segment; numbers sort after strings.
int compare_local(std::string_view a, std::string_view b) {
  auto split = [](std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == '.' || s[i] == '-' || s[i] == '_') {
        out.push_back(s.substr(start, i - start));
        start = i + 1;
      }
    }
    return out;
  };
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? -1 : 1);
  auto sa = split(a), sb = split(b);
  for (std::size_t k = 0; k < std::max(sa.size(), sb.size()); ++k) {
    if (k >= sa.size()) return -1;
    if (k >= sb.size()) return 1;
    bool na = !sa[k].empty() && std::all_of(sa[k].begin(), sa[k].end(), is_digit);
    bool nb = !sb[k].empty() && std::all_of(sb[k].begin(), sb[k].end(), is_digit);
    if (na && nb) {
      long x = 0, y = 0;
      std::from_chars(sa[k].data(), sa[k].data() + sa[k].size(), x);
      std::from_chars(sb[k].data(), sb[k].data() + sb[k].size(), y);
      if (x != y) return x < y ? -1 : 1;
    } else if (na != nb) {
      return na ? 1 : -1;
    } else if (sa[k] != sb[k]) {
      return sa[k] < sb[k] ? -1 : 1;
    }
  }
  return 0;
}

// The release prefix of a wildcard clause: "1.11.*" -> {1, 11}.
std::optional<std::vector<long>> wildcard_prefix(std::string_view text) {
  if (text.size() < 2 || text.substr(text.size() - 2) != ".*") return std::nullopt;
  auto v = Version::parse(text.substr(0, text.size() - 2));
  if (!v || !v->local().empty()) return std::nullopt;
  return v->release();
}

}  // namespace

std::optional<Version> Version::parse(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.empty() || s.size() > 128) return std::nullopt;
  Version v;
  v.text_ = std::string(s);
  std::size_t i = 0;
  if (s[i] == 'v' || s[i] == 'V') ++i;
  long n = 0;
  if (!read_number(s, i, n)) return std::nullopt;
  if (i < s.size() && s[i] == '!') {
    v.epoch_ = n;
    ++i;
    if (!read_number(s, i, n)) return std::nullopt;
  }
  v.release_.push_back(n);
  while (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
    ++i;
    read_number(s, i, n);
    v.release_.push_back(n);
  }
  // Pre-release.
  {
    std::size_t j = i;
    skip_separator(s, j);
    static constexpr std::pair<std::string_view, int> kPre[] = {
        {"alpha", 0}, {"beta", 1}, {"preview", 2}, {"pre", 2}, {"rc", 2}, {"a", 0}, {"b", 1}, {"c", 2}};
    for (auto [word, kind] : kPre) {
      if (starts_with_ci(s, j, word)) {
        j += word.size();
        skip_separator(s, j);
        long num = 0;
        read_number(s, j, num);
        v.pre_kind_ = kind;
        v.pre_num_ = num;
        i = j;
        break;
      }
    }
  }
  // Post-release: "-1", ".post1", "post", "rev1", "r1".
  {
    std::size_t j = i;
    if (j < s.size() && s[j] == '-' && j + 1 < s.size() && is_digit(s[j + 1])) {
      ++j;
      long num = 0;
      read_number(s, j, num);
      v.post_ = num;
      i = j;
    } else {
      skip_separator(s, j);
      for (std::string_view word : {"post", "rev", "r"}) {
        if (starts_with_ci(s, j, word)) {
          j += word.size();
          skip_separator(s, j);
          long num = 0;
          read_number(s, j, num);
          v.post_ = num;
          i = j;
          break;
        }
      }
    }
  }
  // Development release.
  {
    std::size_t j = i;
    skip_separator(s, j);
    if (starts_with_ci(s, j, "dev")) {
      j += 3;
      skip_separator(s, j);
      long num = 0;
      read_number(s, j, num);
      v.dev_ = num;
      i = j;
    }
  }
  if (i < s.size() && s[i] == '+') {
    std::string_view local = s.substr(i + 1);
    if (local.empty()) return std::nullopt;
    for (char c : local) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return std::nullopt;
    }
    v.local_ = std::string(local);
    std::transform(v.local_.begin(), v.local_.end(), v.local_.begin(), lower);
    i = s.size();
  }
  if (i != s.size()) return std::nullopt;
  return v;
}

Version Version::public_version() const {
  Version v = *this;
  v.local_.clear();
  if (auto plus = v.text_.find('+'); plus != std::string::npos) v.text_.resize(plus);
  return v;
}

std::string Version::major_minor() const { return std::to_string(major()) + "." + std::to_string(minor()); }

int Version::compare(const Version& o) const {
  if (epoch_ != o.epoch_) return epoch_ < o.epoch_ ? -1 : 1;
  if (int c = compare_release(release_, o.release_)) return c;
  // A dev release of a final comes before its pre-releases: give it the lowest pre key.
  auto pre_key = [](const Version& v) -> std::pair<int, long> {
    if (v.pre_kind_ < 0 && !v.post_ && v.dev_) return {-2, 0};
    if (v.pre_kind_ < 0) return {3, 0};
    return {v.pre_kind_, v.pre_num_};
  };
  auto pa = pre_key(*this), pb = pre_key(o);
  if (pa != pb) return pa < pb ? -1 : 1;
  long posta = post_ ? *post_ : -1, postb = o.post_ ? *o.post_ : -1;
  if (posta != postb) return posta < postb ? -1 : 1;
  long deva = dev_ ? *dev_ : (1L << 62), devb = o.dev_ ? *o.dev_ : (1L << 62);
  if (deva != devb) return deva < devb ? -1 : 1;
  return compare_local(local_, o.local_);
}

bool Specifier::contains(const Version& candidate) const {
  if (op == Op::Arbitrary) return candidate.str() == version;
  if (wildcard) {
    auto prefix = wildcard_prefix(version);
    if (!prefix) return false;
    const auto& rel = candidate.release();
    bool match = true;
    for (std::size_t k = 0; k < prefix->size(); ++k) {
      long have = k < rel.size() ? rel[k] : 0;
      if (have != (*prefix)[k]) {
        match = false;
        break;
      }
    }
    return op == Op::Ne ? !match : match;
  }
  auto target = Version::parse(version);
  if (!target) return false;
  // A clause without a local label ignores the candidate's ("==1.11.0" matches "1.11.0+cu113").
  Version c = target->local().empty() ? candidate.public_version() : candidate;
  switch (op) {
    case Op::Eq: return c == *target;
    case Op::Ne: return !(c == *target);
    case Op::Le: return c <= *target;
    case Op::Ge: return c >= *target;
    case Op::Lt:
      // "<2.0" does not admit 2.0's own pre-releases.
      if (!(c < *target)) return false;
      if (!target->is_prerelease() && c.is_prerelease() &&
          compare_release(c.release(), target->release()) == 0) return false;
      return true;
    case Op::Gt:
      if (!(c > *target)) return false;
      if (!target->post() && c.post() && compare_release(c.release(), target->release()) == 0) return false;
      return true;
    case Op::Compatible: {
      if (target->release().size() < 2) return false;
      if (c < *target) return false;
      std::vector<long> prefix(target->release().begin(), target->release().end() - 1);
      for (std::size_t k = 0; k < prefix.size(); ++k) {
        long have = k < c.release().size() ? c.release()[k] : 0;
        if (have != prefix[k]) return false;
      }
      return true;
    }
    case Op::Arbitrary: break;
  }
  return false;
}

std::string Specifier::str() const {
  static constexpr std::string_view kOps[] = {"==", "!=", "<", "<=", ">", ">=", "~=", "==="};
  return std::string(kOps[static_cast<int>(op)]) + version;
}

std::optional<SpecifierSet> SpecifierSet::parse(std::string_view text) {
  SpecifierSet set;
  text = trim(text);
  if (text.empty()) return set;
  for (std::string_view clause : split(text, ',')) {
    clause = trim(clause);
    if (clause.empty()) return std::nullopt;
    Specifier s;
    static constexpr std::pair<std::string_view, Specifier::Op> kOps[] = {
        {"===", Specifier::Op::Arbitrary}, {"==", Specifier::Op::Eq}, {"!=", Specifier::Op::Ne},
        {"<=", Specifier::Op::Le},         {">=", Specifier::Op::Ge}, {"~=", Specifier::Op::Compatible},
        {"<", Specifier::Op::Lt},          {">", Specifier::Op::Gt}};
    bool found = false;
    for (auto [word, op] : kOps) {
      if (clause.substr(0, word.size()) == word) {
        s.op = op;
        clause.remove_prefix(word.size());
        found = true;
        break;
      }
    }
    if (!found) return std::nullopt;
    clause = trim(clause);
    if (clause.empty()) return std::nullopt;
    s.version = std::string(clause);
    if (s.op != Specifier::Op::Arbitrary) {
      s.wildcard = clause.size() > 2 && clause.substr(clause.size() - 2) == ".*";
      if (s.wildcard && s.op != Specifier::Op::Eq && s.op != Specifier::Op::Ne) return std::nullopt;
      if (s.wildcard ? !wildcard_prefix(clause) : !Version::parse(clause)) return std::nullopt;
      if (s.op == Specifier::Op::Compatible && (s.wildcard || Version::parse(clause)->release().size() < 2)) return std::nullopt;
    }
    set.clauses_.push_back(std::move(s));
  }
  return set;
}

std::optional<SpecifierSet> SpecifierSet::parse_conda(std::string_view text) {
  text = trim(text);
  if (text.empty() || text == "*") return SpecifierSet{};
  if (text.find('|') != std::string_view::npos) return std::nullopt;  // alternatives: not one set
  std::string out;
  for (std::string_view clause : split(text, ',')) {
    clause = trim(clause);
    if (clause.empty()) return std::nullopt;
    if (!out.empty()) out += ",";
    bool has_op = clause[0] == '<' || clause[0] == '>' || clause[0] == '!' || clause[0] == '~' ||
                  clause.substr(0, 2) == "==";
    if (has_op) {
      out += clause;
      continue;
    }
    if (clause[0] == '=') clause.remove_prefix(1);  // "=1.7": fuzzy, as a bare "1.7" is
    // Conda's fuzzy match: "1.7" and "1.7.*" match 1.7, 1.7.1, ...; "1.7.1" matches 1.7.1.post2.
    std::string v(clause);
    if (v.ends_with("*")) {
      while (v.ends_with("*") || v.ends_with(".")) v.pop_back();
    }
    out += "==" + v + ".*";
  }
  return parse(out);
}

std::optional<SpecifierSet> SpecifierSet::parse_poetry(std::string_view text) {
  text = trim(text);
  if (text.empty() || text == "*") return SpecifierSet{};
  std::string out;
  for (std::string_view clause : split(text, ',')) {
    clause = trim(clause);
    if (clause.empty()) return std::nullopt;
    if (!out.empty()) out += ",";
    if (clause[0] == '^' || (clause[0] == '~' && (clause.size() < 2 || clause[1] != '='))) {
      bool caret = clause[0] == '^';
      auto v = Version::parse(clause.substr(1));
      if (!v) return std::nullopt;
      std::vector<long> upper = v->release();
      if (caret) {
        // ^1.2.3 -> <2.0.0; ^0.2.3 -> <0.3.0; ^0.0.3 -> <0.0.4: bump the first non-zero part.
        std::size_t k = 0;
        while (k + 1 < upper.size() && upper[k] == 0) ++k;
        upper.resize(k + 1);
        upper[k] += 1;
      } else {
        // ~1.2.3 -> <1.3.0; ~1.2 -> <1.3; ~1 -> <2.
        std::size_t k = upper.size() >= 2 ? 1 : 0;
        upper.resize(k + 1);
        upper[k] += 1;
      }
      std::string up;
      for (std::size_t k = 0; k < upper.size(); ++k) up += (k ? "." : "") + std::to_string(upper[k]);
      out += ">=" + std::string(clause.substr(1)) + ",<" + up;
      continue;
    }
    bool has_op = clause[0] == '<' || clause[0] == '>' || clause[0] == '!' || clause[0] == '=' || clause[0] == '~';
    out += has_op ? std::string(clause) : "==" + std::string(clause);
  }
  return parse(out);
}

bool SpecifierSet::contains(const Version& v) const {
  for (const auto& c : clauses_) {
    if (!c.contains(v)) return false;
  }
  return true;
}

bool SpecifierSet::contains(std::string_view version) const {
  if (auto v = Version::parse(version)) return contains(*v);
  // Not a PEP 440 version: only "===" clauses can admit it, by its text.
  if (clauses_.empty()) return false;
  for (const auto& c : clauses_) {
    if (c.op != Specifier::Op::Arbitrary || c.version != version) return false;
  }
  return true;
}

void SpecifierSet::add(const SpecifierSet& other) {
  clauses_.insert(clauses_.end(), other.clauses_.begin(), other.clauses_.end());
}

std::string SpecifierSet::str() const {
  std::string out;
  for (const auto& c : clauses_) out += (out.empty() ? "" : ",") + c.str();
  return out;
}

std::optional<Version> SpecifierSet::exact() const {
  for (const auto& c : clauses_) {
    if ((c.op == Specifier::Op::Eq || c.op == Specifier::Op::Arbitrary) && !c.wildcard) return Version::parse(c.version);
  }
  return std::nullopt;
}

std::string normalize_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool sep = false;
  for (char c : trim(name)) {
    if (c == '-' || c == '_' || c == '.') {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out += '-';
    sep = false;
    out += lower(c);
  }
  return out;
}

std::optional<std::string> cuda_from_tag(std::string_view tag) {
  if (tag.size() < 4 || lower(tag[0]) != 'c' || lower(tag[1]) != 'u') return std::nullopt;
  // PyTorch's and MXNet's "cu101"; JAX's jaxlib builds say "cuda101" (0.1.65+cuda101, cuda111).
  bool long_form = lower(tag[2]) == 'd' && tag.size() > 4 && lower(tag[3]) == 'a';
  std::string_view digits = tag.substr(long_form ? 4 : 2);
  if (digits.size() < 2 || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), is_digit)) return std::nullopt;
  // The last digit is the minor version: cu92 = 9.2, cu102 = 10.2, cu118 = 11.8, cu121 = 12.1.
  std::string major(digits.substr(0, digits.size() - 1));
  if (major.empty() || major[0] == '0') return std::nullopt;
  return major + "." + std::string(digits.substr(digits.size() - 1));
}

}  // namespace dlc::inspect
