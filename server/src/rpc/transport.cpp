#include "rpc/transport.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

namespace dlc::rpc {

namespace {

constexpr std::string_view kEnd = "\r\n\r\n";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Where "content-length:" starts in s (case-insensitively) at or after `from`.
std::size_t find_length_header(std::string_view s, std::size_t from) {
  constexpr std::string_view name = "content-length:";
  for (std::size_t i = from; i + name.size() <= s.size(); ++i) {
    if (iequals(s.substr(i, name.size()), name)) return i;
  }
  return std::string_view::npos;
}

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 40)) out += std::isprint(c) ? static_cast<char>(c) : '?';
  if (s.size() > 40) out += "...";
  return out;
}

// A header block's fields, or why it is not one.
struct HeaderBlock {
  std::string why;  // empty when it parsed
  bool have_length = false;
  std::uint64_t length = 0;
};

HeaderBlock read_block(std::string_view block) {
  HeaderBlock h;
  while (!block.empty()) {
    auto eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      h.why = "a header line is not `Name: value`: \"" + printable(line) + "\"";
      return h;
    }
    auto name = trim(line.substr(0, colon));
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Length")) {
      if (value.empty() || value.size() > 19 ||
          !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
        h.why = "Content-Length is not a number of bytes: \"" + printable(value) + "\"";
        return h;
      }
      std::uint64_t n = std::stoull(std::string(value));
      if (h.have_length && n != h.length) {
        h.why = "two different Content-Length headers";
        return h;
      }
      h.have_length = true;
      h.length = n;
    }
    // Content-Type (and any other header) is accepted and ignored: the body is UTF-8 JSON.
  }
  if (!h.have_length) h.why = "the header has no Content-Length";
  return h;
}

// A header line as HTTP writes one: a token (RFC 9110 tchar), a colon, a value of visible characters.
// Stricter than what read_block accepts, since it decides where a message may begin among other bytes.
bool strict_header_line(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto tchar = [](unsigned char c) { return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos; };
  if (!std::all_of(line.begin(), line.begin() + colon, tchar)) return false;
  return std::all_of(line.begin() + colon + 1, line.end(), [](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); });
}

// Where a header block that begins with Content-Length and ends at `end` (where "\r\n\r\n" starts in
// buf) begins, if one does: lines are walked back from `end` while they are header lines; the first
// line of the block may follow other bytes on its line (the end of a body that was shorter than said).
// Looks at most max_header bytes back, so each call is bounded and the calls of one buffer walk
// disjoint stretches (each "\r\n\r\n" leaves an empty line that stops the walk).
std::optional<std::size_t> header_ending_at(std::string_view buf, std::size_t end, std::size_t max_header) {
  std::size_t floor = end > max_header ? end - max_header : 0;
  std::size_t line_end = end;
  for (;;) {
    if (line_end < floor) return std::nullopt;  // the block would begin too far back
    std::size_t crlf = line_end >= 2 ? buf.rfind("\r\n", line_end - 2) : std::string_view::npos;
    bool whole = crlf != std::string_view::npos && crlf + 2 >= floor;
    std::size_t line_start = whole ? crlf + 2 : floor;
    std::string_view line = buf.substr(line_start, line_end - line_start);
    std::optional<std::size_t> start;
    if (whole && strict_header_line(line)) {
      if (find_length_header(line, 0) != 0) {
        line_end = crlf;  // a header line of another name: the block may begin further back
        continue;
      }
      start = line_start;
    } else {
      // Other bytes, then "Content-Length: N": the last such occurrence that makes a header line.
      for (std::size_t at = find_length_header(line, 0); at != std::string_view::npos; at = find_length_header(line, at + 1)) {
        if (strict_header_line(line.substr(at))) start = line_start + at;
      }
    }
    if (start && read_block(buf.substr(*start, end - *start)).why.empty()) return start;
    return std::nullopt;
  }
}

}  // namespace

std::string frame(std::string_view body) {
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out.append(body);
  return out;
}

std::string FrameReader::parse_header(std::string_view block) {
  HeaderBlock h = read_block(block);
  if (!h.why.empty()) return h.why;
  if (h.length > limits_.max_body) {
    skip_ = h.length;
    return "a body of " + std::to_string(h.length) + " bytes is over the limit of " + std::to_string(limits_.max_body);
  }
  want_ = static_cast<std::size_t>(h.length);
  return {};
}

void FrameReader::start_body(const OnMessage& on_message) {
  if (want_ == 0) {
    state_ = State::Header;
    on_message(std::string());
  } else {
    state_ = State::Body;
  }
}

void FrameReader::feed(std::string_view data, const OnMessage& on_message, const OnError& on_error) {
  auto step = [&](std::string_view& bytes) {
    switch (state_) {
      case State::SkipBody: skip_body(bytes, on_message, on_error); break;
      case State::SkipHeader: skip_header(bytes); break;
      case State::Body: read_body(bytes, on_message, on_error); break;
      case State::Header: read_header(bytes, on_message, on_error); break;
    }
  };
  while (!data.empty() || !replay_.empty()) {
    if (replay_.empty()) {
      step(data);
      continue;
    }
    // Bytes taken for a body that turned out to belong to the next message: read them again first.
    std::string again = std::exchange(replay_, {});
    std::string_view view = again;
    while (!view.empty() && replay_.empty()) step(view);
    replay_.append(view);  // what a resynchronisation inside the replay left comes after its own replay
  }
}

void FrameReader::skip_header(std::string_view& data) {
  // Drops bytes up to the end of an overlong header block, holding none of them.
  while (!data.empty() && skip_match_ < kEnd.size()) {
    char c = data.front();
    data.remove_prefix(1);
    skip_match_ = c == kEnd[skip_match_] ? skip_match_ + 1 : (c == '\r' ? 1 : 0);
  }
  if (skip_match_ == kEnd.size()) {
    skip_match_ = 0;
    state_ = State::Header;
  }
}

void FrameReader::skip_body(std::string_view& data, const OnMessage& on_message, const OnError& on_error) {
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, data.size()));
  // The bytes dropped so far that a header may begin in, then these.
  std::string scan = window_;
  scan.append(data.substr(0, n));
  std::size_t from = window_.size() < 3 ? 0 : window_.size() - 3;
  for (auto end = scan.find(kEnd, from); end != std::string::npos; end = scan.find(kEnd, end + 1)) {
    auto start = header_ending_at(scan, end, limits_.max_header);
    if (!start) continue;
    // The refused body was shorter than it said (its refusal was reported): the next message is here.
    data.remove_prefix(end + kEnd.size() - window_.size());
    window_.clear();
    skip_ = 0;
    std::string why = parse_header(std::string_view(scan).substr(*start, end - *start));
    if (why.empty()) {
      start_body(on_message);
    } else {
      on_error(why);  // over the limit too: skipped in turn
      state_ = State::SkipBody;
    }
    return;
  }
  data.remove_prefix(n);
  skip_ -= n;
  std::size_t keep = std::min(scan.size(), limits_.max_header + kEnd.size() - 1);
  window_ = scan.substr(scan.size() - keep);
  if (skip_ == 0) {
    window_.clear();
    state_ = State::Header;
  }
}

void FrameReader::read_body(std::string_view& data, const OnMessage& on_message, const OnError& on_error) {
  std::size_t before = pending_.size();
  auto n = std::min(want_ - before, data.size());
  pending_.append(data.substr(0, n));
  data.remove_prefix(n);
  std::size_t from = before < 3 ? 0 : before - 3;
  for (auto end = pending_.find(kEnd, from); end != std::string::npos; end = pending_.find(kEnd, end + 1)) {
    auto start = header_ending_at(pending_, end, limits_.max_header);
    if (!start) continue;
    on_error("a message ended after " + std::to_string(*start) + " bytes, before the " + std::to_string(want_) +
             " its Content-Length gave: the header that came next starts the next message");
    std::string block = pending_.substr(*start, end - *start);
    replay_ = pending_.substr(end + kEnd.size());
    pending_.clear();
    std::string why = parse_header(block);
    if (why.empty()) {
      start_body(on_message);
    } else {
      on_error(why);
      state_ = State::SkipBody;
    }
    return;
  }
  if (pending_.size() == want_) {
    std::string body = std::move(pending_);
    pending_.clear();
    state_ = State::Header;
    on_message(std::move(body));
  }
}

void FrameReader::read_header(std::string_view& data, const OnMessage& on_message, const OnError& on_error) {
  std::size_t search_from = pending_.size() < kEnd.size() ? 0 : pending_.size() - (kEnd.size() - 1);
  std::size_t room = limits_.max_header + kEnd.size() - pending_.size();
  auto take = std::min(room, data.size());
  pending_.append(data.substr(0, take));
  auto end = pending_.find(kEnd, search_from);
  if (end == std::string::npos) {
    data.remove_prefix(take);
    if (pending_.size() >= limits_.max_header + kEnd.size()) {
      // Keep the tail that may begin the terminator, drop the rest.
      std::string_view held = pending_;
      unsigned match = 0;
      for (unsigned k = 3; k > 0; --k) {
        if (held.ends_with(kEnd.substr(0, k))) {
          match = k;
          break;
        }
      }
      skip_match_ = match;
      pending_.clear();
      state_ = State::SkipHeader;
      on_error("a header block is longer than " + std::to_string(limits_.max_header) + " bytes");
    }
    return;
  }
  // What follows the header block goes back to `data`'s share: give back the bytes taken past it.
  std::size_t used = end + kEnd.size();
  std::size_t extra = pending_.size() - used;
  data.remove_prefix(take - extra);
  std::string block = pending_.substr(0, end);
  pending_.clear();
  std::string why = parse_header(block);
  if (why.empty()) {
    start_body(on_message);
    return;
  }
  // Bytes left over from a broken message often come just before the next header: read on from a
  // Content-Length found inside the block, if there is one. Only when the block starts with such
  // bytes: on their line, or on a first line that is no header.
  auto at = find_length_header(block, 1);
  auto first_eol = block.find("\r\n");
  auto first_colon = block.substr(0, first_eol).find(':');
  bool leftover = at != std::string::npos && (at < first_eol || first_colon == std::string::npos || first_colon == 0);
  if (leftover && skip_ == 0) {
    std::string rest = parse_header(std::string_view(block).substr(at));
    on_error("skipped " + std::to_string(at) + " bytes that are not a header: \"" + printable(block) + "\"");
    if (rest.empty()) {
      start_body(on_message);
      return;
    }
    why = rest;
  }
  on_error(why);
  if (skip_ > 0) state_ = State::SkipBody;
}

}  // namespace dlc::rpc
