// proctest-transcript: runs the console blocks of Markdown files, for
// projects that do not use GoogleTest. See docs/transcripts.md.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "proctest/transcript.hpp"

namespace {

constexpr const char* kUsage =
    R"(usage: proctest-transcript [options] FILE[:LINE]...
Runs each ```console block of the Markdown FILEs (with :LINE, only the block
whose opening fence is on that line) and reports each case: ok, or FAIL with
the command, the exit codes, a diff of the output and the process.

  --update            rewrite failing commands' expected output and exit code
                      in the files (as PROCTEST_UPDATE_GOLDEN=1 does)
  --binary NAME=PATH  run PATH for a command whose program is NAME
                      (PROCTEST_BINARY_NAME=PATH in the environment also does)
  --timeout SECONDS   each command's timeout (default 30), scaled by
                      PROCTEST_TIMEOUT_SCALE
  -h, --help          print this help

Exit status: 0 when every case passed, 1 when one failed or a file is not a
valid transcript, 2 on bad usage.
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "proctest-transcript: " << message << "\nTry 'proctest-transcript --help'.\n";
  std::exit(2);
}

struct Target {
  std::string file;
  std::size_t line = 0;  // 0: every block
};

Target parse_target(const std::string& arg) {
  const std::size_t colon = arg.rfind(':');
  if (colon == std::string::npos || colon + 1 == arg.size() ||
      arg.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
    return {arg, 0};
  }
  return {arg.substr(0, colon), std::stoul(arg.substr(colon + 1))};
}

std::string milliseconds_text(std::chrono::nanoseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms", std::chrono::duration<double, std::milli>(d).count());
  return text;
}

// Prints one result; true when it passed.
bool report(const proctest::TranscriptResult& r) {
  const std::size_t n = r.commands.size();
  std::cout << (r.passed ? "ok   " : "FAIL ") << r.file << ":" << r.line << " (" << n
            << (n == 1 ? " command, " : " commands, ") << milliseconds_text(r.duration) << ")\n";
  if (!r.message().empty()) std::cout << r.message() << "\n";
  return r.passed;
}

}  // namespace

int main(int argc, char** argv) {
  proctest::TranscriptOptions options;
  std::vector<Target> targets;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error("option '" + arg + "' needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--update") {
      options.update = true;
    } else if (arg == "--binary") {
      const std::string binary = value();
      const std::size_t eq = binary.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == binary.size()) {
        usage_error("--binary wants NAME=PATH, not '" + binary + "'");
      }
      options.binaries[binary.substr(0, eq)] = binary.substr(eq + 1);
    } else if (arg == "--timeout") {
      const std::string text = value();
      char* end = nullptr;
      const double seconds = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0) {
        usage_error("--timeout wants a positive number of seconds, not '" + text + "'");
      }
      options.timeout = std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1e3)));
    } else if (arg.size() > 1 && arg[0] == '-') {
      usage_error("unknown option '" + arg + "'");
    } else {
      targets.push_back(parse_target(arg));
    }
  }
  if (targets.empty()) usage_error("no transcript file given");

  std::size_t passed = 0, failed = 0;
  for (const Target& target : targets) {
    try {
      if (target.line != 0) {
        (report(proctest::run_transcript_block(target.file, target.line, options)) ? passed
                                                                                   : failed)++;
        continue;
      }
      const std::vector<proctest::TranscriptResult> results =
          proctest::run_transcript(target.file, options);
      if (results.empty()) {
        std::cout << "FAIL " << target.file << ": no ```console block in this file\n";
        ++failed;
      }
      for (const proctest::TranscriptResult& r : results) (report(r) ? passed : failed)++;
    } catch (const proctest::TranscriptError& e) {
      std::cout << "FAIL " << e.what() << "\n";
      ++failed;
    } catch (const std::exception& e) {
      std::cerr << "proctest-transcript: " << e.what() << "\n";
      return 2;
    }
  }
  std::cout << (passed + failed) << (passed + failed == 1 ? " case: " : " cases: ") << passed
            << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
