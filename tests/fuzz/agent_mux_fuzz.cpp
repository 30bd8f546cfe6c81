// Fuzz target: bytes of an agent session's stream (agent/mux_protocol.h) through the Decoder, fed in
// pieces cut where the input's first byte says, and every frame's payload through the readers that
// walk it (Open's "HOST PORT", Window's increment into a channel's Windows, a direct connection's first
// line against a fixed secret, a Hello's capabilities). What must hold for any
// input: no crash, no sanitizer report; every frame read keeps its type's length limit; a refused
// stream gives a reason and stays refused; the decoder never holds more than what was fed.
//   scripts/fuzz.sh [SECONDS] agent_mux_fuzz   libFuzzer from tests/fuzz/corpus/agent_mux;
//   ctest -R agent_mux_fuzz                    the corpus and mutations of it (replay_main.cpp).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/mux_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dlc::agent::mux;
  if (size == 0) return 0;
  std::size_t step = 1 + data[0] % 64;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  Decoder d;
  Windows w;
  bool bad = false;
  for (std::size_t at = 0; at < stream.size(); at += step) {
    d.feed(stream.substr(at, step));
    FrameView f;
    Decoder::Result r;
    while ((r = d.next(f)) == Decoder::Result::Frame) {
      if (f.payload.size() > max_payload(static_cast<char>(f.type))) std::abort();
      if ((f.type == Type::Hello || f.type == Type::Listen) != (f.channel == 0)) std::abort();
      if (f.type == Type::Hello) has_capability(f.payload, kDirectCapability);
      // The direct lane's check: only a line that starts with the secret and names a target passes.
      static const std::string secret(2 * kSecretBytes, 'a');
      std::string target;
      int target_port = 0;
      if (check_direct_line(f.payload, secret, target, target_port) &&
          (f.payload.substr(0, secret.size()) != secret || target_port < 1 || target_port > 65535)) {
        std::abort();
      }
      std::string host;
      int port = 0;
      if (f.type == Type::Open && parse_open(f.payload, host, port) && (port < 1 || port > 65535 || host.empty())) std::abort();
      if (f.type == Type::Window) {
        if (f.payload.size() != 4) std::abort();
        std::uint32_t before = w.send_room();
        if (w.granted(dlc::agent::get_u32(f.payload.data())) && w.send_room() > kInitialWindow) std::abort();
        if (w.send_room() < before) std::abort();
      }
      if (f.type == Type::Data && w.received(f.payload.size())) w.delivered(f.payload.size());
    }
    if (r == Decoder::Result::Bad) {
      if (d.error().empty()) std::abort();
      bad = true;
      break;
    }
  }
  if (bad) {
    FrameView f;
    d.feed("x");
    if (d.next(f) != Decoder::Result::Bad) std::abort();
  }
  return 0;
}
