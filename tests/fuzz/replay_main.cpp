// A driver for a fuzz target's entry point (LLVMFuzzerTestOneInput) in builds without libFuzzer: it
// replays the committed corpus, then a fixed number of inputs mutated from it with a fixed seed (bit
// flips, bytes set, inserted, deleted, repeated, pieces of two inputs spliced, tokens that matter to the
// readers: brackets, header lines, CR LF CR LF, huge numbers). Deterministic, so a failure reproduces
// with the same arguments; no coverage feedback, so it is a regression net in every test run, not the
// search that scripts/fuzz.sh does with libFuzzer. A crash leaves its input in ./crash-input.
//   target [--runs N] [--seed S] [--max-len BYTES] CORPUS_DIR_OR_FILE...
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// The input being run, for the crash handler.
const std::string* g_current = nullptr;

void on_crash(int sig) {
  if (g_current) {
    int fd = ::open("crash-input", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ssize_t ignored = ::write(fd, g_current->data(), g_current->size());
      (void)ignored;
      ::close(fd);
    }
    const char msg[] = "replay: the target crashed; its input is in ./crash-input\n";
    ssize_t ignored = ::write(2, msg, sizeof msg - 1);
    (void)ignored;
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

const std::vector<std::string> kTokens = {
    "[", "{", "]", "}", "\"", ",", ":", "\r\n", "\r\n\r\n", "Content-Length: ", "Content-Length: 1099511627776\r\n\r\n",
    "\"id\":", "\"id\":18446744073709551616", "\"method\":\"$/cancelRequest\"", "\"params\":", "\\u0000", "1e999", "-0",
    "null", "\"jsonrpc\":\"2.0\"", "\"workspace\":\"/w\""};

class Mutator {
 public:
  Mutator(std::uint64_t seed, std::size_t max_len) : rng_(seed), max_len_(max_len) {}

  std::string mutate(const std::vector<std::string>& corpus) {
    std::string s = pick(corpus);
    int steps = 1 + static_cast<int>(below(4));
    for (int i = 0; i < steps; ++i) step(s, corpus);
    if (s.size() > max_len_) s.resize(max_len_);
    return s;
  }

 private:
  std::size_t below(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  const std::string& pick(const std::vector<std::string>& corpus) { return corpus[below(corpus.size())]; }

  void step(std::string& s, const std::vector<std::string>& corpus) {
    std::size_t at = below(s.size() + 1);
    switch (below(7)) {
      case 0:
        if (!s.empty()) s[below(s.size())] ^= static_cast<char>(1u << below(8));
        break;
      case 1:
        if (!s.empty()) s[below(s.size())] = static_cast<char>(below(256));
        break;
      case 2: s.insert(at, 1 + below(8), static_cast<char>(below(256))); break;
      case 3:
        if (!s.empty()) s.erase(below(s.size()), 1 + below(16));
        break;
      case 4: {  // a piece repeated: nesting, long numbers, many headers
        std::size_t len = 1 + below(8);
        std::string piece = s.substr(std::min(at, s.size()), len);
        if (piece.empty()) piece = kTokens[below(kTokens.size())];
        std::string run;
        for (std::size_t n = 1 + below(4096); n > 0 && run.size() < max_len_; --n) run += piece;
        s.insert(at, run);
        break;
      }
      case 5: s.insert(at, kTokens[below(kTokens.size())]); break;
      default: {  // splice another input in
        const std::string& other = pick(corpus);
        std::size_t from = below(other.size() + 1);
        s = s.substr(0, at) + other.substr(from);
        break;
      }
    }
  }

  std::mt19937_64 rng_;
  std::size_t max_len_;
};

std::vector<std::string> load(const std::vector<std::string>& paths) {
  std::vector<std::string> corpus;
  auto read = [&](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  for (const auto& p : paths) {
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());  // the same order everywhere: runs reproduce
      for (const auto& f : files) read(f);
    } else {
      read(p);
    }
  }
  return corpus;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t runs = 2000, max_len = 16384;
  std::uint64_t seed = 20;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--max-len" && i + 1 < argc) max_len = std::strtoull(argv[++i], nullptr, 10);
    else paths.push_back(a);
  }
  auto corpus = load(paths);
  if (corpus.empty()) {
    std::fprintf(stderr, "replay: no corpus (give a folder or files)\n");
    return 2;
  }
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) ::signal(sig, on_crash);
  for (const auto& input : corpus) {
    g_current = &input;
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  }
  Mutator mutator(seed, max_len);
  for (std::size_t i = 0; i < runs; ++i) {
    std::string input = mutator.mutate(corpus);
    g_current = &input;
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  }
  g_current = nullptr;
  std::printf("replay: %zu corpus inputs and %zu mutations (seed %llu), no crash\n", corpus.size(), runs,
              static_cast<unsigned long long>(seed));
  return 0;
}
