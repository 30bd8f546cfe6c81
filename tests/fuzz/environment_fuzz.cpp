// libFuzzer target: conda environment.yml on any bytes (yaml-cpp underneath).
#include <cstddef>
#include <cstdint>
#include <string>

#include "inspect/parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  dlc::inspect::RepoFacts facts;
  dlc::inspect::parse_environment_yml(text, "environment.yml", facts);
  dlc::inspect::derive_hints(facts);
  return 0;
}
