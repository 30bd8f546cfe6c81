// libFuzzer target: bytes as the engine's answer -> the HTTP client (Beast over a ByteStream) -> what
// reads the answer (JSON replies, the event stream's lines, the multiplexed output of logs and exec).
// What must hold for any answer: no crash, no sanitizer report, nothing buffered beyond the limits,
// and every failure a dlc::Error (never another exception, never "a bug in dlcontainer").
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DDLC_FUZZ=ON && ninja -C build-fuzz engine_http_fuzz
//   build-fuzz/tests/fuzz/engine_http_fuzz tests/fuzz/corpus/engine_http -max_total_time=60
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include <boost/asio/error.hpp>

#include "engine/engine.h"
#include "engine/http.h"
#include "engine/stream.h"
#include "support/error.h"

namespace {

using namespace dlc;
using namespace dlc::engine;

// The answer, handed out in pieces whose sizes the input's first byte chooses (a split header, a
// chunk boundary inside a frame), then the end of the stream. What is written is counted, not kept.
class MemoryStream : public ByteStream {
 public:
  MemoryStream(std::string data, std::size_t piece) : data_(std::move(data)), piece_(piece) {}
  std::size_t read_some(void* out, std::size_t size, error_code& ec) override {
    if (pos_ >= data_.size()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    ec = {};
    std::size_t n = std::min({size, piece_, data_.size() - pos_});
    std::memcpy(out, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  std::size_t write_some(const void*, std::size_t size, error_code& ec) override {
    ec = {};
    return size;
  }
  void shutdown_write() override {}
  void interrupt() override {}
  int poll_fd() const override { return -1; }
  int interrupt_fd() const override { return -1; }

 private:
  std::string data_;
  std::size_t piece_;
  std::size_t pos_ = 0;
};

template <class F>
void expect_only_errors(F f) {
  try {
    f();
  } catch (const Error&) {
  } catch (...) {
    std::abort();  // anything else would reach the user as "a bug in dlcontainer"
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t piece = 1 + data[0] % 97;
  std::string answer(reinterpret_cast<const char*>(data) + 1, size - 1);
  Endpoint endpoint;
  Timeouts timeouts{std::chrono::milliseconds(1000), std::chrono::milliseconds(1000)};

  // An answer read whole, then its JSON as the Engine API's typed readers take it.
  expect_only_errors([&] {
    Connection c(std::make_unique<MemoryStream>(answer, piece), endpoint, timeouts);
    auto r = c.request("GET", "/v1.43/containers/json");
    if (r.body.size() > kReplyLimit) std::abort();
    read_reply(r.body, "listing containers", [](const nlohmann::json& rows) {
      std::size_t n = 0;
      for (const auto& row : rows) n += container_summary_from_docker(row).id.size();
      return n;
    });
    read_reply(r.body, "inspecting a container", [](const nlohmann::json& j) { return container_info_from_docker(j).id; });
  });
  // A streamed answer: the event stream's lines, and logs' multiplexed frames.
  expect_only_errors([&] {
    Connection c(std::make_unique<MemoryStream>(answer, piece), endpoint, timeouts);
    LineSplitter lines([](std::string_view line) {
      if (line.size() > LineSplitter::kMaxLine) std::abort();
      if (auto e = event_of_line(line)) (void)e->id.size();
    });
    c.stream("GET", "/v1.43/events", {}, [&](std::string_view d) { lines.feed(d); }, true);
    lines.finish();
  });
  expect_only_errors([&] {
    Connection c(std::make_unique<MemoryStream>(answer, piece), endpoint, timeouts);
    std::size_t out = 0;
    Demuxer demux([&](std::string_view d) { out += d.size(); }, [&](std::string_view d) { out += d.size(); });
    c.stream("GET", "/v1.43/containers/x/logs", {}, [&](std::string_view d) { demux.feed(d); }, true);
  });
  // An exec's upgrade: the header, then what follows belongs to the raw stream.
  expect_only_errors([&] {
    Connection c(std::make_unique<MemoryStream>(answer, piece), endpoint, timeouts);
    auto r = c.hijack("/v1.43/exec/x/start", "{}");
    if (r.body.size() > (1u << 20)) std::abort();
    (void)c.take_leftover();
  });
  return 0;
}
