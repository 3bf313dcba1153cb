// What the child gets: its own group, clean signals, only fds 0-2, cwd, env.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#ifndef _WIN32
#include <fcntl.h>
#include <pthread.h>
#endif

#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Spawn, ChildHasItsOwnProcessGroup) {
  PROCTEST_POSIX_ONLY("process groups as getpgid() sees them");
  Process p(child({"pgid"}));
  p.run();
  EXPECT_EQ(p.output(), std::to_string(p.id()) + " " + std::to_string(p.id()) + "\n");
#ifndef _WIN32
  EXPECT_NE(p.id(), ::getpgid(0));
#endif
}

TEST(Spawn, ChildGetsDefaultDispositionsAndAnEmptyMask) {
  PROCTEST_POSIX_ONLY("signal dispositions and masks");
#ifndef _WIN32
  // Ignore and block signals here, in the spawning thread: none may leak.
  struct sigaction ign {};
  struct sigaction old_int {};
  struct sigaction old_usr {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ign, &old_int);
  ::sigaction(SIGUSR1, &ign, &old_usr);
  sigset_t block;
  sigset_t old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGUSR2);
  ::pthread_sigmask(SIG_BLOCK, &block, &old_mask);
  Process p(child({"signals"}));
  p.run();
  std::string out = p.output();
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGUSR1, &old_usr, nullptr);
  EXPECT_EQ(out, "blocked 0000000000000000\nignored 0000000000000000\n");
#endif
}

TEST(Spawn, ChildGetsOnlyStandardDescriptors) {
  PROCTEST_POSIX_ONLY("descriptors (windows_process_test.cpp: the handle list)");
#ifndef _WIN32
  int inheritable = ::open("/dev/null", O_RDONLY);  // no CLOEXEC
  int high = ::fcntl(inheritable, F_DUPFD, 200);    // no CLOEXEC either
  int cloexec = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  Process p(child({"fds"}));
  std::string out = p.run().output();
  ::close(inheritable);
  ::close(high);
  ::close(cloexec);
  EXPECT_EQ(out, "0 1 2\n");
#endif
}

TEST(Spawn, WorkingDirectory) {
#ifdef _WIN32
  test::TempDir dir;
  Process p(child({"cwd"}), {.cwd = dir.path});
  EXPECT_EQ(p.run().output(), dir.path.string() + "\n");
#else
  Process p(child({"cwd"}), {.cwd = "/usr/share"});
  EXPECT_EQ(p.run().output(), "/usr/share\n");
#endif
  Process q(child({"cwd"}));
  EXPECT_EQ(q.run().output(), std::filesystem::current_path().string() + "\n");
}

TEST(Spawn, RelativeProgramIsFoundRelativeToCwd) {
  auto dir = std::filesystem::path(test::child_path()).parent_path();
  auto name = std::filesystem::path(test::child_path()).filename().string();
  Process p({"./" + name, "cwd"}, {.cwd = dir});
  EXPECT_EQ(p.run().output(), std::filesystem::path(dir).make_preferred().string() + "\n");
}

TEST(Spawn, EnvironmentIsInheritedSetAndRemoved) {
  std::string out;
  {
    test::ScopedEnv inherited("PROCTEST_INHERITED", "yes");
    test::ScopedEnv removed("PROCTEST_REMOVED", "no");
    Process p(child({"env", "PROCTEST_INHERITED", "PROCTEST_REMOVED", "PROCTEST_SET", "HOME"}),
              {.env = {{"PROCTEST_SET", "a=b c"}, {"PROCTEST_REMOVED", std::nullopt}}});
    out = p.run().output();
  }
  const char* home = std::getenv("HOME");
  EXPECT_EQ(out,
            std::string("PROCTEST_INHERITED=yes\nPROCTEST_REMOVED unset\nPROCTEST_SET=a=b c\n") +
                (home ? std::string("HOME=") + home + "\n" : "HOME unset\n"));
}

TEST(Spawn, ClearEnvStartsEmpty) {
  // (Wine appends WINE*, SystemDrive and SystemRoot to every child's block.)
  if (!test::under_wine()) {
    Process p(child({"env-count"}), {.env = {{"ONLY", "1"}}, .clear_env = true});
    EXPECT_EQ(p.run().output(), "1\n");
  }
  Process q(child({"env", "ONLY", "PATH"}), {.env = {{"ONLY", "1"}}, .clear_env = true});
  EXPECT_EQ(q.run().output(), "ONLY=1\nPATH unset\n");
}

TEST(Spawn, PathLookupUsesTheChildsPath) {
  auto dir = std::filesystem::path(test::child_path()).parent_path();
  auto name = std::filesystem::path(test::child_path()).filename().string();
#ifdef _WIN32
  const std::string path = "C:\\nonexistent;" + dir.string();
#else
  const std::string path = "/nonexistent:" + dir.string();
#endif
  Process p({name, "args", "found"}, {.env = {{"PATH", path}}});
  EXPECT_EQ(p.run().output(), "found\n");
  EXPECT_EQ(p.arguments()[0], name);  // argv[0] is what the test wrote
}

TEST(Spawn, ArgumentsArePassedExactly) {
  std::vector<std::string> args = {"", " ", "a b", "'", "\"", "\\", "$HOME", "*", "ünïcödé", "-"};
  std::vector<std::string> argv = child({"args"});
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv);
  std::string expected;
  for (const auto& a : args) expected += a + "\n";
  EXPECT_EQ(p.run().output(), expected);
}

TEST(Spawn, StdinIsNotATerminalWithPipes) {
  PROCTEST_POSIX_ONLY("isatty()");
  Process p(child({"isatty"}));
  EXPECT_EQ(p.run().output(), "000\n");
}

}  // namespace
}  // namespace proctest
