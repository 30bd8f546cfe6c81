// support/library in the portable build (DLC_STATIC_LIBRARIES: the libraries are linked in): DLC_CALL
// calls the linked function and never loads the library it names, so a system without that library
// (or with another version of it) runs the same code. Compiled here against the C library, which
// every build links.
#define DLC_STATIC_LIBRARIES
#include <gtest/gtest.h>

#include <cstring>

#include "support/library.h"

using dlc::Library;

TEST(LinkedLibrary, CallsTheLinkedFunctionWithoutLoadingTheLibraryItNames) {
  // Loading it would throw "cannot load ..." (support_library_test.cpp pins that).
  Library absent("libdlc-does-not-exist.so.9", "libdlc-nothing9");
  EXPECT_EQ(DLC_CALL(absent, strlen)("four"), 4u);
}

TEST(LinkedLibrary, GivesTheFunctionItsHeaderDeclares) {
  Library absent("libdlc-does-not-exist.so.9", "libdlc-nothing9");
  EXPECT_EQ(DLC_CALL(absent, strlen), &strlen);
}
