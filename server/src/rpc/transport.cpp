#include "rpc/transport.h"

#include <algorithm>
#include <cctype>

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

}  // namespace

std::string frame(std::string_view body) {
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out.append(body);
  return out;
}

std::string FrameReader::parse_header(std::string_view block) {
  bool have_length = false;
  std::uint64_t length = 0;
  while (!block.empty()) {
    auto eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return "a header line is not `Name: value`: \"" + printable(line) + "\"";
    auto name = trim(line.substr(0, colon));
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Length")) {
      if (value.empty() || value.size() > 19 ||
          !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return "Content-Length is not a number of bytes: \"" + printable(value) + "\"";
      }
      std::uint64_t n = std::stoull(std::string(value));
      if (have_length && n != length) return "two different Content-Length headers";
      have_length = true;
      length = n;
    }
    // Content-Type (and any other header) is accepted and ignored: the body is UTF-8 JSON.
  }
  if (!have_length) return "the header has no Content-Length";
  if (length > limits_.max_body) {
    skip_ = length;
    return "a body of " + std::to_string(length) + " bytes is over the limit of " + std::to_string(limits_.max_body);
  }
  want_ = static_cast<std::size_t>(length);
  return {};
}

void FrameReader::feed(std::string_view data, const OnMessage& on_message, const OnError& on_error) {
  while (!data.empty()) {
    switch (state_) {
      case State::SkipBody: {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, data.size()));
        data.remove_prefix(n);
        skip_ -= n;
        if (skip_ == 0) state_ = State::Header;
        break;
      }
      case State::SkipHeader: {
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
        break;
      }
      case State::Body: {
        auto n = std::min(want_ - pending_.size(), data.size());
        pending_.append(data.substr(0, n));
        data.remove_prefix(n);
        if (pending_.size() == want_) {
          std::string body = std::move(pending_);
          pending_.clear();
          state_ = State::Header;
          on_message(std::move(body));
        }
        break;
      }
      case State::Header: {
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
          break;
        }
        // What follows the header block goes back to `data`'s share: give back the bytes taken past it.
        std::size_t used = end + kEnd.size();
        std::size_t extra = pending_.size() - used;
        data.remove_prefix(take - extra);
        std::string block = pending_.substr(0, end);
        pending_.clear();
        std::string why = parse_header(block);
        if (!why.empty()) {
          // Bytes left over from a broken message often come just before the next header: read on
          // from a Content-Length found inside the block, if there is one.
          // Only when the block starts with such bytes: on their line, or on a first line that is no header.
          auto at = find_length_header(block, 1);
          auto first_eol = block.find("\r\n");
          auto first_colon = block.substr(0, first_eol).find(':');
          bool leftover = at != std::string::npos && (at < first_eol || first_colon == std::string::npos || first_colon == 0);
          if (leftover && skip_ == 0) {
            std::string rest = parse_header(std::string_view(block).substr(at));
            on_error("skipped " + std::to_string(at) + " bytes that are not a header: \"" + printable(block) + "\"");
            if (rest.empty()) {
              state_ = want_ == 0 ? State::Header : State::Body;
              if (want_ == 0) on_message(std::string());
              break;
            }
            why = rest;
          }
          on_error(why);
          if (skip_ > 0) state_ = State::SkipBody;
          break;
        }
        if (want_ == 0) {
          on_message(std::string());
        } else {
          state_ = State::Body;
        }
        break;
      }
    }
  }
}

}  // namespace dlc::rpc
