// The asynchronous driver (AsyncProcess): the same machines as the blocking
// calls, stepped on the handler's executor. proctest's I/O thread only pokes
// an operation (posts a step); the step itself — a search included — runs
// on the user's executor, so nothing the user asked for can hold up the
// loop that drains every process.
//
// Lifetimes: each operation is owned by a registry that lives in its
// handler's execution context (an Asio service). When that context is
// destroyed, the registry's shutdown destroys the pending operations and
// their handlers without invoking them (a coroutine frame goes with its
// handler, and an AsyncProcess in it stops its child); from then on, nothing
// is posted to the context. The process state only holds weak references to
// the operations, so no reference cycle keeps a child alive. The loop thread
// may still hold an operation for a moment (a poke) and release it last, so
// an operation lets go of everything bound to the context (handler, timer,
// work guard) on that context: as it finishes, or at the shutdown.
#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>
#include <mutex>
#include <optional>

#include "engine/expect.hpp"
#include "engine/join.hpp"
#include "engine/loop.hpp"
#include "engine/start.hpp"
#include "engine/stop.hpp"
#include "proctest/async.hpp"

namespace proctest::detail {

namespace {

namespace asio = boost::asio;
using Kind = AsyncRequest::Kind;

class AsyncOp;

// The operations pending in one execution context.
class Registry : public asio::execution_context::service {
 public:
  static asio::execution_context::id id;

  // What outlives the service: operations and the loop's pokes reach the
  // registry through it, and learn from `down` that the context is gone.
  struct Shared {
    std::mutex mutex;
    bool down = false;
    std::vector<std::shared_ptr<AsyncOp>> ops;
  };

  explicit Registry(asio::execution_context& context)
      : asio::execution_context::service(context), shared_(std::make_shared<Shared>()) {}
  const std::shared_ptr<Shared>& shared() const noexcept { return shared_; }

 private:
  void shutdown() override {
    std::vector<std::shared_ptr<AsyncOp>> ops;
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->down = true;
      ops.swap(shared_->ops);
    }
    // Without the lock: a handler may own a coroutine frame whose
    // AsyncProcess stops its child, and the loop pokes other operations
    // meanwhile. What each operation holds of this context goes now, while
    // the context exists: the loop thread may hold an operation a moment
    // longer (it pokes through a strong reference) and so destroy it last.
    for (auto& op : ops) detach(*op);
    ops.clear();
  }

  static void detach(AsyncOp& op) noexcept;

  std::shared_ptr<Shared> shared_;
};

asio::execution_context::id Registry::id;

std::exception_ptr aborted() {
  return std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
}

class AsyncOp : public Watcher, public std::enable_shared_from_this<AsyncOp> {
 public:
  AsyncOp(std::shared_ptr<ProcessState> state, AsyncRequest request,
          std::unique_ptr<AsyncHandler> handler)
      : state_(std::move(state)),
        request_(std::move(request)),
        handler_(std::move(handler)),
        work_(handler_->executor()),
        // Created before the registry is first used in a context, so that
        // the timers' service outlives the registry at shutdown.
        timer_(std::in_place, handler_->executor()),
        registry_(
            asio::use_service<Registry>(asio::query(handler_->executor(), asio::execution::context))
                .shared()) {}

  void begin() {
    {
      std::lock_guard<std::mutex> lock(registry_->mutex);
      if (registry_->down) return;  // the context is gone already
      registry_->ops.push_back(shared_from_this());
    }
    if (state_) {
      Lock lock = state_->lock();
      state_->add_watcher_locked(weak_from_this());
    }
    asio::cancellation_slot slot = handler_->slot();
    if (slot.is_connected()) {
      slot.assign([weak = weak_from_this()](asio::cancellation_type) {
        if (auto op = weak.lock()) op->abandon();
      });
    }
    schedule();  // never inside the initiating function
  }

  void poke() noexcept override { schedule(); }

  // At the context's shutdown (its registry is down, so nothing steps or
  // posts any more): the handler, the timer and the work guard are destroyed
  // here (release()), never later on another thread. The handler is not
  // invoked.
  void detach() noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_ = true;
    }
    if (state_) {
      try {
        Lock lock = state_->lock();
        state_->remove_watcher_locked(this);
      } catch (...) {  // the loop's next poke finds it finished
      }
    }
    release();
  }

  void abandon() noexcept override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled_ = true;
    }
    schedule();
  }

 private:
  // Posts a step unless one is posted already.
  void schedule() noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (finished_ || scheduled_) return;
      scheduled_ = true;
    }
    try {
      std::lock_guard<std::mutex> lock(registry_->mutex);
      if (registry_->down || !handler_) return;  // the context is gone, or the op is done
      // Under the registry's lock: the context cannot be shut down while
      // this post is still waking one of its threads.
      asio::post(handler_->executor(), [weak = weak_from_this()] {
        if (auto op = weak.lock()) op->run();
      });
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      scheduled_ = false;  // the timer looks again
    }
  }

  // On the handler's executor; steps never overlap, even on a pool.
  void run() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      scheduled_ = false;
      if (finished_) return;
      if (stepping_) {
        again_ = true;
        return;
      }
      stepping_ = true;
    }
    for (;;) {
      step();
      std::lock_guard<std::mutex> lock(mutex_);
      if (finished_ || !again_) {
        stepping_ = false;
        return;
      }
      again_ = false;
    }
  }

  void step() {
    bool cancelled = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled = cancelled_;
    }
    if (cancelled) return finish(aborted());
    try {
      require_state(state_);  // moved from, or in a fork
      if (request_.kind == Kind::run) {
        start_process(*state_, false);
        return finish(nullptr);
      }
    } catch (...) {
      return finish(std::current_exception());
    }
    Step next;
    try {
      Lock lock = state_->lock();
      if (!machine_) machine_ = make_machine();
      next = machine_->step(lock, Clock::now());
      if (next.done && !machine_->error()) collect(lock);
    } catch (...) {
      return finish(std::current_exception());
    }
    if (next.done) return finish(machine_->error());
    if (next.wake_at) {
      timer_->expires_at(*next.wake_at);
      timer_->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (auto op = weak.lock(); op && !ec) op->run();
      });
    } else {
      timer_->cancel();
    }
  }

  std::unique_ptr<Machine> make_machine() {
    switch (request_.kind) {
      case Kind::join:
        return std::make_unique<JoinMachine>(*state_, request_.timeout);
      case Kind::output:
      case Kind::error:
        state_->require_started_locked();
        state_->require_captured(request_.kind == Kind::output);
        return std::make_unique<JoinMachine>(*state_, std::nullopt);
      case Kind::expect_text:
        return std::make_unique<ExpectMachine>(*state_, text_request(request_.text, true),
                                               *request_.timeout);
      case Kind::expect_regex:
        match_ = std::make_shared<ExpectMatch>();
        return std::make_unique<ExpectMachine>(
            *state_, regex_request(*request_.regex, true, match_), *request_.timeout);
      case Kind::read_line:
        return std::make_unique<ExpectMachine>(*state_, line_request(true), *request_.timeout);
      case Kind::close:
      case Kind::run:
        break;
    }
    return std::make_unique<StopMachine>(*state_);
  }

  // What the handler gets, once the machine is done. Under the lock.
  void collect(Lock&) {
    switch (request_.kind) {
      case Kind::output:
      case Kind::error: {
        OutputStream& c = state_->stream_locked(request_.kind == Kind::output);
        c.copy(0, c.size(), result_.text);
        break;
      }
      case Kind::expect_text:
        result_.text = static_cast<ExpectMachine&>(*machine_).found()->consumed;
        break;
      case Kind::read_line:
        result_.text = finish_line(static_cast<ExpectMachine&>(*machine_).found()->consumed);
        break;
      case Kind::expect_regex:
        finish_regex(*match_, *static_cast<ExpectMachine&>(*machine_).found());
        result_.match = std::move(*match_);
        break;
      default:
        break;
    }
  }

  void finish(std::exception_ptr error) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (finished_) return;
      finished_ = true;
    }
    timer_->cancel();
    if (state_) {
      Lock lock = state_->lock();
      state_->remove_watcher_locked(this);
    }
    auto self = shared_from_this();  // the registry may hold the last other reference
    {
      std::lock_guard<std::mutex> lock(registry_->mutex);
      auto& ops = registry_->ops;
      ops.erase(std::remove(ops.begin(), ops.end(), self), ops.end());
    }
    asio::cancellation_slot slot = handler_->slot();
    if (slot.is_connected()) slot.clear();
    // On the handler's executor already (a posted step or the timer).
    handler_->complete(std::move(error), result_);
    release();
  }

  // What the operation holds of its handler's context goes while that
  // context surely exists: the loop thread may hold the operation a moment
  // longer (it pokes through a strong reference) and so destroy it last,
  // possibly after the context. Once finished, nothing uses these.
  void release() noexcept {
    std::unique_ptr<AsyncHandler> handler;
    {
      // schedule() on the loop thread reads handler_ under this lock.
      std::lock_guard<std::mutex> lock(registry_->mutex);
      handler = std::move(handler_);
    }
    handler.reset();  // may run ~AsyncProcess (a coroutine frame): no lock held
    timer_.reset();
    work_.reset();
  }

  std::shared_ptr<ProcessState> state_;
  AsyncRequest request_;
  std::unique_ptr<AsyncHandler> handler_;
  asio::executor_work_guard<asio::any_io_executor> work_;
  std::optional<asio::steady_timer> timer_;  // until release()
  std::shared_ptr<Registry::Shared> registry_;
  std::unique_ptr<Machine> machine_;  // created at the first step
  std::shared_ptr<ExpectMatch> match_;
  AsyncResult result_;
  std::mutex mutex_;  // the flags below
  bool scheduled_ = false;
  bool stepping_ = false;
  bool again_ = false;
  bool cancelled_ = false;
  bool finished_ = false;
};

void Registry::detach(AsyncOp& op) noexcept { op.detach(); }

}  // namespace

void start_async(Process& process, AsyncRequest request, std::unique_ptr<AsyncHandler> handler) {
  // A moved-from Process has no state: the first step says so.
  std::make_shared<AsyncOp>(ProcessAccess::shared_state(process), std::move(request),
                            std::move(handler))
      ->begin();
}

void abandon_async(Process& process) noexcept {
  std::shared_ptr<ProcessState> state = ProcessAccess::shared_state(process);
  if (!state) return;
  std::vector<std::shared_ptr<Watcher>> pending;
  try {
    Lock lock = state->lock();
    pending = state->watchers_locked();
  } catch (...) {
    return;
  }
  for (auto& w : pending) w->abandon();
}

}  // namespace proctest::detail
