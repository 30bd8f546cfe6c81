// A shared library loaded when first used, for what only some commands need.
#pragma once

#include <mutex>
#include <string>

namespace dlc {

// Linking a library maps and relocates it, and every library it needs, at each start of
// dlcontainer: libgit2 and libarchive bring 22 more (TLS, Kerberos, ICU, XML, compressors), a third
// of the start of every command on a small VM, for the few commands that clone or build. Loaded
// here instead, with dlopen, on the first call. The library's own headers still declare what is
// called, so calls are checked as if linked:
//
//   const Library& git = ...;                                  // Library{"libgit2.so.1.5", "libgit2-1.5"}
//   DLC_CALL(git, git_libgit2_init)();
class Library {
 public:
  // soname: what dlopen is given (CMake reads it from the library built against); package: what
  // provides it, for the hint when it is missing.
  Library(std::string soname, std::string package) : soname_(std::move(soname)), package_(std::move(package)) {}
  Library(const Library&) = delete;

  // The symbol's address; Error{Internal} with an install hint when the library or the symbol is
  // missing.
  void* symbol(const char* name) const;
  const std::string& soname() const { return soname_; }

 private:
  std::string soname_, package_;
  mutable std::once_flag loaded_;
  mutable void* handle_ = nullptr;
  mutable std::string load_error_;
};

}  // namespace dlc

// The function `f` of `library`, with the type its header declares. The portable build links the
// libraries in (docs/install.md: the system it runs on may have none, or another version) and calls
// them directly; `library` is then only named, never loaded.
#ifdef DLC_STATIC_LIBRARIES
#define DLC_CALL(library, f) ((void)sizeof(&(library)), &f)
#else
#define DLC_CALL(library, f) reinterpret_cast<decltype(&f)>((library).symbol(#f))
#endif
