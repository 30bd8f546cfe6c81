// HTTP(S) GET for what lives outside the engine: OCI registries and tarball URLs. libcurl, loaded when
// first used (support/library.h says why), does TLS with the system's CAs, redirects and proxies
// (HTTPS_PROXY, NO_PROXY) as every other tool on the host does.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "support/cancel.h"

namespace dlc::registry {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;            // "Name: value"
  std::size_t max_body = std::size_t{4} << 20;  // a longer body is an error
  int connect_timeout_s = 10;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; the last response's (after redirects)
  std::string header(const std::string& lower_name) const;
};

// Sends the GET. Error{RegistryUnavailable} naming the URL when no answer comes (the host does not
// resolve, refuses, times out, TLS fails) or the body passes max_body; Error{Cancelled} on cancel. Any
// HTTP status is an answer: the caller judges it. Redirects are followed (an Authorization header is
// not sent on to another host).
HttpResponse http_get(const HttpRequest& request, const CancelToken& cancel = {});

// Percent-encodes a query value (libcurl's curl_easy_escape).
std::string url_escape(const std::string& value);

// Whether a host[:port] is this machine's loopback (localhost, 127.0.0.0/8, [::1]): such registries
// are spoken to in plain HTTP, as the reference CLI does for localhost.
bool is_loopback_host(const std::string& host_and_port);

}  // namespace dlc::registry
