// Small pieces the service starters share (services.cpp and each service's own file).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace dlc::services {

// 48 hex digits from /dev/urandom: Jupyter's token, code-server's password.
std::string random_token();
// The last n lines of a program's output, for an error's hint.
std::string last_lines(const std::string& text, int n);
// settings[key] when it is an object (customizations.dlcontainer.jupyter, .code, ...), else {}.
const nlohmann::json& section(const nlohmann::json& settings, const char* key);
// code-server's page for a folder: http://HOST:PORT/?folder=FOLDER.
std::string code_url(const std::string& host, int port, const std::string& folder);

}  // namespace dlc::services
