// MatchesGolden(...) and redaction: compare text with a checked-in file.
#include <boost/regex.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "proctest/matchers.hpp"
#include "text/text.hpp"

namespace proctest {

namespace {

constexpr const char* kUpdateVariable = "PROCTEST_UPDATE_GOLDEN";

bool update_requested() {
  const char* v = std::getenv(kUpdateVariable);
  return v && std::string_view(v) == "1";
}

// Boost.Regex, not std::regex: libstdc++'s matcher recurses per character
// and overflows the stack on long matches (100 kB of "a+").
boost::regex compile(const Redaction& r) {
  try {
    return boost::regex(r.pattern, boost::regex::perl);
  } catch (const boost::regex_error& e) {
    throw std::invalid_argument("redaction /" + r.pattern + "/ → \"" + r.placeholder +
                                "\" is not a valid regular expression: " + e.what());
  }
}

// The file's bytes; nullopt and `why` when it cannot be read.
std::optional<std::string> read_file(const std::filesystem::path& path, std::string& why) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    why = "does not exist";
    return std::nullopt;
  }
  if (std::filesystem::is_directory(path, ec)) {
    why = "cannot be read: it is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = std::string("cannot be read: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

// Writes `text` to `path`, creating its directories; "" or why it failed.
std::string write_file(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return "cannot create its directory: " + ec.message();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (out) out.close();
  if (!out) return std::string("cannot be written: ") + std::strerror(errno);
  return "";
}

}  // namespace

Redaction Redaction::literal(std::string_view text, std::string_view placeholder) {
  std::string pattern;
  for (char c : text) {
    if (std::strchr("\\^$.|?*+()[]{}", c)) pattern += '\\';
    pattern += c;
  }
  // "$" and "\\" are format syntax in a placeholder: keep them literal.
  std::string escaped;
  for (char c : placeholder) {
    if (c == '$') escaped += '$';
    if (c == '\\') escaped += '\\';
    escaped += c;
  }
  return {pattern, escaped};
}

std::string redact(std::string_view text, const std::vector<Redaction>& redactions) {
  std::string out(text);
  for (const Redaction& r : redactions) {
    try {
      out = boost::regex_replace(out, compile(r), r.placeholder,
                                 boost::match_default | boost::format_default);
    } catch (const std::runtime_error& e) {  // Boost.Regex's bound on backtracking
      throw std::runtime_error("redaction /" + r.pattern +
                               "/ backtracks too much on this text; make each repetition "
                               "unambiguous (Boost.Regex: " +
                               e.what() + ")");
    }
  }
  return out;
}

detail::GoldenMatcher MatchesGolden(std::filesystem::path path, std::vector<Redaction> redactions,
                                    const char* caller_file) {
  if (path.is_relative() && caller_file) {
    std::filesystem::path caller(caller_file);
    // Rooted is enough: a file name a cross build for Windows compiled in is
    // rooted but has no drive ("/src/x_test.cpp"), which Windows takes on
    // the current drive (under Wine, Z: is the Unix root).
    if (caller.has_root_directory()) path = caller.parent_path() / path;
  }
  return {path.lexically_normal(), std::move(redactions)};
}

namespace detail {

GoldenMatcher::GoldenMatcher(std::filesystem::path path, std::vector<Redaction> redactions)
    : path_(std::move(path)), redactions_(std::move(redactions)) {
  for (const Redaction& r : redactions_) compile(r);  // a bad pattern fails here, not later
}

bool GoldenMatcher::MatchAndExplain(std::string_view text, std::ostream* os) const {
  std::ostringstream sink;
  std::ostream& out = os ? *os : sink;
  std::string actual;
  try {
    actual = redact(text, redactions_);
  } catch (const std::runtime_error& e) {
    out << "which could not be redacted: " << e.what();
    return false;
  }
  std::string why;
  std::optional<std::string> expected = read_file(path_, why);
  if (expected == actual) {
    out << "which matches it";
    return true;
  }
  if (update_requested()) {
    std::string error = write_file(path_, actual);
    if (!error.empty()) {
      out << "whose golden file " << error << " (" << kUpdateVariable << "=1)";
      return false;
    }
    // The match passes, so gMock shows nothing: say it on the test's output.
    std::cout << "proctest: " << (expected ? "updated" : "created") << " the golden file "
              << path_.string() << " (" << kUpdateVariable << "=1)" << std::endl;
    ::testing::Test::RecordProperty("proctest_golden_updated", path_.string());
    out << "which was written to it (" << kUpdateVariable << "=1)";
    return true;
  }
  if (!expected) {
    out << "whose golden file " << why << "; rerun with " << kUpdateVariable << "=1 to create it";
    return false;
  }
  out << "which differs from it" << (redactions_.empty() ? "" : " after redaction") << ":\n"
      << unified_diff(*expected, actual, path_.string() + " (golden)",
                      redactions_.empty() ? "actual" : "actual (redacted)")
      << "\nrerun with " << kUpdateVariable << "=1 to accept the actual text";
  return false;
}

void GoldenMatcher::DescribeTo(std::ostream* os) const {
  *os << "matches the golden file " << path_.string();
}

void GoldenMatcher::DescribeNegationTo(std::ostream* os) const {
  *os << "does not match the golden file " << path_.string();
}

}  // namespace detail
}  // namespace proctest
