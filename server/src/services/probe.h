// Readiness seen the way the user will see it: an HTTP request to the host port that reaches the
// service (published or forwarded), not a look from inside the container.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "support/cancel.h"

namespace dlc::services {

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// One GET of http://host:port/target; nullopt when there is no answer within `timeout`.
std::optional<HttpAnswer> http_get(const std::string& host, int port, const std::string& target,
                                   const std::map<std::string, std::string>& headers = {},
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Asks again until the answer has status `want` or `deadline` passes; the last answer (or none).
// Error{Cancelled} once `cancel` is.
std::optional<HttpAnswer> wait_http(const std::string& host, int port, const std::string& target,
                                    const std::map<std::string, std::string>& headers, int want,
                                    std::chrono::milliseconds deadline, const CancelToken& cancel = {});

}  // namespace dlc::services
