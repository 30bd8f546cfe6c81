// The Python script that `dlcontainer verify` runs inside a container (gpu/verify_probe.py), built
// into the binary so that nothing has to be installed beside it.
#pragma once

#include <string_view>

namespace dlc::gpu {

// The script's text. It reads `--steps N`, `--batch N` and `--framework NAME` and ends its output
// with one line "@@DLC_VERIFY <json>".
std::string_view verify_probe_script();

inline constexpr std::string_view kVerifyResultMarker = "@@DLC_VERIFY ";

}  // namespace dlc::gpu
