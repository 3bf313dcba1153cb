// Stdin, stdout and stderr: every Input and Output, at every size.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#ifndef _WIN32
#include <fcntl.h>
#endif

#include <cstdio>
#include <fstream>

#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using test::error_of;

using test::slurp;
using test::TempDir;

TEST(Input, NullIsTheDefaultAndGivesEndOfFile) {
  Process p(child({"echo"}));
  EXPECT_EQ(p.run().output(), "");
  EXPECT_EQ(p.exit_code(), 0);
}

TEST(Input, BytesAreFedThenClosed) {
  Process p(child({"echo"}), {.input = Input::bytes("hello\nworld")});
  EXPECT_EQ(p.run().output(), "hello\nworld");
}

TEST(Input, BytesMayContainNul) {
  std::string data("a\0b\0", 4);
  Process p(child({"echo"}), {.input = Input::bytes(data)});
  EXPECT_EQ(p.run().output(), data);
}

TEST(Input, FileContentIsStdin) {
  TempDir dir;
  std::ofstream(dir.path / "in", std::ios::binary) << "from a file\n";
  Process p(child({"echo"}), {.input = Input::file(dir.path / "in")});
  EXPECT_EQ(p.run().output(), "from a file\n");
}

TEST(Input, PipeTakesWritesWhileItRuns) {
  Process p(child({"echo"}), {.input = Input::pipe()});
  p.run();
  p.write("one\n");
  EXPECT_EQ(test::wait_for_line(p), "one");  // answered before stdin ends
  p.write("two\n");
  p.write("");
  p.close_stdin();
  p.close_stdin();  // idempotent
  EXPECT_EQ(p.output(), "one\ntwo\n");
  EXPECT_EQ(p.exit_code(), 0);
}

TEST(Input, WriteNeedsAPipeAndAnOpenStdin) {
  Process p(child({"echo"}), {.input = Input::bytes("x")});
  p.run();
  EXPECT_THROW(p.write("y"), ProcessInvalidStreamError);
  Process q(child({"echo"}), {.input = Input::pipe()});
  q.run();
  q.close_stdin();
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { q.write("late"); }),
            "cannot write to '" + q.command_line() + "': its stdin was closed");
  Process r(child({"echo"}));
  r.run();
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { r.write("x"); }),
            "cannot write to '" + r.command_line() +
                "': its stdin is not a pipe (use Options::input = "
                "Input::pipe())");
}

TEST(Input, WritesAfterTheChildExitedAreDropped) {
  Process p(child({"exit", "0"}), {.input = Input::pipe()});
  p.run().join();
  EXPECT_NO_THROW(p.write("nobody reads this"));
}

TEST(Output, StdoutAndStderrAreSeparate) {
  Process p(child({"lines", "3", "2"}));
  p.run();
  EXPECT_EQ(p.output(), "out 1\nout 2\nout 3\n");
  EXPECT_EQ(p.error(), "err 1\nerr 2\n");
}

TEST(Output, MergeKeepsTheInterleavedOrder) {
  Process p(child({"lines", "3", "3"}), {.error = Output::merge()});
  EXPECT_EQ(p.run().output(), "out 1\nerr 1\nout 2\nerr 2\nout 3\nerr 3\n");
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { p.error(); }),
            "'" + p.command_line() +
                "': stderr is merged into stdout: read output(), not "
                "captured (Output::capture())");
}

TEST(Output, FilesReceiveTheStreams) {
  TempDir dir;
  Process p(child({"lines", "2", "1"}),
            {.output = Output::file(dir.path / "out"), .error = Output::file(dir.path / "err")});
  p.run().join();
  EXPECT_EQ(slurp(dir.path / "out"), "out 1\nout 2\n");
  EXPECT_EQ(slurp(dir.path / "err"), "err 1\n");
  EXPECT_EQ(error_of<ProcessInvalidStreamError>([&] { p.output(); }),
            "'" + p.command_line() + "': stdout goes to the file '" + (dir.path / "out").string() +
                "', not captured (Output::capture())");
}

TEST(Output, MergeIntoAFile) {
  TempDir dir;
  Process p(child({"lines", "2", "2"}),
            {.output = Output::file(dir.path / "all"), .error = Output::merge()});
  p.run().join();
  EXPECT_EQ(slurp(dir.path / "all"), "out 1\nerr 1\nout 2\nerr 2\n");
}

TEST(Output, NullDiscards) {
  Process p(child({"lines", "2", "2"}), {.output = Output::null(), .error = Output::null()});
  p.run().join();
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_THROW(p.output(), ProcessInvalidStreamError);
  EXPECT_THROW(p.error(), ProcessInvalidStreamError);
}

#ifdef _WIN32
// Points one of the test process's own standard handles at a file for the
// lifetime of the object (SetStdHandle: what Input/Output::inherit() pass on).
class Redirect {
 public:
  Redirect(DWORD which, const std::filesystem::path& file, bool write)
      : which_(which), saved_(::GetStdHandle(which)) {
    file_ = ::CreateFileW(file.wstring().c_str(), write ? GENERIC_WRITE : GENERIC_READ,
                          FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                          write ? CREATE_ALWAYS : OPEN_EXISTING, 0, nullptr);
    ::SetStdHandle(which, file_);
  }
  ~Redirect() {
    ::SetStdHandle(which_, saved_);
    ::CloseHandle(file_);
  }

 private:
  DWORD which_;
  HANDLE saved_;
  HANDLE file_;
};

TEST(Input, InheritReadsOurOwnStdin) {
  TempDir dir;
  std::ofstream(dir.path / "in", std::ios::binary) << "our stdin\n";
  std::string out;
  {
    Redirect r(STD_INPUT_HANDLE, dir.path / "in", false);
    Process p(child({"echo"}), {.input = Input::inherit()});
    out = p.run().output();
  }
  EXPECT_EQ(out, "our stdin\n");
}

TEST(Output, InheritWritesToOurOwnStreams) {
  TempDir dir;
  {
    Redirect r1(STD_OUTPUT_HANDLE, dir.path / "out", true);
    Redirect r2(STD_ERROR_HANDLE, dir.path / "err", true);
    Process p(child({"lines", "1", "1"}),
              {.output = Output::inherit(), .error = Output::inherit()});
    p.run().join();
  }
  EXPECT_EQ(slurp(dir.path / "out"), "out 1\n");
  EXPECT_EQ(slurp(dir.path / "err"), "err 1\n");
}
#else
// Points one of the test process's own descriptors 0-2 somewhere else for
// the lifetime of the object.
class Redirect {
 public:
  Redirect(int target, int fd) : target_(target), saved_(::dup(target)) { ::dup2(fd, target); }
  ~Redirect() {
    ::dup2(saved_, target_);
    ::close(saved_);
  }

 private:
  int target_;
  int saved_;
};

TEST(Input, InheritReadsOurOwnStdin) {
  TempDir dir;
  std::ofstream(dir.path / "in", std::ios::binary) << "our stdin\n";
  int fd = ::open((dir.path / "in").c_str(), O_RDONLY);
  std::string out;
  {
    Redirect r(0, fd);
    Process p(child({"echo"}), {.input = Input::inherit()});
    out = p.run().output();
  }
  ::close(fd);
  EXPECT_EQ(out, "our stdin\n");
}

TEST(Output, InheritWritesToOurOwnStreams) {
  TempDir dir;
  int out_fd = ::open((dir.path / "out").c_str(), O_WRONLY | O_CREAT, 0644);
  int err_fd = ::open((dir.path / "err").c_str(), O_WRONLY | O_CREAT, 0644);
  std::fflush(stdout);
  std::fflush(stderr);
  {
    Redirect r1(1, out_fd);
    Redirect r2(2, err_fd);
    Process p(child({"lines", "1", "1"}),
              {.output = Output::inherit(), .error = Output::inherit()});
    p.run().join();
  }
  ::close(out_fd);
  ::close(err_fd);
  EXPECT_EQ(slurp(dir.path / "out"), "out 1\n");
  EXPECT_EQ(slurp(dir.path / "err"), "err 1\n");
}
#endif

TEST(Output, OutputWithoutJoinIsWhatWasReadSoFar) {
  Process p(child({"pause"}));
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  EXPECT_EQ(p.output(false), "ready\n");
  EXPECT_EQ(p.error(false), "");
  EXPECT_TRUE(p.running());
  p.close();
  EXPECT_EQ(p.output(), "ready\n");  // still there after the stop sequence
}

TEST(Output, CapturedOutputReadsAConstProcessWithoutWaiting) {
  Process p(child({"pause"}));
  const Process& view = p;
  EXPECT_EQ(error_of<ProcessNotRunError>([&] { (void)view.captured_output(); }),
            "'" + p.command_line() + "' has not been run: call run() first");
  p.run();
  ASSERT_EQ(test::wait_for_line(p), "ready");
  EXPECT_EQ(view.captured_output(), "ready\n");
  EXPECT_EQ(view.captured_error(), "");
  EXPECT_TRUE(p.running());
  p.close();
  EXPECT_EQ(view.captured_output(), "ready\n");
  Process merged(child({"exit", "0"}), {.error = Output::merge()});
  merged.run().join();
  EXPECT_THROW((void)static_cast<const Process&>(merged).captured_error(),
               ProcessInvalidStreamError);
}

TEST(Output, CaptureLimitKeepsTheFirstBytesAndCountsTheRest) {
  Process p(child({"pump", "0", "100000", "10"}), {.capture_limit = 1000});
  p.run().join();
  EXPECT_EQ(p.output(), test::pattern(1000));
  EXPECT_EQ(p.output_dropped(), 99000u);
  EXPECT_EQ(p.error(), test::pattern(10));
  EXPECT_EQ(p.error_dropped(), 0u);
}

TEST(Output, WriterThatNeverStopsIsBoundedByTheLimit) {
  Process p(child({"spew"}), {.capture_limit = 1 << 20});
  p.run();
  // Until the limit is reached (no fixed wait: a loaded machine may take long).
  ASSERT_TRUE(p.wait_for_output([](const std::string& out) { return out.size() >= (1u << 20); },
                                std::chrono::milliseconds(test::scaled(30'000))));
  p.close();  // the pipe behind the limit is full: its bytes are read and dropped
  EXPECT_EQ(p.output().size(), 1u << 20);
  EXPECT_GT(p.output_dropped(), 0u);
}

// 64 MiB in, 64 MiB out and 64 MiB err at once: the loop must write stdin
// while it drains both outputs, or both sides block on full pipes.
TEST(Deadlock, SixtyFourMebibytesEachWayAtOnce) {
  constexpr std::size_t n = 64u << 20;
  std::string in = test::pattern(n);
  Process p(child({"pump", std::to_string(n), std::to_string(n), std::to_string(n)}),
            {.input = Input::bytes(in)});
  p.run();
  p.join(std::chrono::seconds(60));
  EXPECT_EQ(p.exit_code(), 0) << p.error().substr(0, 200);
  EXPECT_EQ(p.output().size(), n);
  EXPECT_EQ(p.error().size(), n);
  EXPECT_TRUE(p.output() == in);  // not EXPECT_EQ: no 64 MiB diff on failure
  EXPECT_TRUE(p.error() == in);
}

TEST(Deadlock, LargeStdinToAChildThatReadsAfterWriting) {
  // cat-like echo writes as it reads: both pipes fill unless we drain while writing.
  std::string in = test::pattern(8u << 20);
  Process p(child({"echo"}), {.input = Input::bytes(in)});
  EXPECT_TRUE(p.run().output() == in);
}

TEST(Stdin, ChildThatStopsReadingIsNotAnError) {
  // SIGPIPE's default action would kill the test process; the loop thread
  // blocks it, so the write fails with EPIPE and the rest is dropped.
#ifndef _WIN32
  struct sigaction old {};
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, &old);
#endif
  Process p(child({"close-stdin", "closed"}), {.input = Input::bytes(test::pattern(16u << 20))});
  p.run();
  EXPECT_EQ(test::wait_for_line(p), "closed");
  p.close();
  EXPECT_EQ(p.output(), "closed\n");
  EXPECT_EQ(p.status().signal(), SIGTERM);
#ifndef _WIN32
  ::sigaction(SIGPIPE, &old, nullptr);
#endif
}

}  // namespace
}  // namespace proctest
