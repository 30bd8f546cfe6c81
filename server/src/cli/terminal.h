// What the command line needs from the terminal: colour, progress drawn in place, raw mode for exec.
#pragma once

#include <string>
#include <string_view>
#include <termios.h>

#include "support/progress.h"

namespace dlc::cli {

// Colour only on a terminal, and never when NO_COLOR is set.
bool colour(int fd);
std::string paint(int fd, std::string_view text, const char* sgr);  // sgr: "31" red, "2" dim, ...

// Progress on stderr: steps as lines, a step's status redrawn in place on a terminal, the work's
// own output dimmed. Off a terminal (CI logs, pipes) everything is a plain line.
class TerminalProgress : public ProgressSink {
 public:
  explicit TerminalProgress(bool quiet = false);
  ~TerminalProgress() override;
  void begin(std::string_view title) override;
  void report(std::string_view message, std::optional<int> percent) override;
  void output(std::string_view line) override;
  void end(std::string_view message) override;

 private:
  void clear_status();
  bool tty_;
  bool quiet_;
  bool status_shown_ = false;
  std::string title_;
};

// Puts a terminal in raw mode for the life of the object (a TTY exec), and restores it.
class RawMode {
 public:
  explicit RawMode(int fd);
  ~RawMode();
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_;
  bool active_ = false;
  termios saved_{};
};

// Rows and columns of a terminal, when fd is one.
bool window_size(int fd, int& rows, int& cols);

}  // namespace dlc::cli
