// AsyncProcess lifetimes (issue: hazards found by a probe of the async, PTY
// and expect paths): an execution context destroyed with operations pending,
// a coroutine abandoned with its context, an AsyncProcess destroyed first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#ifndef _WIN32
#include <signal.h>
#include <sys/wait.h>
#endif

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proctest/async.hpp"
#include "support.hpp"

namespace proctest {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::child;

// The I/O thread used to post the completion into the destroyed scheduler
// when the child exited: SIGSEGV. Now the pending operation is abandoned
// (its handler destroyed, never invoked) and nothing touches the context.
// In a death-test child, so that a crash fails this test alone.
int destroyed_context_scenario() {
  auto io = std::make_unique<asio::io_context>();
  bool called = false;
  AsyncProcess p(io->get_executor(), child({"sleep", "300"}));
  p.async_run([](std::exception_ptr e) {
    if (e) std::_Exit(2);
  });
  io->run();
  io->restart();
  p.async_join([&](std::exception_ptr) { called = true; });
  io.reset();             // the join is pending
  p.process().join(10s);  // the child exits meanwhile: nothing may be posted
  // The loop has one thread: once it has seen a later process end, it is
  // past the handler of p's exit and every poke that handler made.
  Process later(child({"exit", "0"}));
  later.run().join(10s);
  return called ? 3 : 0;
}

TEST(AsyncLifetimeDeathTest, DestroyingTheContextWithAJoinPendingAbandonsIt) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_EXIT(std::_Exit(destroyed_context_scenario()), ::testing::ExitedWithCode(0), "");
}

// The loop thread pokes an operation through a strong reference after a
// child's exit. When the operation finished meanwhile on the user's thread
// and the test then destroyed the context, the loop released it last, and
// its destructor touched the destroyed context's timer service (ASan:
// heap-use-after-free in ~AsyncOp, seen in the parity tests). Now an
// operation lets go of its handler, timer and work guard as it finishes (and
// at the context's shutdown, if still pending). Many rounds of async_close
// followed at once by the context's end; the sanitizer builds see a touch of
// freed memory, the others pass either way.
TEST(AsyncLifetime, AContextDestroyedAsTheLoopReleasesAFinishedOperationIsNotTouched) {
  for (int round = 0; round < test::spawns(40); ++round) {
    auto io = std::make_unique<asio::io_context>();
    AsyncProcess p(io->get_executor(), child({"pause"}));
    p.process().run();
    ASSERT_EQ(test::wait_for_line(p.process()), "ready") << "round " << round;
    bool closed = false;
    p.async_close([&](std::exception_ptr e) { closed = !e; });
    while (!closed && io->run_one_for(60s) > 0) {
    }
    ASSERT_TRUE(closed) << "round " << round;
    io.reset();  // at once: the loop may still be in the exit's pokes
    EXPECT_EQ(p.process().status().stopped_by(), StopStep::terminate);
  }
}

// A coroutine that owns an AsyncProcess and is suspended in async_join when
// its io_context is destroyed (a test giving up): the handler holds the
// frame, the frame holds the AsyncProcess. Destroying the context destroys
// the frame, whose AsyncProcess stops the child (it used to leak, orphaned
// to PID 1, through a reference cycle).
TEST(AsyncLifetime, ACoroutineAbandonedWithItsContextStopsItsChild) {
  int pid = -1;
  {
    asio::io_context io;
    std::vector<std::string> argv = child({"pause"});
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto executor = co_await asio::this_coro::executor;
          AsyncProcess p(executor, argv);
          co_await p.async_run(asio::use_awaitable);
          pid = p.id();
          co_await p.async_join(asio::use_awaitable);  // never completes
        },
        asio::detached);
    io.run_for(200ms);
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(test::alive(pid));
  }
  bool gone = !test::exists(pid);
#ifndef _WIN32
  if (!gone) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
#endif
  EXPECT_TRUE(gone) << "the child outlived its coroutine";
}

// Destroying the AsyncProcess first ends its pending operations with
// operation_aborted (as Asio's own I/O objects do), then stops the child.
TEST(AsyncLifetime, DestroyingTheAsyncProcessAbortsItsOperations) {
  asio::io_context io;
  std::exception_ptr error;
  bool called = false;
  int pid = -1;
  {
    AsyncProcess p(io.get_executor(), child({"pause"}));
    p.process().run();
    pid = p.id();
    p.async_join([&](std::exception_ptr e) {
      called = true;
      error = e;
    });
  }
  EXPECT_FALSE(test::exists(pid));
  io.run_for(5s);
  ASSERT_TRUE(called);
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), asio::error::operation_aborted);
  }
}

}  // namespace
}  // namespace proctest
