// Shared helpers for the transcript tests: a scratch directory for
// transcript files, and options that run tests/child.cpp as `child`.
#ifndef PROCTEST_TESTS_TRANSCRIPT_SUPPORT_HPP
#define PROCTEST_TESTS_TRANSCRIPT_SUPPORT_HPP

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "proctest/transcript.hpp"
#include "support.hpp"

namespace proctest::test {

/// A test with its own directory for transcript files (removed after a
/// passing test, kept and named after a failing one). The temp directory
/// (TMPDIR; on Windows TMP and TEMP) points into it meanwhile, so the case
/// directories that failing cases keep (in this process and in the programs
/// it runs) go with it.
class TranscriptFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = detail::platform::make_unique_directory(std::filesystem::temp_directory_path(),
                                                   "proctest-tt-");
    std::filesystem::create_directory(dir_ / "tmp");
    const std::string tmp = (dir_ / "tmp").string();
#ifdef _WIN32
    for (const char* name : {"TMP", "TEMP"}) {
#else
    for (const char* name : {"TMPDIR"}) {
#endif
      temp_env_.push_back(std::make_unique<test::ScopedEnv>(name, tmp.c_str()));
    }
  }
  void TearDown() override {
    temp_env_.clear();
    if (HasFailure()) {
      std::cout << "transcript files kept in " << dir_.string() << "\n";
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  /// Writes `text` to `name` in the directory, byte for byte.
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return path;
  }

  /// A file's bytes.
  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  /// Options that run the helper child for `child`, without update mode
  /// whatever the environment says.
  static TranscriptOptions child_options() {
    TranscriptOptions options;
    options.binaries = {{"child", test::child_path()}};
    options.update = false;
    return options;
  }

  std::filesystem::path dir_;

 private:
  std::vector<std::unique_ptr<test::ScopedEnv>> temp_env_;
};

}  // namespace proctest::test

#endif  // PROCTEST_TESTS_TRANSCRIPT_SUPPORT_HPP
