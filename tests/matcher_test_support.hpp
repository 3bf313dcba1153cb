// Describe / DescribeNegation / Explain, as googlemock tests its own matchers.
#ifndef PROCTEST_TESTS_MATCHER_TEST_SUPPORT_HPP
#define PROCTEST_TESTS_MATCHER_TEST_SUPPORT_HPP

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>

#include <string>

namespace proctest::test {

template <typename T, typename M>
std::string Describe(const M& m) {
  return ::testing::DescribeMatcher<T>(m);
}

template <typename T, typename M>
std::string DescribeNegation(const M& m) {
  return ::testing::DescribeMatcher<T>(m, true);
}

template <typename T, typename M>
std::string Explain(const M& m, const T& value) {
  ::testing::StringMatchResultListener listener;
  ::testing::ExplainMatchResult(m, value, &listener);
  return listener.str();
}

/// The messages of the failures `f` reports (gtest-spi), intercepted so the
/// running test does not fail.
template <typename F>
std::vector<std::string> failures_of(F&& f) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    f();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) {
    messages.push_back(results.GetTestPartResult(i).message());
  }
  return messages;
}

}  // namespace proctest::test

#endif
