#include "support/library.h"

#include <dlfcn.h>

#include "support/error.h"

namespace dlc {

void* Library::symbol(const char* name) const {
  std::call_once(loaded_, [this] {
    handle_ = ::dlopen(soname_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      const char* e = ::dlerror();
      load_error_ = e ? e : "dlopen failed";
    }
  });
  if (!handle_) {
    throw Error(ErrorCode::Internal, "cannot load " + soname_ + ": " + load_error_,
                "install it (Debian and Ubuntu: sudo apt-get install " + package_ + ")");
  }
  void* p = ::dlsym(handle_, name);
  if (!p) {
    throw Error(ErrorCode::Internal, soname_ + " has no " + name,
                "the installed " + package_ + " is not the one dlcontainer was built against: reinstall dlcontainer for it");
  }
  return p;
}

}  // namespace dlc
