// Ed25519 key pairs in OpenSSH's own formats, made with OpenSSL, so that dlcontainer needs no
// ssh-keygen on the host to give a workspace its SSH keys.
#pragma once

#include <string>

namespace dlc {

struct SshKeyPair {
  std::string private_key;  // "-----BEGIN OPENSSH PRIVATE KEY-----" ... (unencrypted; keep it 0600)
  std::string public_key;   // "ssh-ed25519 AAAA... comment", one line without a newline
};

// A fresh key pair. Error{Internal} when the crypto library fails.
SshKeyPair generate_ed25519_key(const std::string& comment);

}  // namespace dlc
