// What spawn() says when it cannot start the program: a ProcessError naming
// the command and the Windows reason (FormatMessageW, UTF-8).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>

#include "platform/windows/error_text.hpp"
#include "platform/windows/spawn.hpp"
#include "platform/windows/unicode.hpp"
#include "proctest/errors.hpp"
#include "support.hpp"

namespace w = proctest::detail::windows;
namespace t = proctest::test::windows;

namespace {

// The message spawn() throws for `r` ("" if it does not throw).
std::string spawn_error(const w::SpawnRequest& r, bool show = true) {
  try {
    w::spawn(r);
  } catch (const proctest::ProcessError& e) {
    if (show) std::cout << "message: " << e.what() << "\n";
    return e.what();
  }
  return "";
}

w::SpawnRequest argv(std::vector<std::string> a) {
  w::SpawnRequest r;
  r.argv = std::move(a);
  return r;
}

}  // namespace

TEST(SpawnError, WindowsReasonsAreWords) {
  // The words are the system's (Windows and Wine differ); printed for the docs.
  for (DWORD code : {ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, ERROR_ACCESS_DENIED,
                     ERROR_BAD_EXE_FORMAT, ERROR_DIRECTORY}) {
    std::string text = w::error_text(code);
    std::cout << code << ": " << text << "\n";
    EXPECT_NE(text, "error " + std::to_string(code));
    EXPECT_NE(text.back(), '.');
    EXPECT_NE(text.back(), '\n');
  }
  EXPECT_EQ(w::error_text(0xABCDEF), "error 11259375");
  EXPECT_EQ(w::file_error_message("C:\\x", ERROR_FILE_NOT_FOUND),
            "'C:\\x': " + w::error_text(ERROR_FILE_NOT_FOUND));
  std::string bad_exe = w::file_error_message("C:\\x.exe", ERROR_BAD_EXE_FORMAT);
  EXPECT_THAT(bad_exe, ::testing::HasSubstr("'C:\\x.exe'"));
  EXPECT_THAT(bad_exe, ::testing::Not(::testing::HasSubstr("%1")));
}

TEST(SpawnError, NotFoundInPath) {
  EXPECT_EQ(spawn_error(argv({"no-such-program-4711", "x"})),
            "cannot run 'no-such-program-4711 x': 'no-such-program-4711' not found in PATH: " +
                w::error_text(ERROR_FILE_NOT_FOUND));
}

TEST(SpawnError, NotFoundAtAPath) {
  std::string dir = t::make_temp_dir();
  EXPECT_EQ(spawn_error(argv({dir + "\\absent.exe"})),
            "cannot run '" + dir + "\\absent.exe': " +
                w::file_error_message(dir + "\\absent.exe", ERROR_FILE_NOT_FOUND));
}

TEST(SpawnError, NotAProgram) {
  std::string path = t::make_temp_dir() + "\\text.exe";
  t::write_file(path, "this is not a program\n");
  EXPECT_EQ(spawn_error(argv({path})),
            "cannot run '" + path + "': " + w::file_error_message(path, ERROR_BAD_EXE_FORMAT));
}

TEST(SpawnError, ADirectory) {
  std::string path = t::make_temp_dir() + "\\dir.exe";
  ASSERT_TRUE(::CreateDirectoryW(w::to_wide(path).c_str(), nullptr));
  EXPECT_EQ(spawn_error(argv({path})),
            "cannot run '" + path + "': " + w::file_error_message(path, ERROR_ACCESS_DENIED));
}

TEST(SpawnError, AMissingWorkingDirectory) {
  w::SpawnRequest r = argv(t::child_argv({"exit", "0"}));
  r.cwd = t::make_temp_dir() + "\\missing";
  std::string message = spawn_error(r);
  EXPECT_THAT(message, ::testing::StartsWith("cannot run '"));
  EXPECT_THAT(message, ::testing::EndsWith("': working directory '" + r.cwd +
                                           "': " + w::error_text(ERROR_FILE_NOT_FOUND)));
}

TEST(SpawnError, AWorkingDirectoryThatIsAFile) {
  w::SpawnRequest r = argv(t::child_argv({"exit", "0"}));
  r.cwd = t::make_temp_dir() + "\\file";
  t::write_file(r.cwd, "x");
  EXPECT_THAT(spawn_error(r), ::testing::EndsWith("': working directory '" + r.cwd +
                                                  "': " + w::error_text(ERROR_DIRECTORY)));
}

TEST(SpawnError, ArgumentsWindowsCannotPass) {
  EXPECT_THROW(w::spawn(argv({})), std::invalid_argument);
  EXPECT_THROW(w::spawn(argv({"a\"b"})), std::invalid_argument);
  EXPECT_THROW(w::spawn(argv({t::child_path(), std::string("nul\0byte", 8)})),
               std::invalid_argument);
}

TEST(SpawnError, NoHandleIsLeftBehindByAFailedSpawn) {
  // Warm up whatever the first failure allocates once.
  spawn_error(argv({"no-such-program-4711"}));
  unsigned long before = t::handle_count();
  for (int i = 0; i < 50; ++i) {
    spawn_error(argv({"no-such-program-4711"}), false);
    std::string path = t::make_temp_dir() + "\\text.exe";
    t::write_file(path, "not a program");
    spawn_error(argv({path}), false);
  }
  EXPECT_EQ(t::handle_count(), before);
}
