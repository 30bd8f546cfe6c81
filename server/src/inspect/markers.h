// PEP 508 environment markers ("sys_platform == 'win32'", "python_version < '3.8' and ..."),
// evaluated for the container the plan builds: Linux, x86_64, CPython, and a Python version that may
// not be decided yet.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dlc::inspect {

struct MarkerEnvironment {
  std::string python_version;  // "3.8"; "" while unknown (comparisons with it are then unknown)
  std::string sys_platform = "linux";
  std::string platform_system = "Linux";
  std::string os_name = "posix";
  std::string platform_machine = "x86_64";
  std::string implementation_name = "cpython";
  std::string platform_python_implementation = "CPython";
};

// true/false when the marker's value is known; nullopt when it depends on something unknown or
// cannot be parsed (the requirement is then kept: pip will decide in the container).
std::optional<bool> evaluate_marker(std::string_view marker, const MarkerEnvironment& env);

}  // namespace dlc::inspect
