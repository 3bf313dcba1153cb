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
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "proctest/process.hpp"

namespace proctest {

namespace detail {

/// What an asynchronous operation does (engine/async.cpp runs it with the
/// same machines as Process's blocking calls).
struct AsyncRequest {
  enum class Kind { run, join, output, error, expect_text, expect_regex, read_line, close };
  Kind kind = Kind::join;
  std::optional<std::chrono::milliseconds> timeout;
  std::string text;
  std::optional<Regex> regex;

  static AsyncRequest of(Kind kind, std::optional<std::chrono::milliseconds> timeout = {},
                         std::string text = {}, std::optional<Regex> regex = {}) {
    AsyncRequest r;
    r.kind = kind;
    r.timeout = timeout;
    r.text = std::move(text);
    r.regex = std::move(regex);
    return r;
  }
};

/// The completion signature of an operation handing over a `Value` (or none).
template <typename Value>
struct AsyncSignature {
  using type = void(std::exception_ptr, Value);
};
template <>
struct AsyncSignature<void> {
  using type = void(std::exception_ptr);
};

/// What an operation hands its handler besides the error.
struct AsyncResult {
  std::string text;
  ExpectMatch match;
};

/// A completion handler, type-erased so that the operations are compiled
/// once, in the library.
class AsyncHandler {
 public:
  virtual ~AsyncHandler() = default;
  /// Its associated executor: where the operation takes its steps and
  /// completes.
  virtual const boost::asio::any_io_executor& executor() const noexcept = 0;
  /// Its associated cancellation slot (possibly not connected).
  virtual boost::asio::cancellation_slot slot() noexcept = 0;
  /// Invokes the handler, once, on its executor.
  virtual void complete(std::exception_ptr error, AsyncResult& result) = 0;
};

/// The handler of an operation whose completion signature is
/// `void(std::exception_ptr)` (Value void) or `void(std::exception_ptr, Value)`.
template <typename Handler, typename Value>
class HandlerOf final : public AsyncHandler {
 public:
  HandlerOf(Handler handler, const boost::asio::any_io_executor& fallback)
      : handler_(std::move(handler)),
        executor_(boost::asio::get_associated_executor(handler_, fallback)) {}
  const boost::asio::any_io_executor& executor() const noexcept override { return executor_; }
  boost::asio::cancellation_slot slot() noexcept override {
    return boost::asio::get_associated_cancellation_slot(handler_);
  }
  void complete(std::exception_ptr error, AsyncResult& result) override {
    if constexpr (std::is_void_v<Value>) {
      (void)result;
      std::move(handler_)(std::move(error));
    } else if constexpr (std::is_same_v<Value, ExpectMatch>) {
      std::move(handler_)(std::move(error), std::move(result.match));
    } else {
      std::move(handler_)(std::move(error), std::move(result.text));
    }
  }

 private:
  Handler handler_;
  boost::asio::any_io_executor executor_;
};

/// Starts an operation of `process`. Never completes inside this call; a bad
/// call (not run, a negative timeout...) completes with its error.
void start_async(Process& process, AsyncRequest request, std::unique_ptr<AsyncHandler> handler);
/// Ends the pending operations of `process` with operation_aborted.
void abandon_async(Process& process) noexcept;

}  // namespace detail

/// A Process driven through Asio completion tokens: callbacks,
/// `boost::asio::use_future`, and C++20 `boost::asio::use_awaitable`
/// coroutines all work. Same Options, errors and stop sequence as Process:
/// each operation runs the very state machine of its blocking twin. Every
/// error is delivered as the completion's std::exception_ptr (a coroutine's
/// co_await rethrows it; a future's get() throws it).
///
/// Threads: an operation takes its steps and completes on its handler's
/// associated executor, by default the executor given at construction, and
/// never inside the initiating function. proctest's one I/O thread only
/// notifies it; an expect()'s search runs on the handler's executor, so a
/// slow pattern never holds up the thread that reads every process's pipes.
/// 200 processes awaited on one io_context thread use two threads in all.
///
/// Cancellation: each operation honours its handler's cancellation slot
/// (`boost::asio::bind_cancellation_slot`, awaitable operators, parallel
/// groups): the wait ends with `boost::asio::error::operation_aborted` (as a
/// boost::system::system_error) and the child is left as it is, still owned
/// by this object.
///
/// Lifetimes: destroying the AsyncProcess ends its pending operations with
/// operation_aborted and runs the stop sequence, as for a Process (it blocks
/// up to the grace period: call async_close() first to avoid that).
/// Destroying an execution context (an io_context) with operations pending
/// destroys their handlers without invoking them; a coroutine suspended in
/// one is destroyed with its frame, and an AsyncProcess in that frame stops
/// its child. Not thread-safe for concurrent calls on the same object, as
/// with Process.
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
  /// Takes over the process and its pending operations.
  AsyncProcess(AsyncProcess&&) noexcept = default;
  AsyncProcess& operator=(AsyncProcess&&) = delete;
  AsyncProcess(const AsyncProcess&) = delete;
  AsyncProcess& operator=(const AsyncProcess&) = delete;
  /// Ends pending operations with operation_aborted, then runs the stop
  /// sequence (Process's destructor).
  ~AsyncProcess() { detail::abandon_async(process_); }

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
    return initiate<void>(std::forward<Token>(token),
                          detail::AsyncRequest::of(detail::AsyncRequest::Kind::run));
  }

  /// Waits for the exit and the end of its output, as Process::join():
  /// ProcessTimeoutError when `timeout` (default Options::timeout) passes
  /// first, leaving the process running. `void(std::exception_ptr)`.
  template <typename Token>
  auto async_join(std::optional<std::chrono::milliseconds> timeout, Token&& token) {
    return initiate<void>(std::forward<Token>(token),
                          detail::AsyncRequest::of(detail::AsyncRequest::Kind::join, timeout));
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
    return initiate<std::string>(std::forward<Token>(token),
                                 detail::AsyncRequest::of(detail::AsyncRequest::Kind::output));
  }
  /// All of stderr; as async_output().
  template <typename Token>
  auto async_error(Token&& token) {
    return initiate<std::string>(std::forward<Token>(token),
                                 detail::AsyncRequest::of(detail::AsyncRequest::Kind::error));
  }

  /// Process::expect(text, timeout), without blocking: the text from the
  /// cursor through the match. `void(std::exception_ptr, std::string)`.
  template <typename Token>
  auto async_expect(std::string_view text, std::chrono::milliseconds timeout, Token&& token) {
    return initiate<std::string>(std::forward<Token>(token),
                                 detail::AsyncRequest::of(detail::AsyncRequest::Kind::expect_text,
                                                          timeout, std::string(text)));
  }
  /// Process::expect(pattern, timeout), without blocking.
  /// `void(std::exception_ptr, ExpectMatch)`.
  template <typename Token>
  auto async_expect(const Regex& pattern, std::chrono::milliseconds timeout, Token&& token) {
    return initiate<ExpectMatch>(std::forward<Token>(token),
                                 detail::AsyncRequest::of(detail::AsyncRequest::Kind::expect_regex,
                                                          timeout, std::string(), pattern));
  }
  /// Process::read_line(timeout), without blocking.
  /// `void(std::exception_ptr, std::string)`.
  template <typename Token>
  auto async_read_line(std::chrono::milliseconds timeout, Token&& token) {
    return initiate<std::string>(
        std::forward<Token>(token),
        detail::AsyncRequest::of(detail::AsyncRequest::Kind::read_line, timeout));
  }

  /// The stop sequence of Process::close(), without blocking: close stdin,
  /// the stop signal to the tree (setsid escapees included), up to the grace
  /// period, SIGKILL, reap the group, drain. `void(std::exception_ptr)`;
  /// ProcessError when SIGKILL cannot end the process. Nothing for a process
  /// never run.
  template <typename Token>
  auto async_close(Token&& token) {
    return initiate<void>(std::forward<Token>(token),
                          detail::AsyncRequest::of(detail::AsyncRequest::Kind::close));
  }

  /// Process::write(): queues bytes for stdin (Input::pipe()); never blocks.
  void write(std::string_view data) { process_.write(data); }
  /// Process::close_stdin().
  void close_stdin() { process_.close_stdin(); }
  /// Process::signal(): a signal to the process itself.
  void signal(int signal) { process_.signal(signal); }
  /// Process::terminate(): SIGTERM to the process group and the process.
  void terminate() { process_.terminate(); }
  /// Process::kill(): SIGKILL to the process group and the process.
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
  template <typename Value, typename Token>
  auto initiate(Token&& token, detail::AsyncRequest request) {
    using Signature = typename detail::AsyncSignature<Value>::type;
    return boost::asio::async_initiate<Token, Signature>(
        // NOLINTNEXTLINE(performance-unnecessary-value-param): Asio hands it over by value
        [this](auto handler, detail::AsyncRequest r) {
          using Handler = std::decay_t<decltype(handler)>;
          detail::start_async(
              process_, std::move(r),
              std::make_unique<detail::HandlerOf<Handler, Value>>(std::move(handler), executor_));
        },
        token, std::move(request));
  }

  executor_type executor_;
  Process process_;
};

}  // namespace proctest

#endif  // PROCTEST_ASYNC_HPP
