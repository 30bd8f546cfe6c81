#include "registry/http.h"

#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "support/error.h"
#include "support/library.h"

namespace dlc::registry {

namespace {

const Library& libcurl() {
  static const Library lib(DLC_LIBCURL_SONAME, "libcurl4");
  return lib;
}
#define CURL_CALL(f) DLC_CALL(libcurl(), f)

struct Transfer {
  std::size_t max_body = 0;
  bool too_big = false;
  const CancelToken* cancel = nullptr;
  HttpResponse* out = nullptr;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t bytes = size * n;
  if (t->out->body.size() + bytes > t->max_body) {
    t->too_big = true;
    return 0;  // ends the transfer with CURLE_WRITE_ERROR
  }
  t->out->body.append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  if (line.starts_with("HTTP/")) {
    t->out->headers.clear();  // a redirect's or a 100's headers are not the answer's
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos || t->out->headers.size() > 200) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string value = line.substr(colon + 1);
  auto first = value.find_first_not_of(" \t");
  auto last = value.find_last_not_of(" \t\r\n");
  t->out->headers[name] = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->cancel && t->cancel->cancelled() ? 1 : 0;  // non-zero aborts
}

struct EasyDeleter {
  void operator()(CURL* c) const { CURL_CALL(curl_easy_cleanup)(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { CURL_CALL(curl_slist_free_all)(l); }
};

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string url_escape(const std::string& value) {
  char* escaped = CURL_CALL(curl_easy_escape)(nullptr, value.c_str(), static_cast<int>(value.size()));
  if (!escaped) throw Error(ErrorCode::Internal, "libcurl could not escape a URL value");
  std::string out(escaped);
  CURL_CALL(curl_free)(escaped);
  return out;
}

bool is_loopback_host(const std::string& host_and_port) {
  std::string host = host_and_port;
  if (host.starts_with("[")) {
    host = host.substr(1, host.find(']') - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

HttpResponse http_get(const HttpRequest& request, const CancelToken& cancel) {
  static std::once_flag init;
  std::call_once(init, [] { CURL_CALL(curl_global_init)(CURL_GLOBAL_DEFAULT); });
  cancel.throw_if_cancelled();

  HttpResponse out;
  Transfer t{.max_body = request.max_body, .cancel = &cancel, .out = &out};
  std::unique_ptr<CURL, EasyDeleter> curl(CURL_CALL(curl_easy_init)());
  if (!curl) throw Error(ErrorCode::Internal, "libcurl could not start a transfer");
  std::unique_ptr<curl_slist, ListDeleter> headers;
  for (const auto& h : request.headers) headers.reset(CURL_CALL(curl_slist_append)(headers.release(), h.c_str()));

  auto set = CURL_CALL(curl_easy_setopt);
  CURL* c = curl.get();
  set(c, CURLOPT_URL, request.url.c_str());
  set(c, CURLOPT_HTTPHEADER, headers.get());
  set(c, CURLOPT_USERAGENT, "dlcontainer");
  set(c, CURLOPT_PROTOCOLS_STR, "http,https");
  set(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(c, CURLOPT_FOLLOWLOCATION, 1L);
  set(c, CURLOPT_MAXREDIRS, 10L);
  set(c, CURLOPT_NOSIGNAL, 1L);
  set(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(request.connect_timeout_s));
  // A stalled transfer (under 1 byte/s for 60 s) ends; a slow but moving one may take its time.
  set(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  set(c, CURLOPT_LOW_SPEED_TIME, 60L);
  set(c, CURLOPT_WRITEFUNCTION, &on_body);
  set(c, CURLOPT_WRITEDATA, &t);
  set(c, CURLOPT_HEADERFUNCTION, &on_header);
  set(c, CURLOPT_HEADERDATA, &t);
  set(c, CURLOPT_NOPROGRESS, 0L);
  set(c, CURLOPT_XFERINFOFUNCTION, &on_progress);
  set(c, CURLOPT_XFERINFODATA, &t);

  CURLcode rc = CURL_CALL(curl_easy_perform)(c);
  if (rc == CURLE_ABORTED_BY_CALLBACK) throw Error(ErrorCode::Cancelled, "cancelled while fetching " + request.url);
  if (t.too_big) {
    throw Error(ErrorCode::RegistryUnavailable,
                request.url + " sent more than " + std::to_string(request.max_body >> 10) + " KiB",
                "a Feature's files and manifests are small; check that the URL names a Feature");
  }
  if (rc != CURLE_OK) {
    throw Error(ErrorCode::RegistryUnavailable,
                "cannot reach " + request.url + ": " + CURL_CALL(curl_easy_strerror)(rc),
                "check the address and your network (a proxy is taken from HTTPS_PROXY); a registry mirror can be set "
                "in ~/.config/dlcontainer/config.json under \"mirrors\": {\"registries\": {...}}");
  }
  CURL_CALL(curl_easy_getinfo)(c, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

}  // namespace dlc::registry
