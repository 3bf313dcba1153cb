// Where the child's standard streams go: pipe, NUL, file, inherit, merge.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "platform/windows/pipe.hpp"
#include "platform/windows/spawn.hpp"
#include "platform/windows/unicode.hpp"
#include "proctest/errors.hpp"
#include "support.hpp"

namespace w = proctest::detail::windows;
namespace t = proctest::test::windows;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Stdio = w::Stdio;

namespace {

w::SpawnRequest request(std::vector<std::string> args, Stdio in, Stdio out, Stdio err) {
  w::SpawnRequest r;
  r.argv = t::child_argv(args);
  r.input = std::move(in);
  r.output = std::move(out);
  r.error = std::move(err);
  return r;
}

}  // namespace

TEST(Stdio, NullStdinReadsEndOfFileAtOnce) {
  t::RunResult r = t::run(request({"echo"}, Stdio::null(), Stdio::pipe(), Stdio::pipe()));
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(r.out, "");
}

TEST(Stdio, NullStdoutDiscardsStderrStaysApart) {
  t::RunResult r =
      t::run(request({"print", "gone", "kept"}, Stdio::null(), Stdio::null(), Stdio::pipe()));
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "kept");
}

TEST(Stdio, FileStdinIsRead) {
  std::string path = t::make_temp_dir() + "\\in.txt";
  t::write_file(path, "from a file\r\n");
  t::RunResult r = t::run(request({"echo"}, Stdio::file(path), Stdio::pipe(), Stdio::pipe()));
  EXPECT_EQ(r.out, "from a file\r\n");
}

TEST(Stdio, FileStdoutIsCreatedOrTruncated) {
  std::string dir = t::make_temp_dir();
  std::string out = dir + "\\out.txt", err = dir + "\\err.txt";
  t::write_file(out, "old content that is longer");
  t::RunResult r =
      t::run(request({"print", "new", "error"}, Stdio::null(), Stdio::file(out), Stdio::file(err)));
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(t::read_file(out), "new");
  EXPECT_EQ(t::read_file(err), "error");
}

TEST(Stdio, MergedStderrIsStdoutsHandleInOrder) {
  t::RunResult r =
      t::run(request({"lines", "3", "3"}, Stdio::null(), Stdio::pipe(), Stdio::merge()));
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(r.out, "out 1\nerr 1\nout 2\nerr 2\nout 3\nerr 3\n");
  EXPECT_EQ(r.err, "");
}

TEST(Stdio, MergedIntoAFile) {
  std::string path = t::make_temp_dir() + "\\both.txt";
  t::run(request({"lines", "2", "1"}, Stdio::null(), Stdio::file(path), Stdio::merge()));
  EXPECT_EQ(t::read_file(path), "out 1\nerr 1\nout 2\n");
}

TEST(Stdio, InheritPassesThisProcesssOwnHandle) {
  // This process's stdout, for the moment, is a file: the child must write there.
  std::string path = t::make_temp_dir() + "\\inherited.txt";
  w::UniqueHandle file(::CreateFileW(w::to_wide(path).c_str(), GENERIC_WRITE, FILE_SHARE_READ,
                                     nullptr, CREATE_ALWAYS, 0, nullptr));
  ASSERT_TRUE(file);
  HANDLE saved = ::GetStdHandle(STD_OUTPUT_HANDLE);
  ::SetStdHandle(STD_OUTPUT_HANDLE, file.get());
  t::RunResult r =
      t::run(request({"print", "via inherit", ""}, Stdio::null(), Stdio::inherit(), Stdio::pipe()));
  ::SetStdHandle(STD_OUTPUT_HANDLE, saved);
  file.reset();
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(t::read_file(path), "via inherit");
}

TEST(Stdio, AnUnopenableFileNamesTheStreamAndTheFile) {
  std::string path = t::make_temp_dir() + "\\no such dir\\out.txt";
  try {
    t::run(request({"exit", "0"}, Stdio::null(), Stdio::file(path), Stdio::pipe()));
    FAIL() << "no ProcessError";
  } catch (const proctest::ProcessError& e) {
    EXPECT_THAT(e.what(), StartsWith("cannot run '"));
    EXPECT_THAT(e.what(), HasSubstr("': cannot open stdout file '" + path + "': "));
    std::cout << "message: " << e.what() << "\n";
  }
}

TEST(Stdio, OnlyStderrCanBeMerged) {
  EXPECT_THROW(w::spawn(request({"exit", "0"}, Stdio::merge(), Stdio::pipe(), Stdio::pipe())),
               std::invalid_argument);
  EXPECT_THROW(w::spawn(request({"exit", "0"}, Stdio::null(), Stdio::merge(), Stdio::pipe())),
               std::invalid_argument);
}

TEST(Stdio, PipeEndsAreOverlappedOnTheParentsSideOnly) {
  w::PipeEnds ends = w::create_pipe(w::PipeDirection::from_child);
  DWORD flags = 0;
  ASSERT_TRUE(::GetHandleInformation(ends.child.get(), &flags));
  EXPECT_TRUE(flags & HANDLE_FLAG_INHERIT);
  ASSERT_TRUE(::GetHandleInformation(ends.parent.get(), &flags));
  EXPECT_FALSE(flags & HANDLE_FLAG_INHERIT);
  // A synchronous write on the child's end, an overlapped read on ours.
  DWORD n = 0;
  ASSERT_TRUE(::WriteFile(ends.child.get(), "abc", 3, &n, nullptr));
  ends.child.reset();
  t::PipeRead got = t::read_pipe(ends.parent.get(), "", std::chrono::seconds(10));
  EXPECT_EQ(got.text, "abc");
  EXPECT_TRUE(got.eof);
}
