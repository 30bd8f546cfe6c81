#include "inspect/markers.h"

#include <vector>

#include "inspect/text.h"
#include "inspect/version.h"

namespace dlc::inspect {

namespace {

// Three-valued: 0 false, 1 true, 2 unknown.
using Tri = int;
constexpr Tri kFalse = 0, kTrue = 1, kUnknown = 2;

Tri tri_and(Tri a, Tri b) { return a == kFalse || b == kFalse ? kFalse : (a == kTrue && b == kTrue ? kTrue : kUnknown); }
Tri tri_or(Tri a, Tri b) { return a == kTrue || b == kTrue ? kTrue : (a == kFalse && b == kFalse ? kFalse : kUnknown); }

struct Token {
  enum Kind { Var, Str, Op, LParen, RParen, And, Or, End } kind;
  std::string text;
};

bool tokenize(std::string_view s, std::vector<Token>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '(') {
      out.push_back({Token::LParen, "("});
      ++i;
    } else if (c == ')') {
      out.push_back({Token::RParen, ")"});
      ++i;
    } else if (c == '"' || c == '\'') {
      auto end = s.find(c, i + 1);
      if (end == std::string_view::npos) return false;
      out.push_back({Token::Str, std::string(s.substr(i + 1, end - i - 1))});
      i = end + 1;
    } else if (c == '=' || c == '!' || c == '<' || c == '>' || c == '~') {
      std::size_t j = i;
      while (j < s.size() && (s[j] == '=' || s[j] == '!' || s[j] == '<' || s[j] == '>' || s[j] == '~')) ++j;
      out.push_back({Token::Op, std::string(s.substr(i, j - i))});
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.')) ++j;
      std::string word(s.substr(i, j - i));
      i = j;
      if (word == "and") out.push_back({Token::And, word});
      else if (word == "or") out.push_back({Token::Or, word});
      else if (word == "in") out.push_back({Token::Op, "in"});
      else if (word == "not") {
        // "not in"
        while (i < s.size() && s[i] == ' ') ++i;
        if (s.substr(i, 2) != "in") return false;
        i += 2;
        out.push_back({Token::Op, "not in"});
      } else {
        out.push_back({Token::Var, word});
      }
    } else {
      return false;
    }
  }
  out.push_back({Token::End, ""});
  return true;
}

class Parser {
 public:
  Parser(const std::vector<Token>& t, const MarkerEnvironment& env) : t_(t), env_(env) {}

  bool parse(Tri& out) {
    if (!expr(out)) return false;
    return t_[pos_].kind == Token::End;
  }

 private:
  bool expr(Tri& out) {
    if (!and_expr(out)) return false;
    while (t_[pos_].kind == Token::Or) {
      ++pos_;
      Tri rhs;
      if (!and_expr(rhs)) return false;
      out = tri_or(out, rhs);
    }
    return true;
  }
  bool and_expr(Tri& out) {
    if (!atom(out)) return false;
    while (t_[pos_].kind == Token::And) {
      ++pos_;
      Tri rhs;
      if (!atom(rhs)) return false;
      out = tri_and(out, rhs);
    }
    return true;
  }
  bool atom(Tri& out) {
    if (t_[pos_].kind == Token::LParen) {
      ++pos_;
      if (!expr(out) || t_[pos_].kind != Token::RParen) return false;
      ++pos_;
      return true;
    }
    const Token& lhs = t_[pos_];
    if (lhs.kind != Token::Var && lhs.kind != Token::Str) return false;
    const Token& op = t_[pos_ + 1];
    if (op.kind != Token::Op) return false;
    const Token& rhs = t_[pos_ + 2];
    if (rhs.kind != Token::Var && rhs.kind != Token::Str) return false;
    pos_ += 3;
    out = compare(lhs, op.text, rhs);
    return true;
  }

  // nullopt: a variable whose value is unknown.
  std::optional<std::string> value(const Token& t, bool& versioned) const {
    versioned = false;
    if (t.kind == Token::Str) return t.text;
    const std::string& v = t.text;
    if (v == "python_version" || v == "python_full_version") {
      versioned = true;
      if (env_.python_version.empty()) return std::nullopt;
      return env_.python_version;
    }
    if (v == "sys_platform") return env_.sys_platform;
    if (v == "platform_system") return env_.platform_system;
    if (v == "os_name") return env_.os_name;
    if (v == "platform_machine") return env_.platform_machine;
    if (v == "implementation_name") return env_.implementation_name;
    if (v == "platform_python_implementation") return env_.platform_python_implementation;
    if (v == "extra") return "";  // extras are not requested
    return std::nullopt;          // platform_release, platform_version, implementation_version
  }

  Tri compare(const Token& l, const std::string& op, const Token& r) const {
    bool lv = false, rv = false;
    auto a = value(l, lv), b = value(r, rv);
    if (!a || !b) return kUnknown;
    if (op == "in") return b->find(*a) != std::string::npos ? kTrue : kFalse;
    if (op == "not in") return b->find(*a) == std::string::npos ? kTrue : kFalse;
    if ((lv || rv) && Version::parse(*a) && Version::parse(*b)) {
      auto spec = SpecifierSet::parse(op + *b);
      if (!spec) return kUnknown;
      return spec->contains(*a) ? kTrue : kFalse;
    }
    if (op == "==" || op == "===") return *a == *b ? kTrue : kFalse;
    if (op == "!=") return *a != *b ? kTrue : kFalse;
    return kUnknown;
  }

  const std::vector<Token>& t_;
  const MarkerEnvironment& env_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<bool> evaluate_marker(std::string_view marker, const MarkerEnvironment& env) {
  marker = trim(marker);
  if (marker.empty()) return true;
  std::vector<Token> tokens;
  if (!tokenize(marker, tokens) || tokens.size() > 256) return std::nullopt;
  Tri result = kUnknown;
  Parser p(tokens, env);
  if (!p.parse(result) || result == kUnknown) return std::nullopt;
  return result == kTrue;
}

}  // namespace dlc::inspect
