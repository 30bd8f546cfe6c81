// libgit2 as Debian builds it (linked into the portable binary: packaging/portable/dependencies.cmake)
// authenticates to HTTP servers that ask for Kerberos (the Negotiate scheme) through the system's
// GSSAPI library, which Debian ships only as a shared object, built against its own glibc. The portable
// build has no GSSAPI. These answer as a GSSAPI library with no mechanisms does (GSS_S_UNAVAILABLE), so
// libgit2 fails such a request with "could not query mechanisms" (docs/install.md lists it among the
// portable build's limits), and all else is as in the other builds: https without Kerberos, ssh,
// local repositories. Nothing here pretends to authenticate.
#include <gssapi/gssapi.h>

#include <cstdlib>
#include <cstring>

extern "C" {

gss_OID GSS_C_NT_HOSTBASED_SERVICE = GSS_C_NO_OID;

OM_uint32 gss_indicate_mechs(OM_uint32* minor, gss_OID_set* mechs) {
  *minor = 0;
  if (mechs != nullptr) *mechs = GSS_C_NO_OID_SET;
  return GSS_S_UNAVAILABLE;
}

OM_uint32 gss_release_oid_set(OM_uint32* minor, gss_OID_set* set) {
  *minor = 0;
  if (set != nullptr) *set = GSS_C_NO_OID_SET;
  return GSS_S_COMPLETE;
}

OM_uint32 gss_import_name(OM_uint32* minor, gss_buffer_t, gss_OID, gss_name_t* name) {
  *minor = 0;
  if (name != nullptr) *name = GSS_C_NO_NAME;
  return GSS_S_UNAVAILABLE;
}

OM_uint32 gss_release_name(OM_uint32* minor, gss_name_t* name) {
  *minor = 0;
  if (name != nullptr) *name = GSS_C_NO_NAME;
  return GSS_S_COMPLETE;
}

OM_uint32 gss_init_sec_context(OM_uint32* minor, gss_cred_id_t, gss_ctx_id_t*, gss_name_t, gss_OID, OM_uint32, OM_uint32,
                               gss_channel_bindings_t, gss_buffer_t, gss_OID*, gss_buffer_t output, OM_uint32*, OM_uint32*) {
  *minor = 0;
  if (output != GSS_C_NO_BUFFER) *output = gss_buffer_desc{0, nullptr};
  return GSS_S_UNAVAILABLE;
}

OM_uint32 gss_delete_sec_context(OM_uint32* minor, gss_ctx_id_t* context, gss_buffer_t output) {
  *minor = 0;
  if (context != nullptr) *context = GSS_C_NO_CONTEXT;
  if (output != GSS_C_NO_BUFFER) *output = gss_buffer_desc{0, nullptr};
  return GSS_S_COMPLETE;
}

OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32, int, gss_OID, OM_uint32* more, gss_buffer_t text) {
  static const char message[] = "Kerberos (GSSAPI) is not in dlcontainer's portable build";
  *minor = 0;
  if (more != nullptr) *more = 0;
  void* copy = std::malloc(sizeof message);  // freed by gss_release_buffer, as GSSAPI's own are
  if (copy == nullptr) return GSS_S_FAILURE;
  std::memcpy(copy, message, sizeof message);
  *text = gss_buffer_desc{sizeof message - 1, copy};
  return GSS_S_COMPLETE;
}

OM_uint32 gss_release_buffer(OM_uint32* minor, gss_buffer_t buffer) {
  *minor = 0;
  if (buffer != GSS_C_NO_BUFFER) {
    std::free(buffer->value);
    *buffer = gss_buffer_desc{0, nullptr};
  }
  return GSS_S_COMPLETE;
}

}  // extern "C"
