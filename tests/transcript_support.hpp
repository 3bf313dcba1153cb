// Shared helpers for the transcript tests: a scratch directory for
// transcript files, and options that run tests/child.cpp as `child`.
#ifndef PROCTEST_TESTS_TRANSCRIPT_SUPPORT_HPP
#define PROCTEST_TESTS_TRANSCRIPT_SUPPORT_HPP

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include "proctest/transcript.hpp"

namespace proctest::test {

/// A test with its own directory for transcript files (removed after a
/// passing test, kept and named after a failing one). TMPDIR points into it
/// meanwhile, so the case directories that failing cases keep (in this
/// process and in the programs it runs) go with it.
class TranscriptFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = (std::filesystem::temp_directory_path() / "proctest-tt-XXXXXX").string();
    ASSERT_NE(::mkdtemp(name.data()), nullptr);
    dir_ = name;
    std::filesystem::create_directory(dir_ / "tmp");
    if (const char* old = std::getenv("TMPDIR")) old_tmpdir_ = old;
    ::setenv("TMPDIR", (dir_ / "tmp").c_str(), 1);
  }
  void TearDown() override {
    if (old_tmpdir_) {
      ::setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
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
    options.binaries = {{"child", PROCTEST_CHILD}};
    options.update = false;
    return options;
  }

  std::filesystem::path dir_;

 private:
  std::optional<std::string> old_tmpdir_;
};

}  // namespace proctest::test

#endif  // PROCTEST_TESTS_TRANSCRIPT_SUPPORT_HPP
