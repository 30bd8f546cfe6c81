// TLS to a daemon listening on tcp:// with --tlsverify, through OpenSSL on the non-blocking socket.
// OpenSSL directly rather than Asio's ssl::stream: an exec stream is driven by poll(2) beside the
// terminal, and only SSL_has_pending can say that decrypted bytes wait although the socket is quiet
// (Asio keeps such bytes in a buffer of its own that nothing outside can see).
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <boost/asio/error.hpp>

#include "engine/stream.h"
#include "support/error.h"

namespace dlc::engine {

namespace asio_error = boost::asio::error;

namespace {

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

bool is_ip_address(const std::string& host) {
  return host.find_first_not_of("0123456789.") == std::string::npos || host.find(':') != std::string::npos;
}

class TlsStream : public ByteStream {
 public:
  TlsStream(std::unique_ptr<FdStream> tcp, SSL_CTX* ctx) : tcp_(std::move(tcp)), ctx_(ctx), ssl_(SSL_new(ctx)) {
    SSL_set_fd(ssl_, tcp_->read_fd());
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  }
  ~TlsStream() override {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }

  SSL* ssl() { return ssl_; }

  // Runs one OpenSSL call until it completes, waiting on the socket as it asks. Returns its result
  // (> 0), or 0 with ec set.
  template <class Op>
  int drive(Op op, error_code& ec) {
    ec = {};
    tcp_->set_wait(wait_);
    for (;;) {
      ERR_clear_error();
      int n = op();
      if (n > 0) return n;
      int err = SSL_get_error(ssl_, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (!tcp_->wait_ready(tcp_->read_fd(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, ec)) return 0;
        continue;
      }
      if (err == SSL_ERROR_ZERO_RETURN) {
        ec = asio_error::eof;
      } else if (err == SSL_ERROR_SYSCALL) {
        ec = errno != 0 ? error_code(errno, boost::system::system_category()) : error_code(asio_error::eof);
      } else {
        last_error_ = openssl_errors();
        ec = asio_error::connection_aborted;
      }
      return 0;
    }
  }

  std::size_t read_some(void* data, std::size_t size, error_code& ec) override {
    if (size == 0) return ec = {}, 0;
    int n = drive([&] { return SSL_read(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30))); }, ec);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  std::size_t write_some(const void* data, std::size_t size, error_code& ec) override {
    if (size == 0) return ec = {}, 0;
    int n = drive([&] { return SSL_write(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30))); }, ec);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  // close_notify: the daemon reads an end of stream (as from Go's tls.Conn.CloseWrite) and can still
  // answer, which reading after sending it allows.
  void shutdown_write() override {
    error_code ec;
    if (!shut_) drive([&] { return SSL_shutdown(ssl_) >= 0 ? 1 : -1; }, ec);
    shut_ = true;
  }
  void interrupt() override { tcp_->interrupt(); }
  int poll_fd() const override { return tcp_->read_fd(); }
  int interrupt_fd() const override { return tcp_->interrupt_fd(); }
  bool pending() const override { return SSL_has_pending(ssl_) == 1; }
  const std::string& last_error() const { return last_error_; }

 private:
  std::unique_ptr<FdStream> tcp_;
  SSL_CTX* ctx_;
  SSL* ssl_;
  bool shut_ = false;
  std::string last_error_;
};

}  // namespace

std::unique_ptr<ByteStream> start_tls(std::unique_ptr<FdStream> tcp, const TlsFiles& files, const std::string& server_name,
                                      const std::string& where, const Wait& wait) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) throw Error(ErrorCode::Internal, "OpenSSL cannot make a TLS context: " + openssl_errors());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // A daemon may close without close_notify after its answer; that is an end, not an attack here
  // (every HTTP message has its own length).
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  auto unusable = [&](const std::string& what, const std::string& file) {
    std::string why = openssl_errors();
    SSL_CTX_free(ctx);
    return Error(ErrorCode::InvalidArgument, "cannot use " + what + " " + file + " for " + where + (why.empty() ? "" : ": " + why),
                 "DOCKER_CERT_PATH (or the context's TLS folder) must hold ca.pem, cert.pem and key.pem in PEM form, "
                 "as `docker --tlsverify` uses them");
  };
  if (files.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    bool loaded = files.ca.empty() ? SSL_CTX_set_default_verify_paths(ctx) == 1
                                   : SSL_CTX_load_verify_locations(ctx, files.ca.c_str(), nullptr) == 1;
    if (!loaded) throw unusable("the CA certificate", files.ca);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!files.cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, files.cert.c_str()) != 1) throw unusable("the client certificate", files.cert);
    if (SSL_CTX_use_PrivateKey_file(ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
      throw unusable("the client key", files.key);
    }
  }
  auto tls = std::make_unique<TlsStream>(std::move(tcp), ctx);
  SSL* ssl = tls->ssl();
  if (is_ip_address(server_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, server_name.c_str());
    SSL_set1_host(ssl, server_name.c_str());
  }
  tls->set_wait(wait);
  error_code ec;
  tls->drive([&] { return SSL_connect(ssl); }, ec);
  if (!ec) return tls;

  long verify = SSL_get_verify_result(ssl);
  if (ec == asio_error::timed_out) {
    throw Error(ErrorCode::EngineUnavailable, "the TLS handshake with " + where + " did not finish in time",
                "check that the daemon listens with TLS there (dockerd --tlsverify) and the network is up");
  }
  if (verify != X509_V_OK) {
    throw Error(ErrorCode::EnginePermission,
                "the engine at " + where + " is not trusted: " + X509_verify_cert_error_string(verify),
                "the CA in DOCKER_CERT_PATH (ca.pem) must be the one that signed the daemon's certificate, and the "
                "certificate must name " + server_name + " (DNS or IP in subjectAltName)");
  }
  std::string why = tls->last_error();
  throw Error(ErrorCode::EnginePermission,
              "the TLS handshake with " + where + " failed" + (why.empty() ? ": " + ec.message() : ": " + why),
              "check that the daemon listens with TLS there and accepts your client certificate (cert.pem and key.pem in "
              "DOCKER_CERT_PATH, signed by the CA the daemon trusts)");
}

}  // namespace dlc::engine
