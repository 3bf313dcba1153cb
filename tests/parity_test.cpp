// Parity: the same scenarios through Process (the blocking driver) and
// AsyncProcess (the asynchronous one) must end the same way — the same
// ExitStatus, stop step, output and timing bounds — since both run the
// engine's one copy of each sequence. Run on both backends (the posix
// build runs this binary too).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <sstream>

#include "proctest/async.hpp"
#include "support.hpp"

namespace proctest {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::child;

enum class Driver { blocking, async };

// One driver's view of a process: the calls the scenarios need.
class Driven {
 public:
  Driven(Driver driver, std::vector<std::string> argv, Options options = {})
      : driver_(driver), async_(io_.get_executor(), std::move(argv), std::move(options)) {
    async_.process().run();
  }
  Process& process() { return async_.process(); }

  void close() {
    if (driver_ == Driver::blocking) return process().close();
    wait_for([&](auto done) { async_.async_close(done); });
  }
  void join(std::chrono::milliseconds timeout) {
    if (driver_ == Driver::blocking) return process().join(timeout);
    wait_for([&](auto done) { async_.async_join(timeout, done); });
  }
  std::string expect(const std::string& text, std::chrono::milliseconds timeout) {
    if (driver_ == Driver::blocking) return process().expect(text, timeout);
    std::string got;
    wait_for([&](auto done) {
      async_.async_expect(text, timeout, [done, &got](std::exception_ptr e, std::string s) {
        got = std::move(s);
        done(e);
      });
    });
    return got;
  }

 private:
  // Runs one operation to its end and rethrows its error.
  template <typename Start>
  void wait_for(Start start) {
    std::exception_ptr error;
    bool finished = false;
    start([&](std::exception_ptr e) {
      error = e;
      finished = true;
    });
    io_.restart();
    while (!finished && io_.run_one_for(60s) > 0) {
    }
    if (!finished) throw std::runtime_error("the operation never completed");
    if (error) std::rethrow_exception(error);
  }

  Driver driver_;
  asio::io_context io_;
  AsyncProcess async_;
};

class Parity : public ::testing::TestWithParam<Driver> {};

// Measures a call in milliseconds.
template <typename F>
long long timed(F&& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return test::ms_since(start);
}

TEST_P(Parity, CooperativeChildEndsOnTheStopSignalAtOnce) {
  Driven d(GetParam(), child({"pause"}), {.grace = 5s});
  EXPECT_EQ(test::wait_for_line(d.process()), "ready");
  EXPECT_LT(timed([&] { d.close(); }), test::scaled(2000));
  EXPECT_EQ(d.process().status().signal(), SIGTERM);
  EXPECT_EQ(d.process().status().stopped_by(), StopStep::terminate);
  EXPECT_EQ(d.process().output(), "ready\n");
}

TEST_P(Parity, ChildIgnoringSigtermIsKilledAfterTheGrace) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent, so the stop signal ends the child at once "
      "(TerminateJobObject): there is no grace period to wait out");
  Driven d(GetParam(), child({"ignore-term"}), {.grace = 200ms});
  EXPECT_EQ(test::wait_for_line(d.process()), "ready");
  long long took = timed([&] { d.close(); });
  EXPECT_GE(took, 200);
  EXPECT_LT(took, 200 + test::scaled(2000));
  EXPECT_EQ(d.process().status().signal(), SIGKILL);
  EXPECT_EQ(d.process().status().stopped_by(), StopStep::kill);
}

TEST_P(Parity, SetsidEscapeeIsStoppedWithItsRunningLeader) {
#ifdef PROCTEST_PLATFORM_WINDOWS
  GTEST_SKIP() << "no setsid() on Windows: the Job Object holds every descendant "
                  "(windows_stop_test.cpp)";
#elif !defined(PROCTEST_PLATFORM_LINUX)
  GTEST_SKIP() << "the posix backend cannot find descendants that left the group "
                  "(no /proc tree walk, no pidfds): docs/architecture.md";
#endif
  Driven d(GetParam(), child({"escape", "wait"}),
           {.output = Output::capture(), .grace = 200ms, .drain_delay = 50ms});
  int escapee = std::stoi(test::wait_for_line(d.process()));
  ASSERT_TRUE(test::alive(escapee));
  long long took = timed([&] { d.close(); });
  EXPECT_LT(took, 200 + test::scaled(2000));
  EXPECT_FALSE(test::alive(escapee)) << "async_close() used to leave it running";
  EXPECT_EQ(d.process().status().signal(), SIGKILL);  // the leader ignores SIGTERM too
}

TEST_P(Parity, GrandchildHoldingStdoutEndsTheJoinAfterTheDrainDelay) {
  Driven d(GetParam(), child({"grandchild", "term"}), {.drain_delay = 100ms});
  long long took = timed([&] { d.join(30s); });
  EXPECT_GE(took, 90);
  EXPECT_LT(took, test::scaled(3000));
  EXPECT_EQ(d.process().exit_code(), 0);
  int grandchild = std::stoi(d.process().output());
  EXPECT_FALSE(test::alive(grandchild)) << "killed with the group at the drain delay";
}

TEST_P(Parity, JoinTimeoutLeavesItRunningAndSaysSo) {
  Driven d(GetParam(), child({"pause"}));
  std::string message;
  long long took =
      timed([&] { message = test::error_of<ProcessTimeoutError>([&] { d.join(100ms); }); });
  EXPECT_EQ(message, "'" + d.process().command_line() + "' did not exit within 100 ms");
  EXPECT_GE(took, 100);
  EXPECT_LT(took, 100 + test::scaled(1000));
  EXPECT_TRUE(d.process().running());
  EXPECT_TRUE(d.process().status().timed_out());
  d.close();
  EXPECT_EQ(d.process().status().signal(), SIGTERM);
}

TEST_P(Parity, ExpectTimeoutSaysWhatWasAwaitedAndWhatWasRead) {
  Driven d(GetParam(), child({"pause"}));
  // "ready" arrived (a sanitizer build's child may take over 100 ms to start),
  // not consumed: the cursor stays where it is.
  ASSERT_TRUE(d.process().wait_for_output([](const std::string& out) { return out == "ready\n"; },
                                          std::chrono::milliseconds(test::scaled(5000))));
  std::string message;
  long long took = timed(
      [&] { message = test::error_of<ProcessTimeoutError>([&] { d.expect("never", 100ms); }); });
  EXPECT_EQ(message, "'" + d.process().command_line() +
                         "' did not print \"never\" on stdout within 100 ms (running); unread "
                         "stdout (6 of 6 bytes):\n  | ready\n");
  EXPECT_GE(took, 100);
  EXPECT_LT(took, 100 + test::scaled(1000));
  EXPECT_EQ(d.expect("ready\n", 5s), "ready\n") << "a timeout consumes nothing";
}

std::string driver_name(const ::testing::TestParamInfo<Driver>& info) {
  return info.param == Driver::blocking ? "Process" : "AsyncProcess";
}

INSTANTIATE_TEST_SUITE_P(Drivers, Parity, ::testing::Values(Driver::blocking, Driver::async),
                         driver_name);

}  // namespace
}  // namespace proctest
