// support/library: a library loaded on first use, and the errors when it cannot be.
#include <gtest/gtest.h>

#include <cstring>

#include "support/error.h"
#include "support/library.h"

using dlc::Error;
using dlc::ErrorCode;
using dlc::Library;

TEST(Library, CallsAFunctionAsItsHeaderDeclaresIt) {
  Library libc("libc.so.6", "libc6");
  EXPECT_EQ(DLC_CALL(libc, strlen)("four"), 4u);
}

TEST(Library, AMissingLibraryIsAnErrorThatSaysWhatToInstall) {
  Library missing("libdlc-does-not-exist.so.9", "libdlc-nothing9");
  for (int attempt = 0; attempt < 2; ++attempt) {  // the same answer once it failed
    try {
      missing.symbol("anything");
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::Internal);
      EXPECT_NE(std::string(e.what()).find("cannot load libdlc-does-not-exist.so.9"), std::string::npos) << e.what();
      EXPECT_NE(e.hint().find("apt-get install libdlc-nothing9"), std::string::npos) << e.hint();
    }
  }
}

TEST(Library, AMissingSymbolIsAnError) {
  Library libc("libc.so.6", "libc6");
  try {
    libc.symbol("dlc_no_such_function");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("libc.so.6 has no dlc_no_such_function"), std::string::npos) << e.what();
    EXPECT_FALSE(e.hint().empty());
  }
}
