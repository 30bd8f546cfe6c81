// libFuzzer target: requirements*.txt (and the PEP 440 / PEP 508 readers behind it) on any bytes.
// Every -r include reads the same input again, so that include handling is fuzzed too.
#include <cstddef>
#include <cstdint>
#include <string>

#include "inspect/markers.h"
#include "inspect/parsers.h"
#include "inspect/version.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  dlc::inspect::RepoFacts facts;
  dlc::inspect::parse_requirements(text, "requirements.txt", [&](const std::string&) { return std::optional<std::string>(text); }, facts);
  dlc::inspect::derive_hints(facts);
  dlc::inspect::MarkerEnvironment env;
  env.python_version = "3.8";
  for (const auto& r : facts.requirements) {
    if (auto spec = dlc::inspect::SpecifierSet::parse(r.specifier)) (void)spec->contains("1.11.0+cu113");
    (void)dlc::inspect::evaluate_marker(r.marker, env);
  }
  for (const auto& h : facts.hints) (void)dlc::inspect::SpecifierSet::parse(h.spec);
  (void)dlc::inspect::SpecifierSet::parse_conda(text.substr(0, 64));
  (void)dlc::inspect::SpecifierSet::parse_poetry(text.substr(0, 64));
  return 0;
}
