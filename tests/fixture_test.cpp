// ProcessFixture: spawn, temp directory, timeouts, teardown. What a failed
// test reports: fixture_report_test.cpp.
#include "proctest/fixture.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "support.hpp"
#include "temp_dirs.hpp"
#include "text/text.hpp"

#ifndef _WIN32
#include <sys/stat.h>
#endif

namespace proctest {
namespace {

// Under ThreadSanitizer (GCC's macro; clang's feature check).
#if defined(__SANITIZE_THREAD__)
#define PROCTEST_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PROCTEST_UNDER_TSAN 1
#endif
#endif

using namespace std::chrono_literals;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using test::ScopedEnv;

// A fixture driven by hand inside a test, to watch its SetUp and TearDown.
class Probe : public ProcessFixture {
 public:
  explicit Probe(std::filesystem::path binary = test::child_path())
      : ProcessFixture(std::move(binary)) {}
  void TestBody() override {}
  using ProcessFixture::processes;
  using ProcessFixture::set_timeout;
  using ProcessFixture::SetUp;
  using ProcessFixture::spawn;
  using ProcessFixture::spawn_program;
  using ProcessFixture::TearDown;
  using ProcessFixture::temp_dir;
  using ProcessFixture::timeout;
  using ProcessFixture::use_temp_dir_as_cwd;
};

class FixtureTest : public ProcessFixture {
 protected:
  FixtureTest() : ProcessFixture(test::child_path()) {}
};

TEST_F(FixtureTest, SpawnRunsTheBinaryUnderTest) {
  Process& p = spawn({"args", "one", "two"});
  EXPECT_EQ(p.output(), "one\ntwo\n");
  // (Compared as paths: Windows spells the resolved program with backslashes.)
  EXPECT_EQ(std::filesystem::path(p.arguments().front()),
            std::filesystem::path(test::child_path()));
  EXPECT_THAT(spawn("args 'a b' c").output(), "a b\nc\n") << "split like a shell";
  Process& q = spawn(std::vector<std::string>{"exit", "3"});
  q.join();
  EXPECT_THAT(q, ExitedWith(3));
}

TEST_F(FixtureTest, SpawnProgramRunsAnyProgram) {
  Process& p = spawn_program({test::child_path(), "exit", "3"});
  p.join();
  EXPECT_THAT(p, ExitedWith(3));
#ifndef _WIN32
  EXPECT_EQ(spawn_program("/bin/echo hi").output(), "hi\n");
#endif
}

TEST_F(FixtureTest, AProgramThatCannotStartThrowsAndIsStillListed) {
  EXPECT_THROW(spawn_program({"/nonexistent/tool"}), ProcessError);
  ASSERT_EQ(processes().size(), 1u);
  EXPECT_FALSE(processes()[0]->status().started());
}

TEST_F(FixtureTest, TheDefaultCwdIsTheTestsOwnTempDir) {
  const std::filesystem::path& dir = temp_dir();
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  EXPECT_THAT(dir.filename().string(),
              StartsWith("proctest-FixtureTest.TheDefaultCwdIsTheTestsOwnTempDir-"));
  EXPECT_EQ(spawn({"cwd"}).output(), dir.string() + "\n");
  EXPECT_EQ(spawn({"cwd"}, {.cwd = "/"}).output(), std::filesystem::absolute("/").string() + "\n")
      << "an explicit cwd wins";
  use_temp_dir_as_cwd(false);
  EXPECT_EQ(spawn({"cwd"}).output(), std::filesystem::current_path().string() + "\n");
}

TEST_F(FixtureTest, ARelativeProgramPathStaysRelativeToTheTestProcess) {
  std::filesystem::path rel =
      std::filesystem::relative(test::child_path(), std::filesystem::current_path());
  Process& p = spawn_program({"./" + rel.string(), "exit", "4"});
  p.join();
  EXPECT_THAT(p, ExitedWith(4));
  EXPECT_TRUE(std::filesystem::path(p.arguments()[0]).is_absolute());
}

TEST_F(FixtureTest, EveryProcessGetsTheDefaultTimeout) {
  EXPECT_EQ(timeout(), scaled(ProcessFixture::kDefaultTimeout));
  EXPECT_EQ(spawn({"exit", "0"}).options().timeout, timeout());
  set_timeout(2s);
  EXPECT_EQ(spawn({"exit", "0"}).options().timeout, scaled(2s));
  EXPECT_EQ(spawn({"exit", "0"}, {.timeout = 7s}).options().timeout, 7s) << "explicit wins";
}

TEST_F(FixtureTest, AHungProgramFailsWithATimeoutNotAHang) {
  set_timeout(200ms);
  Process& p = spawn({"pause"});
  EXPECT_EQ(test::error_of<ProcessTimeoutError>([&] { (void)p.output(); }),
            "'" + p.command_line() + "' did not exit within " + detail::duration_text(timeout()));
  EXPECT_THAT(p, TimedOut());
}

TEST(TimeoutScale, ReadsPROCTEST_TIMEOUT_SCALE) {
  {
    ScopedEnv env("PROCTEST_TIMEOUT_SCALE", nullptr);
    EXPECT_EQ(timeout_scale(), 1.0);
    EXPECT_EQ(scaled(1500ms), 1500ms);
  }
  {
    ScopedEnv env("PROCTEST_TIMEOUT_SCALE", "");
    EXPECT_EQ(timeout_scale(), 1.0);
  }
  {
    ScopedEnv env("PROCTEST_TIMEOUT_SCALE", "2.5");
    EXPECT_EQ(timeout_scale(), 2.5);
    EXPECT_EQ(scaled(1000ms), 2500ms);
    EXPECT_EQ(scaled(1ms), 3ms) << "rounded up";
    Probe probe;
    EXPECT_EQ(probe.timeout(), 75s);
  }
  {
    ScopedEnv env("PROCTEST_TIMEOUT_SCALE", "1e300");
    EXPECT_EQ(scaled(1000ms), std::chrono::milliseconds::max()) << "saturates, no overflow";
  }
}

TEST(TimeoutScale, RejectsWhatIsNotAPositiveNumber) {
  for (const char* bad : {"abc", "0", "-1", "2x", "inf", "nan"}) {
    ScopedEnv env("PROCTEST_TIMEOUT_SCALE", bad);
    EXPECT_EQ(test::error_of<std::invalid_argument>([] { timeout_scale(); }),
              std::string("PROCTEST_TIMEOUT_SCALE='") + bad +
                  "' is not a positive number (e.g. 2 or 0.5)");
    Probe probe;
    EXPECT_THROW(probe.SetUp(), std::invalid_argument) << "a test fails before it starts";
  }
}

TEST(Teardown, StopsEverythingIncludingGrandchildren) {
  std::vector<int> pids;
  int grandchild = 0;
  {
    Probe probe;
    probe.SetUp();
    Process& plain = probe.spawn({"pause"});
    Process& stubborn = probe.spawn({"ignore-term"}, {.grace = 200ms});
    Process& parent = probe.spawn({"grandchild-wait", "term"}, {.grace = 200ms});
    ASSERT_EQ(test::wait_for_line(plain), "ready");
    ASSERT_EQ(test::wait_for_line(stubborn), "ready");
    grandchild = std::stoi(test::wait_for_line(parent));
    pids = {plain.id(), stubborn.id(), parent.id(), grandchild};
    for (int pid : pids) ASSERT_TRUE(test::alive(pid));
    probe.TearDown();
    for (int pid : pids)
      EXPECT_TRUE(test::stopped_and_reaped(pid)) << pid << " survived the teardown";
    // (Under Wine the stop signal cannot be sent as CTRL_BREAK_EVENT: it ends
    // each tree at once, so nothing is left for SIGKILL.)
    const int last = test::under_wine() ? SIGTERM : SIGKILL;
    EXPECT_THAT(plain, KilledBy(SIGTERM));
    EXPECT_THAT(stubborn, KilledBy(last));
    EXPECT_THAT(parent, KilledBy(last));
  }
}

TEST(Teardown, StopsAllProcessesAtOnce) {
  Probe probe;
  probe.SetUp();
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(test::wait_for_line(probe.spawn({"ignore-term"}, {.grace = 1000ms})), "ready");
  }
  auto start = std::chrono::steady_clock::now();
  probe.TearDown();
  // One grace period in all, not one each (which would be 4 s): the bound is
  // the behaviour.
  EXPECT_LT(test::ms_since(start), 3000);
  const int last = test::under_wine() ? SIGTERM : SIGKILL;  // (as above)
  for (const auto& p : probe.processes()) EXPECT_THAT(*p, KilledBy(last));
}

TEST(Teardown, StopsWhatALeaderThatExitedLeftBehind) {
  Probe probe;
  probe.SetUp();
  // The leader exits at once; its child ignores SIGTERM and keeps running.
  std::filesystem::path out = probe.temp_dir() / "pid";
  Process& p = probe.spawn({"grandchild", "term"},
                           {.output = Output::file(out), .error = Output::null(), .grace = 200ms});
  p.join();
  EXPECT_THAT(p, Succeeded());
  std::string pid;
  std::ifstream(out) >> pid;
  ASSERT_FALSE(pid.empty());
  ASSERT_TRUE(test::alive(std::stoi(pid)));
  probe.TearDown();
  EXPECT_TRUE(test::stopped_and_reaped(std::stoi(pid))) << "the leftover group member survived";
}

TEST(Teardown, ABinaryWithoutASlashIsLookedUpInPath) {
  PROCTEST_POSIX_ONLY("runs echo from PATH");
  Probe probe("echo");
  probe.SetUp();
  EXPECT_EQ(probe.spawn({"hi"}).output(), "hi\n");
  probe.TearDown();
}

TEST(Teardown, TheDestructorCleansUpWhenTearDownWasSkipped) {
  std::filesystem::path dir;
  int pid = 0;
  {
    Probe probe;
    probe.SetUp();
    dir = probe.temp_dir();
    Process& p = probe.spawn({"pause"});
    ASSERT_EQ(test::wait_for_line(p), "ready");
    pid = p.id();
  }
  EXPECT_TRUE(test::stopped_and_reaped(pid));
  ProcessFixture::finish_temp_dir_removal();
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(Teardown, RemovesTheTempDirOfAPassingTest) {
  Probe probe;
  probe.SetUp();
  std::filesystem::path dir = probe.temp_dir();
  std::ofstream(dir / "left-behind.txt", std::ios::binary) << "x";
  ASSERT_TRUE(std::filesystem::exists(dir / "left-behind.txt"));
  probe.TearDown();
  ProcessFixture::finish_temp_dir_removal();  // removed in the background
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// The entries of `dir` whose names start with `prefix`.
std::vector<std::filesystem::path> entries(const std::filesystem::path& dir,
                                           const std::string& prefix = "") {
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) found.push_back(e.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

#ifndef _WIN32
// What names a directory across a rename: its device and inode.
std::pair<dev_t, ino_t> identity(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return {0, 0};
  return {st.st_dev, st.st_ino};
}
#endif

// TMPDIR (Windows: TMP) pointed at a fresh directory for one scope.
struct PrivateTmp {
  test::TempDir dir;
  ScopedEnv tmpdir{"TMPDIR", dir.path.string().c_str()};
  ScopedEnv tmp{"TMP", dir.path.string().c_str()};
};

// Issue 16: a test that never uses its temp dir pays nothing for it.
TEST(TempDir, IsMadeOnFirstUseNotBySetUp) {
  test::TempDir elsewhere;  // first: on Windows it is made in the temp path
  PrivateTmp tmp;
  {
    Probe probe;
    probe.SetUp();
    EXPECT_THAT(entries(tmp.dir.path), ::testing::IsEmpty()) << "SetUp() makes none";
    EXPECT_EQ(probe.spawn({"cwd"}, {.cwd = elsewhere.path}).output(),
              elsewhere.path.string() + "\n");
    probe.use_temp_dir_as_cwd(false);
    EXPECT_EQ(probe.spawn({"args", "x"}).output(), "x\n");
    EXPECT_THAT(entries(tmp.dir.path), ::testing::IsEmpty())
        << "an explicit cwd, or none wanted: still none";
    probe.TearDown();
  }
  EXPECT_THAT(entries(tmp.dir.path), ::testing::IsEmpty()) << "nothing to hand over";
  Probe user;
  user.SetUp();
  const std::string out = user.spawn({"cwd"}).output();
  const std::vector<std::filesystem::path> made = entries(tmp.dir.path);
  ASSERT_EQ(made.size(), 1u) << "made for the spawn that runs in it";
  EXPECT_EQ(made.front(), user.temp_dir());
  EXPECT_EQ(out, user.temp_dir().string() + "\n");
  user.TearDown();
}

TEST(TempDir, ATestThatDoesNotUseItLeavesTheSpareForTheNext) {
  PrivateTmp tmp;
  std::filesystem::path first;
  {
    Probe probe;
    probe.SetUp();
    first = probe.temp_dir();
    probe.TearDown();
  }
  {
    Probe idle;
    idle.SetUp();
    idle.TearDown();
  }
  EXPECT_EQ(entries(tmp.dir.path), std::vector<std::filesystem::path>{first})
      << "the spare, untouched by a test that did not want a temp dir";
  Probe next;
  next.SetUp();
  const std::filesystem::path dir = next.temp_dir();
  EXPECT_FALSE(std::filesystem::exists(first)) << "renamed to be this test's";
  EXPECT_EQ(entries(tmp.dir.path), std::vector<std::filesystem::path>{dir});
  next.TearDown();
}

TEST(TempDir, AnUnusableTempPathFailsTheFirstUseWithTheReason) {
  test::TempDir base;
  const std::filesystem::path file = base.path / "a-file";
  std::ofstream(file, std::ios::binary) << "x";
  ScopedEnv tmpdir("TMPDIR", file.string().c_str());
  ScopedEnv tmp("TMP", file.string().c_str());
  Probe probe;
  probe.SetUp();  // reads no temp path
  const std::string dir =
      (file / "proctest-TempDir.AnUnusableTempPathFailsTheFirstUseWithTheReason-").string() +
      "XXXXXX";
  const std::string why = test::error_of<std::runtime_error>([&] { probe.temp_dir(); });
#ifdef _WIN32
  EXPECT_THAT(why, StartsWith("cannot create the test's temp dir '" + dir + "': "));
  EXPECT_THAT(why, EndsWith(" (set TMPDIR, or TEMP on Windows, to a writable directory)"));
#else
  EXPECT_EQ(why, "cannot create the test's temp dir '" + dir +
                     "': " + std::make_error_code(std::errc::not_a_directory).message() +
                     " (set TMPDIR, or TEMP on Windows, to a writable directory)");
#endif
  EXPECT_EQ(test::error_of<std::runtime_error>([&] {
              probe.spawn({"args", "x"});
            }),
            why)
      << "each use says so";
  EXPECT_THAT(probe.processes(), ::testing::IsEmpty()) << "nothing was started";
  probe.use_temp_dir_as_cwd(false);
  EXPECT_EQ(probe.spawn({"args", "x"}).output(), "x\n") << "a test that needs none still runs";
  probe.TearDown();
}

TEST(TempDirDeathTest, ADeathTestsChildUsesTheTempDirMadeBeforeIt) {
  PROCTEST_POSIX_ONLY("fork()");
#ifdef PROCTEST_UNDER_TSAN
  GTEST_SKIP() << "ThreadSanitizer cannot start threads after a multi-threaded fork";
#endif
  PrivateTmp tmp;
  Probe probe;
  probe.SetUp();
  const std::filesystem::path dir = probe.temp_dir();  // as documented: before the death test
  GTEST_FLAG_SET(death_test_style, "fast");
  EXPECT_EXIT(
      {
        std::ofstream(probe.temp_dir() / "from-the-child.txt", std::ios::binary) << "x";
        std::_Exit(probe.temp_dir() == dir ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_TRUE(std::filesystem::exists(dir / "from-the-child.txt")) << "the child wrote here";
  EXPECT_EQ(entries(tmp.dir.path), std::vector<std::filesystem::path>{dir}) << "no dir of its own";
  probe.TearDown();
}

TEST(Teardown, AnUntouchedTempDirBecomesTheNextTestsTempDirUnderItsName) {
  PrivateTmp tmp;
  std::filesystem::path first;
  {
    Probe probe;
    probe.SetUp();
    first = probe.temp_dir();
    Process& p = probe.spawn({"exit", "0"});
    p.join();
    ASSERT_EQ(p.exit_code(), 0);
    probe.TearDown();
  }
  EXPECT_EQ(entries(tmp.dir.path), std::vector<std::filesystem::path>{first})
      << "kept as it is until the next test takes it: no file system call at teardown";
#ifndef _WIN32
  const auto first_identity = identity(first);
#endif
  Probe next;
  next.SetUp();
  const std::filesystem::path taken = next.temp_dir();
  EXPECT_EQ(entries(tmp.dir.path), std::vector<std::filesystem::path>{taken})
      << "the spare became the next test's temp dir";
#ifndef _WIN32
  EXPECT_EQ(identity(next.temp_dir()), first_identity) << "the same directory, renamed";
#endif
  EXPECT_NE(next.temp_dir(), first);
  EXPECT_FALSE(std::filesystem::exists(first)) << "its old name leads nowhere";
  EXPECT_THAT(next.temp_dir().filename().string(),
              StartsWith("proctest-Teardown.AnUntouchedTempDirBecomesTheNext"));
  EXPECT_TRUE(std::filesystem::is_empty(next.temp_dir()));
  EXPECT_EQ(next.spawn({"args", "here"}).output(), "here\n");
  next.TearDown();
  ProcessFixture::finish_temp_dir_removal();
  EXPECT_THAT(entries(tmp.dir.path), ::testing::IsEmpty()) << "the spare removed too";
}

TEST(Teardown, TheSpareIsReusedWhenTheTempPathEndsInASeparator) {
  // Windows' GetTempPath always ends in one; TMPDIR may.
  test::TempDir dir;
  const std::string with_separator = (dir.path / "").string();
  ScopedEnv tmpdir("TMPDIR", with_separator.c_str());
  ScopedEnv tmp("TMP", with_separator.c_str());
  {
    Probe probe;
    probe.SetUp();
    (void)probe.temp_dir();
    probe.TearDown();
  }
  const std::vector<std::filesystem::path> spare = entries(dir.path);
  ASSERT_EQ(spare.size(), 1u);
  Probe next;
  next.SetUp();
  (void)next.temp_dir();
  EXPECT_FALSE(std::filesystem::exists(spare.front())) << "renamed to be this test's";
  EXPECT_EQ(entries(dir.path).size(), 1u);
  next.TearDown();
}

TEST(Teardown, ASpareWrittenToSinceItWasRetiredIsNotHandedOut) {
  // A process left behind (its cwd there, or told the path) may write there
  // after the test ended.
  PrivateTmp tmp;
  {
    Probe probe;
    probe.SetUp();
    (void)probe.temp_dir();
    probe.TearDown();
  }
  const std::vector<std::filesystem::path> spare = entries(tmp.dir.path);
  ASSERT_EQ(spare.size(), 1u);
  std::ofstream(spare.front() / "late.txt", std::ios::binary) << "x";
  Probe next;
  next.SetUp();
  EXPECT_TRUE(std::filesystem::is_empty(next.temp_dir()));
  ProcessFixture::finish_temp_dir_removal();
  EXPECT_EQ(entries(tmp.dir.path), std::vector<std::filesystem::path>{next.temp_dir()})
      << "the written one removed";
  next.TearDown();
}

TEST(Teardown, ARelativeTempPathIsRemovedWhereItWasAfterTheTestChangedDirectory) {
  test::TempDir base;
  std::filesystem::create_directory(base.path / "tmp");
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(base.path);
  ScopedEnv tmpdir("TMPDIR", "tmp");
  ScopedEnv tmp("TMP", "tmp");
  std::filesystem::path dir;
  {
    Probe probe;
    probe.SetUp();
    dir = probe.temp_dir();
    std::ofstream(dir / "file.txt", std::ios::binary) << "x";  // removed, not reused
    std::filesystem::current_path(before);                     // the test moves away
    probe.TearDown();
  }
  std::filesystem::current_path(before);
  EXPECT_TRUE(dir.is_absolute()) << dir;
  ProcessFixture::finish_temp_dir_removal();
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  EXPECT_THAT(entries(base.path / "tmp"), ::testing::IsEmpty());
}

TEST(Teardown, ATempDirWithFilesOrANewModeIsRemovedNotReused) {
  PrivateTmp tmp;
#ifdef _WIN32
  const int variants = 1;  // a read-only directory cannot be removed on Windows
#else
  const int variants = 2;
#endif
  for (int i = 0; i <= variants; ++i) {
    Probe probe;
    probe.SetUp();
    const std::filesystem::path dir = probe.temp_dir();
    EXPECT_TRUE(std::filesystem::is_empty(dir)) << "test " << i;
#ifndef _WIN32
    EXPECT_EQ(std::filesystem::status(dir).permissions(), std::filesystem::perms::owner_all)
        << "test " << i;
#endif
    if (i == 0) {
      std::ofstream(dir / "file.txt", std::ios::binary) << "x";
    } else if (i < variants) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_write,
                                   std::filesystem::perm_options::remove);  // mode 0500
    }
    probe.TearDown();
  }
  ProcessFixture::finish_temp_dir_removal();
  EXPECT_THAT(entries(tmp.dir.path), ::testing::IsEmpty()) << "all removed, no spare";
}

TEST(Teardown, RemovesTheTempDirsOfManyPassingTests) {
  std::vector<std::filesystem::path> dirs;
  for (int i = 0; i < 20; ++i) {
    Probe probe;
    probe.SetUp();
    dirs.push_back(probe.temp_dir());
    std::filesystem::create_directories(dirs.back() / "a" / "b");
    std::ofstream(dirs.back() / "a" / "b" / "file.txt", std::ios::binary) << i;
    probe.TearDown();
  }
  ProcessFixture::finish_temp_dir_removal();
  for (const auto& dir : dirs) EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

TEST(Teardown, ARemovalThatFailedIsReportedByTheNextTearDown) {
  // A directory even root cannot empty: procfs refuses every unlink.
  const std::filesystem::path unremovable = "/proc/self/fdinfo";
  if (!std::filesystem::is_directory(unremovable)) GTEST_SKIP() << "needs Linux's /proc";
  detail::remove_dir_later(unremovable);
  ProcessFixture::finish_temp_dir_removal();
  Probe probe;
  probe.SetUp();
  ::testing::internal::CaptureStdout();
  probe.TearDown();
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(out, StartsWith("[ proctest ] could not remove the temp dir /proc/self/fdinfo: "));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_THAT(detail::take_dir_removal_failures(), ::testing::IsEmpty()) << "reported once";
}

TEST(TeardownDeathTest, AForkedChildRemovesItsOwnTempDirsBeforeItExits) {
  PROCTEST_POSIX_ONLY("fork()");
#ifdef PROCTEST_UNDER_TSAN
  GTEST_SKIP() << "ThreadSanitizer cannot start threads after a multi-threaded fork";
#endif
  PrivateTmp tmp;
  {
    Probe parents;  // the parent's remover thread and its spare exist before the fork
    parents.SetUp();
    std::ofstream(parents.temp_dir() / "file.txt", std::ios::binary) << "x";
    parents.TearDown();
    Probe untouched;
    untouched.SetUp();
    (void)untouched.temp_dir();
    untouched.TearDown();
  }
  detail::finish_dir_removals();  // the written one; the spare stays
  const std::vector<std::filesystem::path> parents_spare = entries(tmp.dir.path);
  ASSERT_EQ(parents_spare.size(), 1u);
  test::TempDir marker;  // where the child says which temp dirs it had
  GTEST_FLAG_SET(death_test_style, "fast");
  // The child hands one temp dir over for removal, keeps another as its spare,
  // and exits normally: the exit waits for the removal and removes the spare.
  // With the parent's remover state copied into the child, the removal would
  // wait for a thread the child does not have (a hang), and the child would
  // take the parent's spare.
  EXPECT_EXIT(
      {
        std::ofstream said(marker.path / "child-dirs.txt", std::ios::binary);
        for (int i = 0; i < 2; ++i) {
          Probe childs;
          childs.SetUp();
          said << childs.temp_dir().string() << "\n";
          if (i == 0) std::ofstream(childs.temp_dir() / "file.txt", std::ios::binary) << "x";
          childs.TearDown();
        }
        said.close();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
  const std::vector<std::string> child_dirs =
      split_lines(test::slurp(marker.path / "child-dirs.txt"));
  ASSERT_EQ(child_dirs.size(), 2u);
  for (const auto& dir : child_dirs) EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  EXPECT_EQ(entries(tmp.dir.path), parents_spare)
      << "the parent's spare, untouched; the child's gone";
}

TEST(Teardown, KeepsTheTempDirWithPROCTEST_KEEP_TEMP) {
  ScopedEnv env("PROCTEST_KEEP_TEMP", "1");
  Probe probe;
  probe.SetUp();
  std::filesystem::path dir = probe.temp_dir();
  ::testing::internal::CaptureStdout();
  probe.TearDown();
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "[ proctest ] kept the temp dir " + dir.string() + "\n");
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  std::filesystem::remove_all(dir);
}

// Issue 12, item 14: PROCTEST_KEEP_TEMP takes 0 (never keep) and 1 (always).
TEST(Teardown, ABadPROCTEST_KEEP_TEMPFailsEveryTestInSetUp) {
  ScopedEnv env("PROCTEST_KEEP_TEMP", "yes");
  Probe probe;
  EXPECT_EQ(test::error_of<std::invalid_argument>([&] { probe.SetUp(); }),
            "PROCTEST_KEEP_TEMP='yes' is not 0 (never keep a test's temp dir) or 1 (always keep "
            "it); unset, the temp dir of a failed test is kept");
}

TEST_F(FixtureTest, StartBackgroundWaitsForReadinessThenStopBackgroundStopsIt) {
  const Background& server =
      start_background("server", test::child({"term-exit", "7"}), R"(rea(d)y)");
  EXPECT_EQ(server.name, "server");
  EXPECT_EQ(server.ready[1], "d");
  EXPECT_TRUE(server.process->running());
  EXPECT_EQ(&background("server"), server.process);
  Process& client = spawn_program(test::child({"print", "ok"}));
  EXPECT_EQ(client.output(), "ok");
  // (Under Wine the stop signal cannot reach the handler: CTRL_BREAK_EVENT.)
  if (test::under_wine()) {
    EXPECT_THAT(stop_background("server"), KilledBy(SIGTERM));
  } else {
    EXPECT_THAT(stop_background("server"), ExitedWith(7));
  }
  // No pattern: started, not waited for.
  const Background& quiet = start_background("quiet", test::child({"pause"}), "");
  EXPECT_EQ(quiet.ready.size(), 0u);
}

TEST_F(FixtureTest, BackgroundMistakesGetClearErrors) {
  start_background("server", test::child({"pause"}), "ready");
  EXPECT_EQ(test::error_of<std::invalid_argument>(
                [&] { start_background("server", test::child({"pause"}), ""); }),
            "start_background: a background process is already called 'server'");
  EXPECT_EQ(test::error_of<std::invalid_argument>([&] { background("db"); }),
            "no background process is called 'db' (started: 'server')");
  EXPECT_THROW(start_background("bad", test::child({"pause"}), "(unclosed"), std::invalid_argument);
  EXPECT_EQ(processes().size(), 1u);  // a bad pattern starts nothing
  std::string message = test::error_of<ProcessError>([&] {
    start_background("early", test::child({"print", "bye\\n"}), "ready");
  });
  EXPECT_THAT(message, HasSubstr("' ended (exited with code 0) before printing a match of "
                                 "/ready/ on stdout; unread stdout (4 of 4 bytes):\n  | bye\n"));
}

}  // namespace
}  // namespace proctest
