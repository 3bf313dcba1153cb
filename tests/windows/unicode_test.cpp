// UTF-8 <-> UTF-16 conversion (src/platform/windows/unicode.hpp).
#include "platform/windows/unicode.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace w = proctest::detail::windows;

TEST(Unicode, RoundTripsAsciiAndNonAscii) {
  EXPECT_EQ(w::to_wide(""), L"");
  EXPECT_EQ(w::to_wide("abc"), L"abc");
  EXPECT_EQ(w::to_wide("gr\xC3\xBC\xC3\x9F"), L"gr\u00FC\u00DF");
  // Outside the BMP: a surrogate pair.
  EXPECT_EQ(w::to_wide("\xF0\x9F\x98\x80"), std::wstring(L"\xD83D\xDE00"));
  EXPECT_EQ(w::to_utf8(L"gr\u00FC\u00DF \u65E5\u672C"),
            "gr\xC3\xBC\xC3\x9F \xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(w::to_utf8(std::wstring(L"\xD83D\xDE00")), "\xF0\x9F\x98\x80");
}

TEST(Unicode, KeepsEmbeddedNul) {
  EXPECT_EQ(w::to_wide(std::string("a\0b", 3)), std::wstring(L"a\0b", 3));
}

TEST(Unicode, RejectsInvalidUtf8) {
  EXPECT_THROW(w::to_wide("\xFF"), std::invalid_argument);
  EXPECT_THROW(w::to_wide("ab\xC3"), std::invalid_argument);  // truncated sequence
}

TEST(Unicode, ShowsALoneSurrogateAsReplacement) {
  EXPECT_EQ(w::to_utf8(std::wstring(1, wchar_t(0xD800))), "\xEF\xBF\xBD");
}
