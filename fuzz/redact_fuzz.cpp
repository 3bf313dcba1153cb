// Fuzzes Redaction patterns and redact().
//
// Input: pattern '\0' placeholder '\0' text (missing parts are empty).
// Properties: a bad pattern throws std::invalid_argument, a match too complex
// to finish throws std::runtime_error (Boost.Regex's bound); nothing else
// escapes, nothing crashes or hangs. A literal redaction of any non-empty text
// turns that very text into its placeholder, whatever bytes either holds.
#include <proctest/matchers.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

// The next '\0'-terminated part of `rest`, removed from it.
std::string_view next_part(std::string_view& rest) {
  std::size_t nul = rest.find('\0');
  std::string_view part = rest.substr(0, nul);
  rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
  return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string pattern(next_part(rest));
  const std::string placeholder(next_part(rest));
  const std::string_view text = rest;

  try {
    (void)proctest::redact(text, {{pattern, placeholder}});
  } catch (const std::invalid_argument& e) {
    PROCTEST_FUZZ_CHECK(std::string_view(e.what()).rfind("redaction /", 0) == 0);
  } catch (const std::runtime_error&) {
    // Boost.Regex gave up on a match too complex to finish: a clear error.
  }

  if (!pattern.empty()) {
    const proctest::Redaction literal = proctest::Redaction::literal(pattern, placeholder);
    PROCTEST_FUZZ_CHECK(proctest::redact(pattern, {literal}) == placeholder);
    (void)proctest::redact(text, {literal});
  }
  return 0;
}
