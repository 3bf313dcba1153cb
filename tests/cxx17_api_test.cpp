// Compiled as C++17 (see tests/CMakeLists.txt): the public headers and the
// common calls work without C++20.
#include <gtest/gtest.h>

#include "proctest/process.hpp"

namespace proctest {
namespace {

TEST(Cxx17, BuildsAndRunsWithoutDesignatedInitializers) {
  static_assert(__cplusplus < 202002L, "this file must be compiled as C++17");
#ifdef _WIN32
  GTEST_SKIP() << "POSIX only: runs sort and echo from PATH (the headers compile as C++17 "
                  "everywhere)";
#endif
  Options options;
  options.input = Input::bytes("b\na\n");
  Process p({"sort"}, options);
  EXPECT_EQ(p.run().output(), "a\nb\n");
  Process q("echo hello");
  EXPECT_EQ(q.run().output(), "hello\n");
}

}  // namespace
}  // namespace proctest
