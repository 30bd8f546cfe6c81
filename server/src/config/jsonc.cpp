#include "config/jsonc.h"

#include <cctype>
#include <filesystem>
#include <string>

#include "support/error.h"
#include "support/files.h"
#include "support/nesting.h"

namespace dlc::config {
namespace fs = std::filesystem;
namespace {

// Blanks comments and trailing commas with spaces so that byte offsets, and so lines and columns,
// stay those of the file the user wrote. nlohmann then parses plain JSON.
struct Stripped {
  std::string text;
  std::size_t unterminated_comment = std::string::npos;  // offset of a /* that never closes
};

Stripped strip(std::string_view in) {
  Stripped out{std::string(in)};
  std::string& s = out.text;
  std::size_t last_comma = std::string::npos;  // a ',' with only blanks and comments after it so far
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      last_comma = std::string::npos;
      for (++i; i < s.size() && s[i] != '"' && s[i] != '\n'; ++i)
        if (s[i] == '\\') ++i;
      continue;  // an unterminated string is left for the parser to report
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      for (; i < s.size() && s[i] != '\n'; ++i) s[i] = ' ';
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      std::size_t start = i;
      auto end = s.find("*/", i + 2);
      if (end == std::string::npos) {
        out.unterminated_comment = start;
        return out;
      }
      for (; i < end + 2; ++i)
        if (s[i] != '\n') s[i] = ' ';
      --i;
      continue;
    }
    if (c == ',') {
      last_comma = i;
      continue;
    }
    if ((c == '}' || c == ']') && last_comma != std::string::npos) s[last_comma] = ' ';
    if (!std::isspace(static_cast<unsigned char>(c))) last_comma = std::string::npos;
  }
  return out;
}

// nlohmann reports the offset of the last byte it read, which is the end of the offending token.
// People look for the token's start, so walk back to it.
std::size_t token_start(std::string_view s, std::size_t last) {
  if (last >= s.size()) return s.size();
  if (s[last] == '"' && last > 0) {
    for (std::size_t i = last; i-- > 0;) {
      if (s[i] != '"') continue;
      std::size_t backslashes = 0;
      for (std::size_t j = i; j-- > 0 && s[j] == '\\';) ++backslashes;
      if (backslashes % 2 == 0) return i;
    }
    return last;
  }
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+'; };
  std::size_t i = last;
  if (i > 0 && !word(s[i]) && word(s[i - 1])) --i;  // a bad literal ends at the byte that broke it
  while (i > 0 && word(s[i]) && word(s[i - 1])) --i;
  return i;
}

std::string describe(const std::string& what) {
  // nlohmann's messages read "[json.exception.parse_error.101] parse error at line 3, column 8:
  // syntax error while parsing object - unexpected string literal; expected '}'"; keep the reason.
  std::string reason = what;
  if (auto pos = reason.find("syntax error while parsing "); pos != std::string::npos) {
    reason = reason.substr(pos + 27);
    if (auto dash = reason.find(" - "); dash != std::string::npos) reason = reason.substr(dash + 3);
  } else if (auto colon = reason.rfind(": "); colon != std::string::npos) {
    reason = reason.substr(colon + 2);
  }
  if (auto last_read = reason.find("; last read"); last_read != std::string::npos) reason.resize(last_read);
  return reason;
}

// nlohmann reports a number too large for a double without a position, only its text: find it.
std::size_t number_offset(std::string_view s, const std::string& number) {
  auto part_of_number = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+'; };
  for (std::size_t at = s.find(number); at != std::string_view::npos; at = s.find(number, at + 1)) {
    bool starts = at == 0 || !part_of_number(s[at - 1]);
    bool ends = at + number.size() >= s.size() || !part_of_number(s[at + number.size()]);
    if (starts && ends) return at;
  }
  return 0;
}

}  // namespace

std::string read_config_text(const std::string& path) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    throw Error(ErrorCode::PathNotFound, path + " does not exist", "check the path; it is relative to the current folder");
  }
  if (fs::is_directory(status)) {
    throw Error(ErrorCode::ConfigInvalid, path + " is a folder, not a configuration file",
                "give the file itself, e.g. --config .devcontainer/devcontainer.json");
  }
  if (!fs::is_regular_file(status)) {
    throw Error(ErrorCode::ConfigInvalid, path + " is not a regular file (a FIFO, a socket or a device)",
                "replace it with the JSON file itself");
  }
  auto text = read_file(path, kMaxConfigBytes + 1);
  if (!text) throw Error(ErrorCode::PathNotFound, "cannot read " + path, "check that you may read it");
  if (text->size() > kMaxConfigBytes) {
    throw Error(ErrorCode::ConfigInvalid, path + " is larger than " + std::to_string(kMaxConfigBytes >> 20) + " MiB",
                "a configuration file is a few kilobytes: check that this is the right file");
  }
  return std::move(*text);
}

nlohmann::json parse_jsonc(std::string_view text, const std::string& file_name) {
  auto stripped = strip(text);
  auto fail = [&](std::size_t offset, const std::string& reason, const std::string& hint) -> nlohmann::json {
    auto [line, column] = position_of(text, offset);
    throw Error(ErrorCode::ConfigInvalid,
                file_name + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + reason, hint);
  };
  if (stripped.unterminated_comment != std::string::npos)
    return fail(stripped.unterminated_comment, "comment is not closed", "close the comment with */");
  if (auto deep = find_nesting_beyond(stripped.text, kMaxConfigDepth); deep != std::string::npos)
    return fail(deep, "nested more than " + std::to_string(kMaxConfigDepth) + " levels deep",
                "no setting needs that many levels of '[' and '{': flatten the value, or remove it");
  try {
    return nlohmann::json::parse(stripped.text);
  } catch (const nlohmann::json::parse_error& e) {
    std::size_t last = e.byte == 0 ? 0 : e.byte - 1;
    std::string reason = describe(e.what());
    std::string hint = "fix the JSON at that place: a missing ',' between properties, an unquoted key or a "
                       "stray character are the usual causes";
    if (reason.rfind("unexpected ", 0) == 0 && reason.find("expected '}'") != std::string::npos)
      hint = "a ',' is probably missing at the end of the property before this one";
    if (last >= text.size()) {
      reason = "the file ends before the JSON does";
      hint = "close every '{' and '[' that is opened";
      last = text.empty() ? 0 : text.size();
    }
    return fail(token_start(stripped.text, last), reason, hint);
  } catch (const nlohmann::json::out_of_range& e) {
    // 406: a number beyond a double's range ("number overflow parsing '1e999'").
    std::string what = e.what();
    auto open = what.find('\''), close = what.rfind('\'');
    std::string number = open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
    return fail(number_offset(stripped.text, number), "the number " + number + " is too large",
                "write a number a double can hold (up to about 1.8e308), or quote it as a string");
  }
}

nlohmann::ordered_json parse_jsonc_ordered(std::string_view text, const std::string& file_name) {
  parse_jsonc(text, file_name);  // the errors, with line and column
  return nlohmann::ordered_json::parse(strip(text).text);
}

}  // namespace dlc::config
