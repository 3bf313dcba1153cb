// A check for fuzz targets: a broken property aborts, so libFuzzer saves the input.
#ifndef PROCTEST_FUZZ_CHECK_HPP
#define PROCTEST_FUZZ_CHECK_HPP

#include <cstdio>
#include <cstdlib>

/// Aborts with the failed condition and its place when `cond` is false.
#define PROCTEST_FUZZ_CHECK(cond)                                                      \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (false)

#endif  // PROCTEST_FUZZ_CHECK_HPP
