// AsyncProcess: the asynchronous twin on Asio, with callbacks, futures and
// C++20 coroutines.
#include "proctest/async.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>
#include <fstream>
#include <thread>

#include "support.hpp"

namespace proctest {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::child;
using test::child_path;

using test::patient;

/// The message of the exception in `e` ("no error" when null).
std::string message_of(const std::exception_ptr& e) {
  if (!e) return "no error";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  }
}

int thread_count() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

TEST(AsyncProcess, CallbacksRunOnTheExecutorNeverInline) {
  asio::io_context io;
  AsyncProcess p(io.get_executor(), child({"repl"}), {.input = Input::pipe()});
  std::vector<std::string> events;
  bool inline_call = true;
  p.async_run([&](std::exception_ptr e) {
    events.push_back("run " + message_of(e));
    p.write("echo hello\n");
    p.async_read_line(patient(), [&](std::exception_ptr e2, std::string line) {
      events.push_back("line " + message_of(e2) + " '" + line + "'");
      p.close_stdin();
      p.async_join(patient(),
                   [&](std::exception_ptr e3) { events.push_back("join " + message_of(e3)); });
    });
  });
  inline_call = false;
  io.run();
  EXPECT_FALSE(inline_call);
  EXPECT_THAT(events,
              testing::ElementsAre("run no error", "line no error '> hello'", "join no error"));
  EXPECT_EQ(p.exit_code(), 3);
}

TEST(AsyncProcess, FuturesCarryValuesAndErrors) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  AsyncProcess p(io.get_executor(), child({"print", "out\\n", "err\\n", "4"}));
  p.async_run(asio::use_future).get();
  EXPECT_EQ(p.async_output(asio::use_future).get(), "out\n");
  EXPECT_EQ(p.async_error(asio::use_future).get(), "err\n");
  EXPECT_EQ(p.exit_code(), 4);
  AsyncProcess missing(io.get_executor(), {"/nonexistent/tool"});
  auto failed = missing.async_run(asio::use_future);
  try {
    failed.get();
    ADD_FAILURE() << "no error";
  } catch (const ProcessError& e) {
#ifdef _WIN32
    EXPECT_THAT(e.what(), ::testing::StartsWith("cannot run '/nonexistent/tool': "));
#else
    EXPECT_STREQ(e.what(), "cannot run '/nonexistent/tool': No such file or directory");
#endif
  }
  guard.reset();
  runner.join();
}

TEST(AsyncProcess, CoroutinesTalkToAServerAndStopIt) {
  asio::io_context io;
  std::string port;
  std::string prefix;
  ExitStatus status;
  std::string timeout_message;
  // gcc 12 cannot keep a string literal across a co_await ("array used as
  // initializer"): the coroutine takes its strings from here.
  const std::vector<std::string> args = child({"repl"});
  const std::string command = "echo listening on port 4242\n";
  const Regex port_pattern(R"(port (\d+))");
  const std::string never = "never";
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        // Not in the full-expression of a co_await: gcc 12 mishandles
        // temporaries there (the Options would be destroyed twice).
        auto executor = co_await asio::this_coro::executor;
        AsyncProcess server(executor, args, {.input = Input::pipe()});
        co_await server.async_run(asio::use_awaitable);
        server.write(command);
        ExpectMatch m = co_await server.async_expect(port_pattern, patient(), asio::use_awaitable);
        port = m[1];
        prefix = m.prefix();
        try {
          co_await server.async_expect(never, 20ms, asio::use_awaitable);
        } catch (const ProcessTimeoutError& e) {
          timeout_message = e.what();
        }
        co_await server.async_close(asio::use_awaitable);
        status = server.status();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(port, "4242");
  EXPECT_EQ(prefix, "> listening on ");
  EXPECT_EQ(timeout_message, "'" + child_path() +
                                 " repl' did not print \"never\" on stdout within 20 ms "
                                 "(running); unread stdout (3 of 27 bytes):\n  | \n  | > \n"
                                 "  (no newline at the end)\n");
  EXPECT_EQ(status.signal(), SIGTERM);
  EXPECT_EQ(status.stopped_by(), StopStep::terminate);
}

TEST(AsyncProcess, TwoHundredProcessesOnOneThreadUseNoMoreThreads) {
  Process warm_up(child({"exit", "0"}));  // proctest's I/O thread exists from here
  warm_up.run().join();
  asio::io_context io;
  [[maybe_unused]] const int before = thread_count();  // (Linux: /proc)
  const int kCount = test::spawns(200);
  std::vector<std::unique_ptr<AsyncProcess>> processes;
  int finished = 0;
  int most_threads = 0;
  for (int i = 0; i < kCount; ++i) {
    processes.push_back(
        std::make_unique<AsyncProcess>(io.get_executor(), child({"print", std::to_string(i)})));
    AsyncProcess& p = *processes.back();
    p.async_run([&, i](std::exception_ptr e) {
      ASSERT_FALSE(e) << message_of(e);
      p.async_output([&, i](std::exception_ptr e2, std::string out) {
        EXPECT_FALSE(e2) << message_of(e2);
        EXPECT_EQ(out, std::to_string(i));
        most_threads = std::max(most_threads, thread_count());
        ++finished;
      });
    });
  }
  io.run();  // this thread alone runs every handler
  EXPECT_EQ(finished, kCount);
  // On Windows each exit watch is a wait of the system thread pool
  // (RegisterWaitForSingleObject, 63 handles to a wait thread): not counted.
#ifndef _WIN32
  EXPECT_EQ(most_threads, before);
#endif
  for (auto& p : processes) EXPECT_EQ(p->exit_code(), 0);
}

TEST(AsyncProcess, CancellationEndsTheWaitAndKeepsTheChild) {
  asio::io_context io;
  AsyncProcess p(io.get_executor(), child({"repl"}), {.input = Input::pipe()});
  asio::cancellation_signal cancel;
  std::string result;
  p.async_run([&](std::exception_ptr) {
    p.async_expect(
        "never", patient(),
        asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, std::string) {
          try {
            std::rethrow_exception(e);
          } catch (const boost::system::system_error& x) {
            result = x.code() == asio::error::operation_aborted ? "aborted" : x.what();
          } catch (...) {
            result = "other";
          }
        }));
    asio::post(io, [&] { cancel.emit(asio::cancellation_type::all); });
  });
  io.run();
  EXPECT_EQ(result, "aborted");
  EXPECT_TRUE(p.running());
  // The cursor is where it was: the prompt is still unread.
  EXPECT_EQ(p.process().expect("> ", patient()), "> ");
}

TEST(AsyncProcess, AsyncCloseKillsAfterTheGracePeriodWithoutBlocking) {
  PROCTEST_SKIP_UNDER_WINE(
      "CTRL_BREAK_EVENT cannot be sent, so the stop signal ends the child at once "
      "(TerminateJobObject): there is no grace period to wait out");
  asio::io_context io;
  AsyncProcess p(io.get_executor(), child({"ignore-term"}), {.grace = 100ms});
  bool closed = false;
  int ticks = 0;
  asio::steady_timer ticker(io);
  std::function<void()> tick = [&] {
    ++ticks;
    if (closed) return;
    ticker.expires_after(10ms);
    ticker.async_wait([&](auto) { tick(); });
  };
  p.async_run([&](std::exception_ptr) {
    p.process().expect("ready", patient());
    auto start = std::chrono::steady_clock::now();
    p.async_close([&, start](std::exception_ptr e) {
      EXPECT_FALSE(e);
      EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
      closed = true;
    });
    tick();
  });
  io.run();
  EXPECT_TRUE(closed);
  EXPECT_GE(ticks, 3);  // the io_context kept running other work meanwhile
  EXPECT_EQ(p.status().signal(), SIGKILL);
  EXPECT_EQ(p.status().stopped_by(), StopStep::kill);
}

TEST(AsyncProcess, JoinTimeoutLeavesItRunningAndDestructionStopsIt) {
  int pid = 0;
  {
    asio::io_context io;
    // "pause" waits for ever ("sleep 30" is 30 ms, which a loaded machine
    // outlived between the join's timeout and the check below).
    AsyncProcess p(io.get_executor(), child({"pause"}));
    std::string message;
    p.async_run([&](std::exception_ptr) {
      pid = p.id();
      p.async_join(20ms, [&](std::exception_ptr e) { message = message_of(e); });
    });
    io.run();
    EXPECT_EQ(message, "'" + child_path() + " pause' did not exit within 20 ms");
    EXPECT_TRUE(p.running()) << p.status().to_string() << "; stderr: " << p.process().error(false);
    EXPECT_TRUE(p.status().timed_out());
  }
  EXPECT_FALSE(test::alive(pid));
}

TEST(AsyncProcess, ErrorsOfBadCallsArriveThroughTheHandler) {
  asio::io_context io;
  AsyncProcess p(io.get_executor(), child({"repl"}));
  std::string message;
  p.async_expect("x", 1s, [&](std::exception_ptr e, std::string) { message = message_of(e); });
  io.run();
  EXPECT_EQ(message, "'" + child_path() + " repl' has not been run: call run() first");
}

// async_close() is the one operation allowed before async_run(). run()
// starts the loop-side work on the caller's thread, and with no stdin bytes it
// closes stdin there at once: the waiting close must still be stepped on
// proctest's I/O thread only (TSan checks that), and complete exactly once
// either way: "not running yet" if its first step came first, else by
// stopping the process.
TEST(AsyncProcess, CloseRequestedBeforeRunCompletesOnceWhicheverComesFirst) {
  for (int i = 0; i < 20; ++i) {
    asio::io_context io;
    AsyncProcess p(io.get_executor(), child({"echo"}), {.input = Input::bytes("")});
    int closed = 0;
    int ran = 0;
    std::string close_error;
    p.async_close([&](std::exception_ptr e) {
      ++closed;
      close_error = message_of(e);
    });
    p.async_run([&](std::exception_ptr e) {
      ++ran;
      EXPECT_EQ(e, nullptr);
    });
    io.run();
    EXPECT_EQ(closed, 1);
    EXPECT_EQ(ran, 1);
    EXPECT_EQ(close_error, "no error");
    p.process().join(patient());
    EXPECT_TRUE(p.process().exit_code().has_value());
  }
}

}  // namespace
}  // namespace proctest
