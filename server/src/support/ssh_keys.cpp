#include "support/ssh_keys.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <memory>
#include <string_view>

#include "support/error.h"

namespace dlc {

namespace {

// The SSH wire encoding (RFC 4251): big-endian u32, and strings prefixed with their length.
void put_u32(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>(v >> 16);
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}
void put_string(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

std::string base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

SshKeyPair generate_ed25519_key(const std::string& comment) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    throw Error(ErrorCode::Internal, "cannot generate an Ed25519 key", "check the OpenSSL installation");
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, EVP_PKEY_free);
  unsigned char seed[32], pub[32];
  std::size_t seed_len = sizeof seed, pub_len = sizeof pub;
  if (EVP_PKEY_get_raw_private_key(key.get(), seed, &seed_len) != 1 || EVP_PKEY_get_raw_public_key(key.get(), pub, &pub_len) != 1 ||
      seed_len != 32 || pub_len != 32) {
    throw Error(ErrorCode::Internal, "cannot read the Ed25519 key back", "check the OpenSSL installation");
  }
  std::string_view pub_view(reinterpret_cast<const char*>(pub), 32);

  std::string blob;  // the public key blob
  put_string(blob, "ssh-ed25519");
  put_string(blob, pub_view);

  // openssh-key-v1 (OpenSSH's PROTOCOL.key), unencrypted: the private section holds a repeated
  // check number, the key (seed followed by the public half, as OpenSSH stores it) and the comment,
  // padded to the cipher block size (8 for "none") with 1, 2, 3, ...
  std::uint32_t check = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&check), sizeof check) != 1) {
    throw Error(ErrorCode::Internal, "the random number generator failed", "check the OpenSSL installation");
  }
  std::string priv;
  put_u32(priv, check);
  put_u32(priv, check);
  put_string(priv, "ssh-ed25519");
  put_string(priv, pub_view);
  put_string(priv, std::string(reinterpret_cast<const char*>(seed), 32) + std::string(pub_view));
  put_string(priv, comment);
  for (char pad = 1; priv.size() % 8 != 0; ++pad) priv += pad;

  std::string body = std::string("openssh-key-v1") + '\0';
  put_string(body, "none");
  put_string(body, "none");
  put_string(body, "");
  put_u32(body, 1);
  put_string(body, blob);
  put_string(body, priv);
  OPENSSL_cleanse(seed, sizeof seed);

  SshKeyPair out;
  std::string encoded = base64(body);
  out.private_key = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
  for (std::size_t i = 0; i < encoded.size(); i += 70) out.private_key += encoded.substr(i, 70) + "\n";
  out.private_key += "-----END OPENSSH PRIVATE KEY-----\n";
  OPENSSL_cleanse(encoded.data(), encoded.size());
  OPENSSL_cleanse(priv.data(), priv.size());
  OPENSSL_cleanse(body.data(), body.size());
  out.public_key = "ssh-ed25519 " + base64(blob) + (comment.empty() ? "" : " " + comment);
  return out;
}

}  // namespace dlc
