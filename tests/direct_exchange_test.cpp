// The direct exchange (engine/loop.cpp, Loop::exchange): a short exchange
// is read by the thread that waits for it, without the I/O loop, and the
// loop takes over whatever that thread leaves, or what no thread waits for.
// Each test checks the outcome a user sees (every byte, the exit, no hang)
// and, where the backend has the direct exchange, who drove it.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "engine/loop.hpp"
#include "platform/platform.hpp"
#include "proctest/async.hpp"
#include "proctest/process.hpp"
#include "state/process_state.hpp"
#include "support.hpp"

namespace proctest {
namespace {

using detail::ProcessAccess;
using std::chrono::milliseconds;

bool direct_available() { return detail::platform::direct_exchange_available(); }

// While it lives, the loop's sweep leaves unclaimed exchanges alone for a
// minute: a test that checks who drove an exchange does not then depend on
// being scheduled within the 50 ms of Loop::kSweepDelay.
class PatientSweep {
 public:
  PatientSweep() { detail::Loop::set_sweep_delay(std::chrono::minutes(1)); }
  ~PatientSweep() { detail::Loop::set_sweep_delay(detail::Loop::kSweepDelay); }
  PatientSweep(const PatientSweep&) = delete;
  PatientSweep& operator=(const PatientSweep&) = delete;
};

// Waits, without asking proctest (a wait would drive the exchange), until
// the process with this id has exited: on a pidfd of the test's own, readable
// at the exit. A child that writes more than a pipe holds exits only if
// something drains it.
bool exits_without_a_wait(int pid) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return errno == ESRCH;  // exited and reaped already
  pollfd fd{pidfd, POLLIN, 0};
  const int ready = ::poll(&fd, 1, static_cast<int>(test::patient().count()));
  ::close(pidfd);
  return ready == 1;
}

// Whether a thread waits for data of `p` now (expect(), read_line()).
bool waiting_for_data(const Process& p) {
  detail::ProcessState& s = *ProcessAccess::state(p);
  detail::Lock lock = s.lock();
  return ProcessAccess::data_waiters(s) > 0;
}

// The filler's output: `n` bytes of 99 'x' and a newline each, then "end\n".
std::string filler(std::size_t n) {
  std::string block;
  for (int i = 0; i < 655; ++i) block += std::string(99, 'x') + "\n";
  std::string out;
  while (out.size() < n) out += block.substr(0, std::min(block.size(), n - out.size()));
  return out + "end\n";
}

TEST(DirectExchange, AShortExchangeIsReadByTheThreadThatWaits) {
  PatientSweep patient;
  Process p(test::child({"print", "out", "err", "3"}), {.input = Input::bytes("in")});
  p.run();
  EXPECT_EQ(p.output(), "out");
  EXPECT_EQ(p.error(), "err");
  EXPECT_EQ(p.exit_code(), 3);
  EXPECT_EQ(ProcessAccess::driven_directly(p), direct_available());
}

TEST(DirectExchange, BulkOutputIsReadWholeByTheThreadThatWaits) {
  PatientSweep patient;
  constexpr std::size_t kBytes = 3 << 20;  // the pipe is enlarged on the way
  const std::string expected = filler(kBytes);
  Process p(test::child({"filler", std::to_string(kBytes), "end"}));
  p.run();
  EXPECT_EQ(p.output(), expected);
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_EQ(ProcessAccess::driven_directly(p), direct_available());
}

TEST(DirectExchange, TheLoopTakesOverWhatTheWaitLeft) {
  PatientSweep patient;
  // read_line() ends with megabytes still to come: without the hand-over
  // the child would block on a full pipe and never exit.
  constexpr std::size_t kBytes = 2 << 20;
  const std::string expected = filler(kBytes);
  Process p(test::child({"filler", std::to_string(kBytes), "end"}));
  p.run();
  EXPECT_EQ(p.read_line(test::patient()), std::string(99, 'x'));
  const int pid = p.id();
  ASSERT_TRUE(exits_without_a_wait(pid));
  p.join();  // the exit came; the last bytes may still be on their way
  EXPECT_TRUE(p.output() == expected) << p.output().size() << " bytes";
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_EQ(ProcessAccess::driven_directly(p), direct_available());
}

TEST(DirectExchange, AProcessNobodyWaitsForIsDrainedAndReaped) {
  // Nothing waits or looks: the loop's sweep takes it over, drains the
  // megabytes and reaps it.
  constexpr std::size_t kBytes = 2 << 20;
  const std::string expected = filler(kBytes);
  Process p(test::child({"filler", std::to_string(kBytes), "end"}));
  p.run();
  ASSERT_TRUE(exits_without_a_wait(p.id()));
  EXPECT_FALSE(ProcessAccess::driven_directly(p));
  p.join();
  EXPECT_TRUE(p.output() == expected) << p.output().size() << " bytes";
  EXPECT_EQ(p.exit_code(), 0);
}

TEST(DirectExchange, RunningSeesTheExitOfAProcessNobodyWaitsFor) {
  // No sweep for a minute: running() itself takes what is ready.
  PatientSweep patient;
  Process p(test::child({"print", "out", "", "0"}));
  p.run();
  ASSERT_TRUE(exits_without_a_wait(p.id()));
  // Elsewhere the loop takes the exit on its own time (a SIGCHLD watch).
  if (!direct_available()) p.join();
  EXPECT_FALSE(p.running());
  EXPECT_EQ(p.exit_code(), 0);
  p.join();
  EXPECT_EQ(p.output(), "out");
}

TEST(DirectExchange, AWaitInsideAPredicateOnTheSameProcessEnds) {
  // The predicate runs on the waiting thread: had it driven the exchange, a
  // join() from inside would have waited for itself.
  PatientSweep patient;
  Process p(test::child({"print", "out\\n", "", "0"}));
  p.run();
  bool joined = false;
  EXPECT_TRUE(p.wait_for_output(
      [&](const std::string& out) {
        if (out.empty()) return false;
        p.join(test::patient());
        joined = true;
        return true;
      },
      test::patient()));
  EXPECT_TRUE(joined);
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_FALSE(ProcessAccess::driven_directly(p));
}

TEST(DirectExchange, TheChildIsDrainedWhileAPredicateRuns) {
  // The first look takes a while (the caller's code); the child's megabytes
  // keep flowing meanwhile, so it has ended when the predicate next looks.
  PatientSweep patient;
  constexpr std::size_t kBytes = 4 << 20;
  Process p(test::child({"filler", std::to_string(kBytes), "end"}));
  p.run();
  bool first = true;
  bool ended_while_busy = false;
  EXPECT_TRUE(p.wait_for_output(
      [&](const std::string& out) {
        if (first) {
          first = false;
          // Busy until the child has ended: it can only end if drained.
          ended_while_busy = exits_without_a_wait(p.id());
        }
        return out.size() == kBytes + 4;
      },
      test::patient()));
  EXPECT_TRUE(ended_while_busy);
}

TEST(DirectExchange, AnAsyncProcessWithoutPipesIsNotLeftForTheSweep) {
  // An AsyncProcess never waits by blocking: its exchange is the loop's from
  // run() on, pipes or not (a minute's sweep would otherwise hold its join).
  PatientSweep patient;
  boost::asio::io_context io;
  AsyncProcess p(io.get_executor(), test::child({"exit", "5"}),
                 {.output = Output::null(), .error = Output::null()});
  bool joined = false;
  p.async_run([&](std::exception_ptr e) {
    ASSERT_FALSE(e);
    p.async_join(test::patient(), [&](std::exception_ptr e2) { joined = !e2; });
  });
  io.run();
  EXPECT_TRUE(joined);
  EXPECT_EQ(p.exit_code(), 5);
}

TEST(DirectExchange, CloseFromAnotherThreadEndsTheDriversWait) {
  PatientSweep patient;
  Process q(test::child({"pause"}));
  q.run();
  std::thread closer([&] {
    // Once the other thread waits in expect() (driving q's exchange).
    while (!waiting_for_data(q)) std::this_thread::yield();
    q.close();
  });
  EXPECT_THROW(q.expect("never", test::patient()), ProcessError);
  closer.join();
  EXPECT_EQ(q.status().signal(), std::optional<int>(SIGTERM));
  EXPECT_EQ(ProcessAccess::driven_directly(q), direct_available());
}

TEST(DirectExchange, ADrainForcedByAnotherThreadEndsTheDriversWait) {
  // The child exits; its grandchild keeps stdout open. One thread waits in
  // read_line() for a line that never comes (driving the exchange), another
  // joins: after the drain delay the join kills the tree and abandons the
  // outputs, and the driver's wait ends with them.
  PatientSweep patient;
  Process p(test::child({"grandchild"}), {.drain_delay = milliseconds(200)});
  p.run();
  const std::string pid_line = p.read_line(test::patient());
  ASSERT_FALSE(pid_line.empty());
  std::thread joiner([&] { p.join(test::patient()); });
  EXPECT_THROW(p.expect("never", test::patient()), ProcessError);
  joiner.join();
  EXPECT_FALSE(p.running());
}

TEST(DirectExchange, TwoThreadsWaitingForOneProcessBothSeeItEnd) {
  const std::string expected = filler(300000);
  for (int i = 0; i < test::spawns(50); ++i) {
    Process p(test::child({"filler", "300000", "end"}));
    p.run();
    std::string seen_by_other;
    std::thread other([&] { seen_by_other = p.output(); });
    const std::string seen = p.output();
    other.join();
    ASSERT_EQ(seen, expected) << "case " << i;
    ASSERT_EQ(seen_by_other, seen) << "case " << i;
    ASSERT_EQ(p.exit_code(), 0) << "case " << i;
  }
}

TEST(DirectExchange, AJoinTimeoutEndsTheWaitAndTheStopStillWorks) {
  PatientSweep patient;
  Process p(test::child({"pause"}));
  p.run();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(p.join(milliseconds(100)), ProcessTimeoutError);
  EXPECT_GE(test::ms_since(start), 100);
  p.close();
  EXPECT_EQ(p.output(), "ready\n");
  EXPECT_EQ(p.status().signal(), std::optional<int>(SIGTERM));
  EXPECT_EQ(ProcessAccess::driven_directly(p), direct_available());
}

TEST(DirectExchange, InputThePipeMayNotTakeAtOnceGoesThroughTheLoop) {
  PatientSweep patient;
  // 4096 bytes fit any fresh pipe: written by run(). More may not: the loop
  // writes them, while the reads run beside.
  for (std::size_t size : {std::size_t{4096}, std::size_t{4097}, std::size_t{1} << 20}) {
    const std::string input = test::pattern(size);
    Process p(test::child({"echo"}), {.input = Input::bytes(input)});
    p.run();
    EXPECT_EQ(p.output(), input) << size;
    EXPECT_EQ(ProcessAccess::driven_directly(p), direct_available() && size <= 4096) << size;
  }
}

TEST(DirectExchange, InputTheChildNeverReadsDoesNotHoldUpRun) {
  // The parent's end of a direct exchange's stdin is blocking: its one
  // write, 4096 bytes at most, fits the fresh pipe whether the child reads
  // or not.
  PatientSweep patient;
  Process p(test::child({"pause"}), {.input = Input::bytes(test::pattern(4096))});
  p.run();
  EXPECT_EQ(p.read_line(test::patient()), "ready");
  EXPECT_EQ(ProcessAccess::driven_directly(p), direct_available());
  EXPECT_TRUE(p.running());
  p.close();
  EXPECT_EQ(p.status().stopped_by(), StopStep::terminate);
}

TEST(DirectExchange, AnOpenStdinGoesThroughTheLoop) {
  Process p(test::child({"echo"}), {.input = Input::pipe()});
  p.run();
  p.write("hello\n");
  p.close_stdin();
  EXPECT_EQ(p.output(), "hello\n");
  EXPECT_FALSE(ProcessAccess::driven_directly(p));
}

TEST(DirectExchange, ManyShortExchangesLeaveNoDescriptorOpen) {
  const std::set<int> before = test::open_fds_after_warm_up();
  for (int i = 0; i < test::spawns(100); ++i) {
    Process p(test::child({"print", "out", "", "0"}));
    p.run();
    ASSERT_EQ(p.output(), "out");
  }
  EXPECT_EQ(test::open_fds(), before);
}

}  // namespace
}  // namespace proctest
