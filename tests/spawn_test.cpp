// What the child gets: its own group, clean signals, only fds 0-2, cwd, env.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Spawn, ChildHasItsOwnProcessGroup) {
  Process p(child({"pgid"}));
  p.run();
  EXPECT_EQ(p.output(), std::to_string(p.id()) + " " + std::to_string(p.id()) + "\n");
  EXPECT_NE(p.id(), ::getpgid(0));
}

TEST(Spawn, ChildGetsDefaultDispositionsAndAnEmptyMask) {
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
}

TEST(Spawn, ChildGetsOnlyStandardDescriptors) {
  int inheritable = ::open("/dev/null", O_RDONLY);  // no CLOEXEC
  int high = ::fcntl(inheritable, F_DUPFD, 200);    // no CLOEXEC either
  int cloexec = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  Process p(child({"fds"}));
  std::string out = p.run().output();
  ::close(inheritable);
  ::close(high);
  ::close(cloexec);
  EXPECT_EQ(out, "0 1 2\n");
}

TEST(Spawn, WorkingDirectory) {
  Process p(child({"cwd"}), {.cwd = "/usr/share"});
  EXPECT_EQ(p.run().output(), "/usr/share\n");
  Process q(child({"cwd"}));
  EXPECT_EQ(q.run().output(), std::filesystem::current_path().string() + "\n");
}

TEST(Spawn, RelativeProgramIsFoundRelativeToCwd) {
  auto dir = std::filesystem::path(test::child_path()).parent_path();
  auto name = std::filesystem::path(test::child_path()).filename().string();
  Process p({"./" + name, "cwd"}, {.cwd = dir});
  EXPECT_EQ(p.run().output(), dir.string() + "\n");
}

TEST(Spawn, EnvironmentIsInheritedSetAndRemoved) {
  ::setenv("PROCTEST_INHERITED", "yes", 1);
  ::setenv("PROCTEST_REMOVED", "no", 1);
  Process p(child({"env", "PROCTEST_INHERITED", "PROCTEST_REMOVED", "PROCTEST_SET", "HOME"}),
            {.env = {{"PROCTEST_SET", "a=b c"}, {"PROCTEST_REMOVED", std::nullopt}}});
  std::string out = p.run().output();
  ::unsetenv("PROCTEST_INHERITED");
  ::unsetenv("PROCTEST_REMOVED");
  const char* home = std::getenv("HOME");
  EXPECT_EQ(out,
            std::string("PROCTEST_INHERITED=yes\nPROCTEST_REMOVED unset\nPROCTEST_SET=a=b c\n") +
                (home ? std::string("HOME=") + home + "\n" : "HOME unset\n"));
}

TEST(Spawn, ClearEnvStartsEmpty) {
  Process p(child({"env-count"}), {.env = {{"ONLY", "1"}}, .clear_env = true});
  EXPECT_EQ(p.run().output(), "1\n");
  Process q(child({"env", "ONLY", "PATH"}), {.env = {{"ONLY", "1"}}, .clear_env = true});
  EXPECT_EQ(q.run().output(), "ONLY=1\nPATH unset\n");
}

TEST(Spawn, PathLookupUsesTheChildsPath) {
  auto dir = std::filesystem::path(test::child_path()).parent_path();
  auto name = std::filesystem::path(test::child_path()).filename().string();
  Process p({name, "args", "found"}, {.env = {{"PATH", "/nonexistent:" + dir.string()}}});
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
  Process p(child({"isatty"}));
  EXPECT_EQ(p.run().output(), "000\n");
}

}  // namespace
}  // namespace proctest
