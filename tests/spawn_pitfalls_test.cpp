// One regression test per fault of Boost 1.81's Process v2 launcher that
// proctest was first built to avoid (shared/DESIGN.md): proctest no longer
// uses v2 at all, but each fault is a way a spawn can go wrong, and the
// tests keep proctest's own spawn honest. Numbers are kept; faults of v2's
// own API are retired, with what replaced them noted in place.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifdef PROCTEST_PLATFORM_LINUX
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cstddef>
#endif

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <cstdio>
#include <fstream>

#include "platform/platform.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using namespace std::chrono_literals;
using test::child;

// 1. process_environment does not link header-only: we build envp ourselves.
TEST(SpawnPitfall01, EnvironmentIsSetWithoutProcessEnvironment) {
  Process p(child({"env", "PROCTEST_P1"}), {.env = {{"PROCTEST_P1", "linked"}}});
  EXPECT_EQ(p.run().output(), "PROCTEST_P1=linked\n");
}

// 2. launcher(ctx, ec, ...) ignored ec and threw a bare system_error: the
// platform's launch throws PlatformError with the step and the OS reason.
TEST(SpawnPitfall02, LaunchReportsTheReason) {
  boost::asio::io_context ctx;
  detail::platform::LaunchRequest r;
  r.arguments = {"/nonexistent/program"};
  r.program = "/nonexistent/program";
  try {
    detail::platform::native_backend().launch(r, ctx.get_executor());
    FAIL() << "no error";
  } catch (const detail::platform::PlatformError& e) {
    EXPECT_EQ(e.code(), std::error_code(ENOENT, std::system_category()));
    EXPECT_EQ(e.step(), "");
  }
}

// 3. exec failure leaves a zombie: nothing is left after a failed spawn.
TEST(SpawnPitfall03, ExecFailureLeavesNoZombie) {
  auto before = test::children();
  boost::asio::io_context ctx;
  // Exists and is executable by mode, but cannot be executed: exec itself fails.
  char path[] = "/tmp/proctest-noexec-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd,
                    "\x7f"
                    "ELF garbage",
                    12),
            12);
  ::fchmod(fd, 0700);
  ::close(fd);
  detail::platform::LaunchRequest r;
  r.arguments = {path};
  r.program = path;
  try {
    detail::platform::native_backend().launch(r, ctx.get_executor());
    ADD_FAILURE() << "no error";
  } catch (const detail::platform::PlatformError& e) {
    EXPECT_EQ(e.code(), std::error_code(ENOEXEC, std::system_category()));
  }
  EXPECT_THROW(Process({path}).run(), ProcessError);
  ::unlink(path);
  EXPECT_EQ(test::children(), before);
}

// 4. close_all off by one: no parent fd 3..N, CLOEXEC or not, reaches the child.
TEST(SpawnPitfall04, NoParentDescriptorLeaksIntoTheChild) {
  std::vector<int> opened;
  for (int i = 0; i < 8; ++i) opened.push_back(::open("/dev/null", O_RDONLY));  // inheritable
  struct rlimit lim {};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  int last = static_cast<int>(std::min<rlim_t>(lim.rlim_cur, 4096)) - 1;  // the very top fd
  ASSERT_EQ(::dup2(opened[0], last), last);
  Process p(child({"fds"}));
  std::string out = p.run().output();
  for (int fd : opened) ::close(fd);
  ::close(last);
  EXPECT_EQ(out, "0 1 2\n");
}

// 5. v2's error hooks never fired: retired with v2's hooks; the reason now
// travels in PlatformError (2) and every failure's message (bad_input_test).

// 6. the child calls ::exit() on exec failure, flushing our stdio buffers a
// second time: a buffered, unflushed FILE must be written exactly once.
TEST(SpawnPitfall06, ExecFailureDoesNotFlushOurStdioTwice) {
  char path[] = "/tmp/proctest-stdio-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  FILE* f = ::fdopen(fd, "w");
  std::setvbuf(f, nullptr, _IOFBF, 1 << 16);
  std::fputs("once\n", f);  // sits in the buffer
  for (int i = 0; i < 5; ++i) EXPECT_THROW(Process({"/nonexistent"}).run(), ProcessError);
  std::fclose(f);
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ::unlink(path);
  EXPECT_EQ(content, "once\n");
}

// 7. a shared io_context busy in another thread during spawn made children
// abort or hang before exec. Here the loop thread is busy draining a noisy
// neighbour while this thread spawns hundreds of children.
TEST(SpawnPitfall07, SpawnWhileTheLoopIsBusy) {
  Process noisy(child({"spew"}), {.capture_limit = 1 << 16});
  noisy.run();
  for (int i = 0; i < 300; ++i) {
    Process p(child({"args", std::to_string(i)}), {.timeout = 30s});
    ASSERT_EQ(p.run().output(), std::to_string(i) + "\n");
    ASSERT_EQ(p.exit_code(), 0);
  }
  EXPECT_TRUE(noisy.running());
}

// 8. wait()/running() after the child was reaped gave ECHILD and kept a stale
// pid that may be recycled: after the reap, queries are stable, signals are
// not sent to whatever now has that pid, and nothing of the child stays open.
TEST(SpawnPitfall08, QueriesAfterReapAreStableAndSignalNothing) {
  auto fds = test::open_fds_after_warm_up();
  Process p(child({"exit", "3"}));
  p.run().join();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(p.running());
    EXPECT_EQ(p.exit_code(), 3);
    EXPECT_NO_THROW(p.join());
    EXPECT_NO_THROW(p.signal(SIGKILL));
  }
  EXPECT_EQ(test::open_fds(), fds) << "the pidfd is closed at the reap";
}

// 9. v2's native_handle() did not compile on Linux in 1.81-1.82: retired
// with v2's handle; the linux backend keeps its own pidfd, CLOEXEC.
TEST(SpawnPitfall09, PidfdIsKeptAndNotInherited) {
#ifndef PROCTEST_PLATFORM_LINUX
  GTEST_SKIP() << "the posix backend watches exits without pidfds";
#endif
  auto before = test::open_fds_after_warm_up();
  Process p(child({"pause"}));
  p.run();
  int pidfd = -1;
  for (int fd : test::open_fds()) {
    if (before.count(fd)) continue;
    char target[64] = {};
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    if (::readlink(link.c_str(), target, sizeof target - 1) > 0 &&
        std::string(target) == "anon_inode:[pidfd]") {
      pidfd = fd;
    }
  }
  ASSERT_GE(pidfd, 0);
  EXPECT_EQ(::fcntl(pidfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

// 10. a named process_stdio kept the child's pipe ends open in the parent, so
// EOF never came: here EOF comes, and no pipe end stays open afterwards.
TEST(SpawnPitfall10, ChildPipeEndsAreClosedInTheParent) {
  auto fds = test::open_fds_after_warm_up();
  Process p(child({"echo"}), {.input = Input::bytes("x")});
  p.run();
  EXPECT_EQ(p.output(), "x");  // would hang if our copy of a write end stayed open
  EXPECT_EQ(test::open_fds(), fds);
}

// 11. Asio does not ignore SIGPIPE: a child that stops reading must not kill
// us, even with SIGPIPE at its default disposition. (See also Stdin tests.)
TEST(SpawnPitfall11, SigpipeDoesNotKillTheTestProcess) {
  struct sigaction dfl {};
  struct sigaction old {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, &old);
  for (int i = 0; i < 5; ++i) {
    Process p(child({"exit", "0"}), {.input = Input::bytes(test::pattern(1 << 20))});
    p.run().join();
    EXPECT_EQ(p.exit_code(), 0);
  }
  ::sigaction(SIGPIPE, &old, nullptr);
}

// 12. pidfd_open failure was not checked: now it is an error naming what
// failed, and the child is killed and reaped rather than left behind. Real
// exhaustion: with the I/O loop started, a run with /dev/null as stdin and
// two pipes takes five descriptors before the pidfd; with exactly five free,
// pidfd_open is what fails.
TEST(SpawnPitfall12, PidfdOpenFailureIsCheckedAndCleanedUp) {
#ifndef PROCTEST_PLATFORM_LINUX
  GTEST_SKIP() << "the posix backend opens no pidfd";
#endif
#ifdef PROCTEST_TESTS_UNDER_UBSAN
  GTEST_SKIP() << "UBSan's vptr check needs a free descriptor (tests/CMakeLists.txt)";
#endif
  auto before = test::children();
  auto fds = test::open_fds_after_warm_up();
  Process p(child({"pause"}));
  std::string message;
  {
    std::vector<int> taken;
    for (int fd; (fd = ::dup(0)) >= 0;) taken.push_back(fd);
    for (int i = 0; i < 5; ++i) {
      ::close(taken.back());
      taken.pop_back();
    }
    message = test::error_of<ProcessError>([&] { p.run(); });
    for (int fd : taken) ::close(fd);
  }
  EXPECT_EQ(message, "cannot run '" + p.command_line() +
                         "': cannot open a pidfd to watch it: Too many open files");
  EXPECT_FALSE(p.running());
  EXPECT_EQ(test::children(), before);
  EXPECT_EQ(test::open_fds(), fds);
}

// 13. fork copies page tables: spawn cost grew with the parent's resident
// memory. posix_spawn (CLONE_VM|CLONE_VFORK) must not. The figures are in
// docs/performance.md (benchmark); this guards the mechanism with a ratio so
// loose that only a return to fork (50-200x here) can trip it.
TEST(SpawnPitfall13, SpawnCostDoesNotGrowWithResidentMemory) {
  // The fastest of 15 runs: load on the machine only ever adds time, while a
  // fork-based spawn would cost tens of milliseconds here in every run.
  auto fastest_spawn = [] {
    std::vector<double> us;
    for (int i = 0; i < 15; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      Process p({"/bin/true"});
      p.run().join();
      us.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    return *std::min_element(us.begin(), us.end());
  };
  double small = fastest_spawn();
  constexpr std::size_t size = 1u << 30;
  void* mem = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  ::madvise(mem, size, MADV_NOHUGEPAGE);  // 4 KiB pages: the worst case for fork
  for (std::size_t i = 0; i < size; i += 4096) static_cast<char*>(mem)[i] = 1;
  double big = fastest_spawn();
  ::munmap(mem, size);
  RecordProperty("spawn_us_small_rss", std::to_string(small));
  RecordProperty("spawn_us_1gib_rss", std::to_string(big));
  // Boost.Process v2's fork launcher takes ~40 ms at 1 GiB on this kind of
  // machine (docs/performance.md); posix_spawn takes the same as without it.
  EXPECT_LT(big, 3 * small + 10000) << "small: " << small << " us, 1 GiB: " << big << " us";
}

// 14. (found here, not in the prototype) v2's async_wait reaped with a
// blocking waitpid() after any readiness of the pidfd, and Asio can deliver a
// stale one (an epoll event taken for a closed descriptor is applied to the
// next descriptor that reuses its reactor state): the loop then blocked until
// that child exited. Retired with v2's handle: the linux backend's exit watch
// (src/platform/linux/child.cpp) reaps only once waitid(WNOHANG) says the
// child exited, and waits again otherwise; the event cannot be played
// through the platform interface, which hides the watch.

// 15. Two ways to start a child, one start. The linux backend clones the
// child itself (CLONE_VM | CLONE_VFORK | CLONE_PIDFD) and the child carries
// out its plan with raw system calls; where the kernel cannot close a range
// of descriptors (before 5.9, or a seccomp filter that forbids it), and
// under TSan, it uses posix_spawn. Each way must give the child the same
// start, and fail the same way. (The posix backend has posix_spawn only:
// both parameters run it.)
class SpawnWay : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { detail::platform::use_posix_spawn(GetParam()); }
  void TearDown() override { detail::platform::use_posix_spawn(false); }
};

TEST_P(SpawnWay, TheChildGetsItsGroupDefaultSignalsOnlyStdioAndItsDirectory) {
  // Ignored, blocked and inheritable here, in the spawning thread.
  struct sigaction ign {};
  struct sigaction old_int {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ign, &old_int);
  sigset_t block;
  sigset_t old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &block, &old_mask);
  int inheritable = ::open("/dev/null", O_RDONLY);
  int high = ::fcntl(inheritable, F_DUPFD, 300);
  Process signals(child({"signals"}));
  Process fds(child({"fds"}));
  Process group(child({"pgid"}));
  Process cwd(child({"cwd"}), {.cwd = "/usr/share"});
  std::string signals_out = signals.run().output();
  std::string fds_out = fds.run().output();
  std::string group_out = group.run().output();
  std::string cwd_out = cwd.run().output();
  ::close(inheritable);
  ::close(high);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGINT, &old_int, nullptr);
  EXPECT_EQ(signals_out, "blocked 0000000000000000\nignored 0000000000000000\n");
  EXPECT_EQ(fds_out, "0 1 2\n");
  EXPECT_EQ(group_out, std::to_string(group.id()) + " " + std::to_string(group.id()) + "\n");
  EXPECT_EQ(cwd_out, "/usr/share\n");
}

TEST_P(SpawnWay, StdioIsPipesAMergeOrATerminal) {
  Process piped(child({"echo"}), {.input = Input::bytes("in\n")});
  EXPECT_EQ(piped.run().output(), "in\n");
  Process merged(child({"print", "out ", "err", "3"}), {.error = Output::merge()});
  merged.run();
  EXPECT_EQ(merged.output(), "out err");
  EXPECT_EQ(merged.exit_code(), 3);
  Process tty(child({"tty"}), {.input = Input::pipe(), .terminal = Terminal{}});
  tty.run();
  EXPECT_EQ(tty.read_line(test::patient()),
            "isatty 111 size 24x80 echo off devtty yes sid own fg yes");
}

TEST_P(SpawnWay, AFailedStartSaysWhyAndLeavesNothing) {
  auto before = test::children();
  boost::asio::io_context ctx;
  {
    // The reactor's own descriptors are made at its first use.
    int ends[2];
    ASSERT_EQ(::pipe2(ends, O_CLOEXEC), 0);
    boost::asio::readable_pipe warm(ctx, ends[0]);
    ::close(ends[1]);
  }
  auto fds = test::open_fds_after_warm_up();
  detail::platform::LaunchRequest r;
  r.arguments = {test::child_path(), "cwd"};
  r.program = test::child_path();
  r.cwd = "/nonexistent-proctest-dir";
  try {
    detail::platform::native_backend().launch(r, ctx.get_executor());
    ADD_FAILURE() << "no error";
  } catch (const detail::platform::PlatformError& e) {
    EXPECT_EQ(e.code(), std::error_code(ENOENT, std::system_category()));
    EXPECT_EQ(e.step(), "");
  }
  r.cwd.clear();
  r.arguments = {"/dev/null"};
  r.program = "/dev/null";
  try {
    detail::platform::native_backend().launch(r, ctx.get_executor());
    ADD_FAILURE() << "no error";
  } catch (const detail::platform::PlatformError& e) {
    EXPECT_EQ(e.code(), std::error_code(EACCES, std::system_category()));
  }
  EXPECT_EQ(test::children(), before);
  EXPECT_EQ(test::open_fds(), fds);
}

#ifdef PROCTEST_PLATFORM_LINUX
// A seccomp filter that says EPERM to clone() with CLONE_PIDFD, as a sandbox
// without it would: false where it cannot be installed here.
bool refuse_clone_with_pidfd() {
#if defined(__x86_64__)
  constexpr __u32 arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  constexpr __u32 arch = AUDIT_ARCH_AARCH64;
#else
  return false;
#endif
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x00001000 /* CLONE_PIDFD */, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}
#endif

// 16. A sandbox that refuses the linux backend's clone (gVisor, a seccomp
// filter) must not refuse every run: clone's EPERM, EINVAL or ENOSYS sends
// this child and every later one to posix_spawn. In a forked child, whose
// filter cannot reach this process.
TEST(SpawnWayDeathTest, ASandboxThatRefusesTheCloneGetsPosixSpawn) {
#ifndef PROCTEST_PLATFORM_LINUX
  GTEST_SKIP() << "the linux backend's clone";
#elif defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "under TSan the backend uses posix_spawn only, and starts no thread after a "
                  "multi-threaded fork";
#else
  Process({"true"}).run().join();  // the kernel asked about close_range, the loop running
  GTEST_FLAG_SET(death_test_style, "fast");
  EXPECT_EXIT(
      {
        if (!refuse_clone_with_pidfd()) std::_Exit(2);
        Process fds(child({"fds"}));
        Process group(child({"pgid"}));
        bool ok = fds.run().output() == "0 1 2\n" && fds.exit_code() == 0;
        const std::string own = group.run().output();
        ok = ok && own == std::to_string(group.id()) + " " + std::to_string(group.id()) + "\n";
        std::_Exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
#endif
}

INSTANTIATE_TEST_SUITE_P(Spawn, SpawnWay, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& way) {
                           return way.param ? "PosixSpawn" : "BackendsOwn";
                         });

}  // namespace
}  // namespace proctest
