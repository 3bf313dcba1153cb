// proctest::AsyncProcess — the asynchronous twin of proctest::Process, in
// Asio terms (the Python `process` library's asyncio Process).
//
//   boost::asio::io_context io;
//   boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
//     proctest::AsyncProcess server(io.get_executor(), {"my-server", "--port", "0"},
//                                   {.input = proctest::Input::pipe()});
//     co_await server.async_run(boost::asio::use_awaitable);
//     auto m = co_await server.async_expect(proctest::Regex(R"(port (\d+))"), 5s,
//                                           boost::asio::use_awaitable);
//     ...
//     co_await server.async_close(boost::asio::use_awaitable);
//   }, boost::asio::detached);
//   io.run();
//
// Unlike <proctest/process.hpp>, this header includes Asio (Boost 1.81's
// headers, which the proctest::process target's users then need too).
#ifndef PROCTEST_ASYNC_HPP
#define PROCTEST_ASYNC_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "proctest/process.hpp"

namespace proctest {

namespace detail {

/// How a core operation reports its end: an error or a value, once, from
/// proctest's I/O thread.
using AsyncDone = std::function<void(std::exception_ptr, std::string)>;
using AsyncMatchDone = std::function<void(std::exception_ptr, ExpectMatch)>;
/// Cancels an operation (it then completes with operation_aborted) unless it
/// has completed; thread-safe.
using AsyncCancel = std::function<void()>;

/// Waits for the exit and end of file; `read` 1 / -1 then hands over all of
/// stdout / stderr. Throws (synchronously) for a bad call.
AsyncCancel start_join(Process& p, std::optional<std::chrono::milliseconds> timeout, int read,
                       AsyncDone done);
AsyncCancel start_expect(Process& p, std::string_view text, std::chrono::milliseconds timeout,
                         bool is_stdout, AsyncDone done);
AsyncCancel start_read_line(Process& p, std::chrono::milliseconds timeout, bool is_stdout,
                            AsyncDone done);
AsyncCancel start_expect_regex(Process& p, const std::regex& re, std::string what,
                               std::chrono::milliseconds timeout, bool is_stdout,
                               AsyncMatchDone done);
AsyncCancel start_close(Process& p, AsyncDone done);
/// How a regex is named in messages.
std::string regex_text(const Regex& re);
std::string unknown_regex_text();

/// Holds a completion handler until the operation ends, keeps its executor's
/// work alive meanwhile, and invokes it there (never inside the initiating
/// call). The handler's cancellation slot, if connected, cancels the operation.
template <typename Handler, typename... Args>
class Completion : public std::enable_shared_from_this<Completion<Handler, Args...>> {
 public:
  Completion(Handler handler, const boost::asio::any_io_executor& fallback)
      : handler_(std::move(handler)),
        work_(boost::asio::get_associated_executor(handler_, fallback)) {}

  /// Starts the operation with `start(done)`; a synchronous throw completes
  /// the handler with it.
  template <typename Start>
  void launch(Start&& start) {
    auto self = this->shared_from_this();
    // The slot is connected before the operation starts: once it has, the
    // handler may run (and clear the slot) on another thread at any time. A
    // cancellation that comes before the operation's cancel function is
    // known is remembered and applied as soon as it is.
    struct Canceller {
      std::mutex mutex;
      AsyncCancel cancel;
      bool requested = false;
    };
    auto canceller = std::make_shared<Canceller>();
    auto slot = boost::asio::get_associated_cancellation_slot(handler_);
    if (slot.is_connected()) {
      slot.assign([canceller](boost::asio::cancellation_type) {
        std::lock_guard<std::mutex> lock(canceller->mutex);
        canceller->requested = true;
        if (canceller->cancel) canceller->cancel();
      });
    }
    try {
      AsyncCancel cancel = start([self](std::exception_ptr e, auto value) {
        self->finish(std::move(e), std::move(value));
      });
      std::lock_guard<std::mutex> lock(canceller->mutex);
      canceller->cancel = std::move(cancel);
      if (canceller->requested) canceller->cancel();
    } catch (...) {
      finish(std::current_exception(), Value{});
    }
  }

  template <typename Value>
  void finish(std::exception_ptr error, Value value) {
    auto self = this->shared_from_this();
    // The handler runs only once post() has returned here, and the work is
    // released only then: otherwise the handler could run, and its execution
    // context be destroyed, while post() is still waking a thread of it — an
    // io_context the user destroys after run() returns, or Asio's
    // system_context (use_future's executor) destroyed at exit while this
    // thread, proctest's I/O thread, still signals it. TSan reported both.
    // An executor that runs the handler inside post() itself (on this
    // thread) is not made to wait for itself.
    poster_ = std::this_thread::get_id();
    auto work = std::move(work_);
    boost::asio::post(work.get_executor(),
                      [self, error = std::move(error), value = std::move(value)]() mutable {
                        if (std::this_thread::get_id() != self->poster_) {
                          std::unique_lock<std::mutex> lock(self->post_mutex_);
                          self->post_done_.wait(lock, [&] { return self->posted_; });
                        }
                        auto slot = boost::asio::get_associated_cancellation_slot(self->handler_);
                        if (slot.is_connected()) slot.clear();
                        if constexpr (sizeof...(Args) == 0) {
                          std::move(self->handler_)(std::move(error));
                        } else {
                          std::move(self->handler_)(std::move(error), std::move(value));
                        }
                      });
    work.reset();
    {
      std::lock_guard<std::mutex> lock(post_mutex_);
      posted_ = true;
    }
    post_done_.notify_one();
  }

 private:
  // The value type of the completion (int, unused, when there is none).
  using Value = std::tuple_element_t<0, std::tuple<Args..., int>>;
  Handler handler_;
  boost::asio::executor_work_guard<boost::asio::any_io_executor> work_;
  std::thread::id poster_;
  std::mutex post_mutex_;
  std::condition_variable post_done_;
  bool posted_ = false;
};

template <typename... Args, typename Handler>
auto make_completion(Handler handler, const boost::asio::any_io_executor& ex) {
  return std::make_shared<Completion<std::decay_t<Handler>, Args...>>(std::move(handler), ex);
}

}  // namespace detail

/// A Process driven through Asio completion tokens: callbacks,
/// `boost::asio::use_future`, and C++20 `boost::asio::use_awaitable`
/// coroutines all work. Same Options, errors and stop sequence as Process;
/// every error is delivered as the completion's std::exception_ptr (a
/// coroutine's co_await rethrows it; a future's get() throws it).
///
/// Completion handlers run on their associated executor, by default the
/// executor given at construction; they are never called from inside the
/// initiating function. Waiting uses no thread of its own: proctest's one I/O
/// thread watches every process, so 200 processes awaited on one io_context
/// thread use two threads in all.
///
/// Cancellation: each operation honours its handler's cancellation slot
/// (`boost::asio::bind_cancellation_slot`, awaitable operators, parallel
/// groups): the wait ends with `boost::asio::error::operation_aborted` (as a
/// boost::system::system_error) and the child is left as it is, still owned
/// by this object. Destruction runs the stop sequence, as for a Process (it
/// blocks up to the grace period: call async_close() first to avoid that).
///
/// The object must outlive its pending operations. Not thread-safe for
/// concurrent calls on the same object, as with Process.
class AsyncProcess {
 public:
  /// The executor type of the default completion executor.
  using executor_type = boost::asio::any_io_executor;

  /// A process for these arguments, whose handlers run on `executor` by
  /// default. As Process's constructors: nothing starts until async_run().
  AsyncProcess(executor_type executor, std::vector<std::string> arguments, Options options = {})
      : executor_(std::move(executor)), process_(std::move(arguments), std::move(options)) {}
  /// As above: `AsyncProcess(ex, {"sleep", "30"})`.
  AsyncProcess(executor_type executor, std::initializer_list<std::string> arguments,
               Options options = {})
      : executor_(std::move(executor)), process_(arguments, std::move(options)) {}
  /// As above, the command line split like a POSIX shell.
  AsyncProcess(executor_type executor, std::string_view command_line, Options options = {})
      : executor_(std::move(executor)), process_(command_line, std::move(options)) {}

  /// The default executor of completion handlers.
  executor_type get_executor() const noexcept { return executor_; }
  /// The synchronous view of the same process: status(), id(), write(),
  /// signal(), output(false)... (its blocking calls block, as always).
  Process& process() noexcept { return process_; }
  /// The synchronous view, read-only.
  const Process& process() const noexcept { return process_; }

  /// Starts the process. Signature `void(std::exception_ptr)`: errors as
  /// Process::run() (ProcessError naming the program, ProcessAlreadyRunError).
  template <typename Token>
  auto async_run(Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
        [this](auto handler) {
          auto done = detail::make_completion<>(std::move(handler), executor_);
          done->launch([this](auto finish) -> detail::AsyncCancel {
            process_.run();
            finish(nullptr, 0);
            return [] {};
          });
        },
        token);
  }

  /// Waits for the exit and the end of its output, as Process::join():
  /// ProcessTimeoutError when `timeout` (default Options::timeout) passes
  /// first, leaving the process running. `void(std::exception_ptr)`.
  template <typename Token>
  auto async_join(std::optional<std::chrono::milliseconds> timeout, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
        [this, timeout](auto handler) {
          auto done = detail::make_completion<>(std::move(handler), executor_);
          done->launch([&](auto finish) {
            return detail::start_join(process_, timeout, 0, std::move(finish));
          });
        },
        token);
  }
  /// async_join() with Options::timeout.
  template <typename Token>
  auto async_join(Token&& token) {
    return async_join(std::nullopt, std::forward<Token>(token));
  }

  /// All of stdout once the process has exited (Options::timeout applies).
  /// `void(std::exception_ptr, std::string)`; errors as Process::output().
  template <typename Token>
  auto async_output(Token&& token) {
    return read_all(1, std::forward<Token>(token));
  }
  /// All of stderr; as async_output().
  template <typename Token>
  auto async_error(Token&& token) {
    return read_all(-1, std::forward<Token>(token));
  }

  /// Process::expect(text, timeout), without blocking: the text from the
  /// cursor through the match. `void(std::exception_ptr, std::string)`.
  template <typename Token>
  auto async_expect(std::string_view text, std::chrono::milliseconds timeout, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, std::string)>(
        [this, text = std::string(text), timeout](auto handler) {
          auto done = detail::make_completion<std::string>(std::move(handler), executor_);
          done->launch([&](auto finish) {
            return detail::start_expect(process_, text, timeout, true, std::move(finish));
          });
        },
        token);
  }
  /// Process::expect(pattern, timeout), without blocking.
  /// `void(std::exception_ptr, ExpectMatch)`.
  template <typename Token>
  auto async_expect(const Regex& pattern, std::chrono::milliseconds timeout, Token&& token) {
    return expect_regex(pattern.regex(), detail::regex_text(pattern), timeout,
                        std::forward<Token>(token));
  }
  /// As above, for a std::regex (whose text messages cannot show).
  template <typename Token>
  auto async_expect(const std::regex& pattern, std::chrono::milliseconds timeout, Token&& token) {
    return expect_regex(pattern, detail::unknown_regex_text(), timeout, std::forward<Token>(token));
  }
  /// Process::read_line(timeout), without blocking.
  /// `void(std::exception_ptr, std::string)`.
  template <typename Token>
  auto async_read_line(std::chrono::milliseconds timeout, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, std::string)>(
        [this, timeout](auto handler) {
          auto done = detail::make_completion<std::string>(std::move(handler), executor_);
          done->launch([&](auto finish) {
            return detail::start_read_line(process_, timeout, true, std::move(finish));
          });
        },
        token);
  }

  /// The stop sequence of Process::close(), without blocking: close stdin,
  /// the stop signal, up to the grace period, SIGKILL, reap the group, drain.
  /// `void(std::exception_ptr)`. Nothing for a process never run.
  template <typename Token>
  auto async_close(Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
        [this](auto handler) {
          auto done = detail::make_completion<>(std::move(handler), executor_);
          done->launch(
              [&](auto finish) { return detail::start_close(process_, std::move(finish)); });
        },
        token);
  }

  /// Process::write(): queues bytes for stdin (Input::pipe()); never blocks.
  void write(std::string_view data) { process_.write(data); }
  /// Process::close_stdin().
  void close_stdin() { process_.close_stdin(); }
  /// Process::signal(): a signal to the process itself.
  void signal(int signal) { process_.signal(signal); }
  /// Process::terminate(): SIGTERM to the process group.
  void terminate() { process_.terminate(); }
  /// Process::kill(): SIGKILL to the process group.
  void kill() { process_.kill(); }
  /// Process::running().
  bool running() const { return process_.running(); }
  /// Process::exit_code(): empty while running; -N for signal N.
  std::optional<int> exit_code() const { return process_.exit_code(); }
  /// Process::status(): how it ended, which stop step ended it, how long it ran.
  ExitStatus status() const { return process_.status(); }
  /// Process::id(): the pid (and process group id).
  int id() const { return process_.id(); }
  /// Process::arguments().
  const std::vector<std::string>& arguments() const { return process_.arguments(); }

 private:
  template <typename Token>
  auto read_all(int which, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, std::string)>(
        [this, which](auto handler) {
          auto done = detail::make_completion<std::string>(std::move(handler), executor_);
          done->launch([&](auto finish) {
            return detail::start_join(process_, std::nullopt, which, std::move(finish));
          });
        },
        token);
  }
  template <typename Token>
  auto expect_regex(const std::regex& pattern, std::string what, std::chrono::milliseconds timeout,
                    Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr, ExpectMatch)>(
        [this, pattern, what = std::move(what), timeout](auto handler) {
          auto done = detail::make_completion<ExpectMatch>(std::move(handler), executor_);
          done->launch([&](auto finish) {
            return detail::start_expect_regex(process_, pattern, what, timeout, true,
                                              std::move(finish));
          });
        },
        token);
  }

  executor_type executor_;
  Process process_;
};

}  // namespace proctest

#endif  // PROCTEST_ASYNC_HPP
