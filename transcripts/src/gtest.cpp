// Transcript cases as GoogleTest tests: registration, reporting at the
// transcript's FILE:LINE, and the main() of proctest_add_transcripts().
#include <exception>
#include <iostream>
#include <memory>
#include <set>
#include <stdexcept>
#include <utility>

#include "parse.hpp"
#include "proctest/fixture.hpp"
#include "proctest/matchers.hpp"
#include "proctest/transcript_gtest.hpp"

namespace proctest {

namespace {

// GoogleTest takes -1 for "no line".
int gtest_line(std::size_t line) { return line == 0 ? -1 : static_cast<int>(line); }

// A non-fatal failure at a place in a transcript. ADD_FAILURE_AT() would put
// a line "Failed" before the message; this is the macro it expands to.
void fail_at(const std::string& file, std::size_t line, const std::string& message) {
  GTEST_MESSAGE_AT_(file.empty() ? nullptr : file.c_str(), gtest_line(line), message.c_str(),
                    ::testing::TestPartResult::kNonFatalFailure);
}

bool report(const TranscriptResult& result) {
  if (result.updated) {
    std::cout << "[ proctest ] " << result.message() << std::endl;
    ::testing::Test::RecordProperty("proctest_transcript_updated",
                                    result.file + ":" + std::to_string(result.line));
  }
  if (!result.passed) {
    fail_at(result.file, result.failure_line, result.failure);
  }
  return result.passed;
}

// Runs `run` and reports what it returns or throws.
template <typename Run>
bool run_and_report(Run&& run) {
  try {
    return std::forward<Run>(run)();
  } catch (const TranscriptError& e) {
    fail_at(e.file(), e.line(), e.reason());
  } catch (const std::exception& e) {
    fail_at("", 0, e.what());
  }
  return false;
}

std::filesystem::path beside(const std::filesystem::path& file, const char* caller_file) {
  if (file.is_relative() && caller_file) {
    const std::filesystem::path caller(caller_file);
    if (caller.is_absolute()) return (caller.parent_path() / file).lexically_normal();
  }
  return file;
}

// One registered test: a block, or a failure to report (a file that cannot
// be read or has no block, a block CTest listed that is gone). One class for
// all, as GoogleTest wants one fixture class per suite.
class TranscriptCase : public ::testing::Test {
 public:
  TranscriptCase(std::filesystem::path file, std::size_t line,
                 std::shared_ptr<const TranscriptOptions> options, std::string failure)
      : file_(std::move(file)),
        line_(line),
        options_(std::move(options)),
        failure_(std::move(failure)) {}

  void TestBody() override {
    if (!failure_.empty()) {
      fail_at(file_.string(), line_, failure_);
      return;
    }
    run_and_report([&] { return report(run_transcript_block(file_, line_, *options_)); });
  }

 private:
  std::filesystem::path file_;
  std::size_t line_;
  std::shared_ptr<const TranscriptOptions> options_;
  std::string failure_;
};

std::string full_name(const TranscriptSuite& suite, const std::string& test) {
  return suite.name + "." + test;
}

// "docs/usage.md" as a test name shows it: without the characters that
// --gtest_filter takes for syntax ('-', ':', '*', '?') or CTest might mangle.
std::string name_part(std::string_view name) {
  std::string part;
  for (char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '.' || c == '/';
    part += plain ? c : '_';
  }
  return part;
}

void register_case(const TranscriptSuite& suite, const std::string& test,
                   const std::filesystem::path& file, std::size_t line, std::string failure) {
  const std::string location = file.string();
  // The options outlive the suite object: the tests may run after it is gone.
  auto options = std::make_shared<const TranscriptOptions>(suite.options);
  ::testing::RegisterTest(
      suite.name.c_str(), test.c_str(), nullptr, nullptr, location.c_str(), gtest_line(line),
      [options, file, line, failure = std::move(failure)]() -> ::testing::Test* {
        return new TranscriptCase(file, line, options, failure);
      });
}

// Registers a failing test for each exact name --gtest_filter asks for that
// is not registered: CTest runs one test per process by its name, and a
// filter that matches nothing would pass in silence.
void register_missing(const TranscriptSuite& suite, const std::set<std::string>& registered) {
  const std::string filter = GTEST_FLAG_GET(filter);
  if (filter.find_first_of("*?-") != std::string::npos) return;
  const std::string prefix = suite.name + ".";
  for (std::size_t pos = 0; pos <= filter.size();) {
    std::size_t end = filter.find(':', pos);
    if (end == std::string::npos) end = filter.size();
    const std::string name = filter.substr(pos, end - pos);
    pos = end + 1;
    if (name.rfind(prefix, 0) != 0 || registered.count(name) != 0) continue;
    const std::string test = name.substr(prefix.size());
    std::filesystem::path file;
    for (const TranscriptSuite::File& f : suite.files) {
      if (test.rfind(name_part(f.name) + "/line_", 0) == 0) file = f.path;
    }
    register_case(suite, test, file, 0,
                  "no test " + name +
                      ": its console block is not in the transcript any more (a block was "
                      "added, removed or moved, or an update rewrote the file, after CTest "
                      "listed the tests). Build again to list them anew, then rerun.");
  }
}

}  // namespace

TranscriptOptions gtest_transcript_options() {
  TranscriptOptions options;
  options.describe = [](const Process& p) { return describe(p); };
  options.find_binary = [](const std::string& name) -> std::filesystem::path {
    try {
      return binary_path(name);
    } catch (const std::invalid_argument&) {
      return {};
    }
  };
  return options;
}

bool expect_transcript(const std::filesystem::path& file, const TranscriptOptions& options,
                       const char* caller_file) {
  const std::filesystem::path path = beside(file, caller_file);
  return run_and_report([&] {
    bool passed = true;
    for (const TranscriptResult& result : run_transcript(path, options)) {
      passed = report(result) && passed;
    }
    return passed;
  });
}

bool expect_transcript_block(const std::filesystem::path& file, std::size_t line,
                             const TranscriptOptions& options, const char* caller_file) {
  const std::filesystem::path path = beside(file, caller_file);
  return run_and_report([&] { return report(run_transcript_block(path, line, options)); });
}

std::string transcript_test_name(std::string_view name, std::size_t line) {
  return name_part(name) + "/line_" + std::to_string(line);
}

std::vector<std::string> register_transcript_tests(const TranscriptSuite& suite) {
  std::vector<std::string> names;
  for (const TranscriptSuite::File& file : suite.files) {
    const std::string base = name_part(file.name);
    std::string text;
    try {
      text = detail::read_transcript_text(file.path);
    } catch (const TranscriptError& e) {
      register_case(suite, base + "/unreadable", file.path, 0, e.reason());
      names.push_back(full_name(suite, base + "/unreadable"));
      continue;
    }
    const std::vector<detail::FoundBlock> blocks =
        detail::scan_transcript(text, file.path.string());
    if (blocks.empty()) {
      register_case(suite, base + "/no_console_block", file.path, 0,
                    "no ```console block in this file: each is a test case (see "
                    "docs/transcripts.md)");
      names.push_back(full_name(suite, base + "/no_console_block"));
    }
    for (const detail::FoundBlock& block : blocks) {
      const std::string test = transcript_test_name(file.name, block.line);
      register_case(suite, test, file.path, block.line, "");
      names.push_back(full_name(suite, test));
    }
  }
  return names;
}

int transcript_main(int argc, char** argv, const TranscriptSuite& suite) {
  ::testing::InitGoogleTest(&argc, argv);
  const std::vector<std::string> names = register_transcript_tests(suite);
  register_missing(suite, std::set<std::string>(names.begin(), names.end()));
  return RUN_ALL_TESTS();
}

}  // namespace proctest
