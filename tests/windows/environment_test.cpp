// The child's environment and its block (src/platform/windows/environment.hpp).
#include "platform/windows/environment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <windows.h>

#include <stdexcept>

namespace w = proctest::detail::windows;
using ::testing::ElementsAre;

TEST(Environment, NamesAreOneWhateverTheirCase) {
  EXPECT_TRUE(w::same_name(L"Path", L"PATH"));
  EXPECT_TRUE(w::same_name(L"path", L"PATH"));
  EXPECT_FALSE(w::same_name(L"PATH", L"PATH2"));
  auto env = w::Environment::from_entries({"Path=C:\\a", "other=1"});
  EXPECT_EQ(env.get(L"PATH"), L"C:\\a");
  EXPECT_EQ(env.get(L"path"), L"C:\\a");
  EXPECT_EQ(env.get(L"OTHER"), L"1");
  EXPECT_EQ(env.get(L"missing"), std::nullopt);
}

TEST(Environment, BlockIsSortedIgnoringCaseAndDoubleNulTerminated) {
  auto env = w::Environment::from_entries({"b=2", "A=1", "c=3", "_x=4", "B2=5"});
  std::wstring expected(L"A=1\0b=2\0B2=5\0c=3\0_x=4\0\0", 23);
  EXPECT_EQ(env.block(), expected);
}

TEST(Environment, SortsByNameNotByWholeEntry) {
  // "A0" < "A=" as whole strings ('0' < '='), but the name "A" comes first.
  auto env = w::Environment::from_entries({"A0=x", "A=y"});
  EXPECT_THAT(env.entries(), ElementsAre("A=y", "A0=x"));
}

TEST(Environment, EmptyBlockIsTwoNuls) {
  EXPECT_EQ(w::Environment().block(), std::wstring(L"\0\0", 2));
}

TEST(Environment, SetReplacesAnySpellingAndTakesTheNewOne) {
  auto env = w::Environment::from_entries({"Path=C:\\old", "x=1"});
  env.set("PATH", "C:\\new");
  EXPECT_THAT(env.entries(), ElementsAre("PATH=C:\\new", "x=1"));
}

TEST(Environment, LaterEntryWins) {
  auto env = w::Environment::from_entries({"PATH=a", "path=b"});
  EXPECT_THAT(env.entries(), ElementsAre("path=b"));
}

TEST(Environment, RemoveAnySpelling) {
  auto env = w::Environment::from_entries({"Path=a", "x=1"});
  env.remove("PATH");
  env.remove("absent");
  EXPECT_THAT(env.entries(), ElementsAre("x=1"));
}

TEST(Environment, KeepsValuesWithEqualsAndEmptyValues) {
  auto env = w::Environment::from_entries({"A=b=c", "E="});
  EXPECT_EQ(env.get(L"A"), L"b=c");
  EXPECT_EQ(env.get(L"E"), L"");
  EXPECT_THAT(env.entries(), ElementsAre("A=b=c", "E="));
}

TEST(Environment, PassesHiddenDriveEntriesThrough) {
  auto env = w::Environment::from_entries({"=C:=C:\\work", "A=1"});
  EXPECT_EQ(env.get(L"=C:"), L"C:\\work");
  EXPECT_EQ(env.block(), std::wstring(L"=C:=C:\\work\0A=1\0\0", 17));
}

TEST(Environment, NonAsciiNamesAndValues) {
  auto env =
      w::Environment::from_entries({"GR\xC3\x9C\xC3\x9F"
                                    "E=\xE6\x97\xA5"});
  EXPECT_EQ(env.get(L"GR\u00DC\u00DFE"), L"\u65E5");
  EXPECT_EQ(env.get(L"gr\u00FC\u00DFe"), L"\u65E5");  // case-insensitive beyond ASCII
}

TEST(Environment, RejectsMalformedEntries) {
  EXPECT_THROW(w::Environment::from_entries({"novalue"}), std::invalid_argument);
  EXPECT_THROW(w::Environment::from_entries({""}), std::invalid_argument);
  EXPECT_THROW(w::Environment::from_entries({std::string("A=b\0c", 5)}), std::invalid_argument);
  w::Environment env;
  EXPECT_THROW(env.set("", "x"), std::invalid_argument);
  EXPECT_THROW(env.set("A=B", "x"), std::invalid_argument);
  EXPECT_THROW(env.set("A", std::string("x\0y", 3)), std::invalid_argument);
}

TEST(Environment, CurrentHasThisProcesssVariables) {
  ASSERT_TRUE(::SetEnvironmentVariableW(L"PROCTEST_ENV_PROBE", L"seen"));
  auto env = w::Environment::current();
  EXPECT_EQ(env.get(L"proctest_env_probe"), L"seen");
  ::SetEnvironmentVariableW(L"PROCTEST_ENV_PROBE", nullptr);
}
