#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace dlc::cli {

bool colour(int fd) {
  const char* no = std::getenv("NO_COLOR");
  return ::isatty(fd) && (no == nullptr || *no == '\0');
}

std::string paint(int fd, std::string_view text, const char* sgr) {
  if (!colour(fd)) return std::string(text);
  return "\033[" + std::string(sgr) + "m" + std::string(text) + "\033[0m";
}

TerminalProgress::TerminalProgress(bool quiet) : tty_(::isatty(2)), quiet_(quiet) {}

TerminalProgress::~TerminalProgress() { clear_status(); }

void TerminalProgress::clear_status() {
  if (status_shown_) {
    std::fputs("\r\033[K", stderr);
    status_shown_ = false;
  }
}

void TerminalProgress::begin(std::string_view title) {
  if (quiet_) return;
  clear_status();
  title_ = title;
  std::fprintf(stderr, "%s %.*s\n", paint(2, "==>", "1;34").c_str(), static_cast<int>(title.size()), title.data());
}

void TerminalProgress::report(std::string_view message, std::optional<int> percent) {
  if (quiet_ || !tty_) return;  // pull layer chatter is noise in a log; only a terminal redraws it
  int cols = 80, rows = 0;
  window_size(2, rows, cols);
  std::string line(message);
  if (percent) {
    int width = 20, filled = std::clamp(*percent, 0, 100) * width / 100;
    line = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] " + std::to_string(*percent) + "% " + line;
  }
  if (static_cast<int>(line.size()) > cols - 1) line.resize(std::max(cols - 1, 0));
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  status_shown_ = true;
}

void TerminalProgress::output(std::string_view line) {
  if (quiet_) return;
  clear_status();
  std::fprintf(stderr, "%s\n", paint(2, line, "2").c_str());
}

void TerminalProgress::end(std::string_view message) {
  if (quiet_) return;
  clear_status();
  if (!message.empty()) std::fprintf(stderr, "    %.*s\n", static_cast<int>(message.size()), message.data());
}

RawMode::RawMode(int fd) : fd_(fd) {
  if (::tcgetattr(fd_, &saved_) != 0) return;
  termios raw = saved_;
  ::cfmakeraw(&raw);
  active_ = ::tcsetattr(fd_, TCSANOW, &raw) == 0;
}

RawMode::~RawMode() {
  if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
}

bool window_size(int fd, int& rows, int& cols) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return false;
  rows = ws.ws_row;
  cols = ws.ws_col;
  return true;
}

}  // namespace dlc::cli
