// The operations behind AsyncProcess: each waits on proctest's I/O thread for
// the events of one Process (it is poked after every read, end of file, exit
// and stdin close) and for its own timer, and never blocks that thread. All
// of an operation's steps run on the I/O thread, one at a time.
#include <signal.h>

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

#include "expect.hpp"
#include "posix/group.hpp"
#include "process_state.hpp"
#include "proctest/async.hpp"

namespace proctest::detail {

namespace {

namespace asio = boost::asio;

constexpr auto kKillWait = std::chrono::seconds(10);

std::exception_ptr aborted() {
  return std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
}

/// One asynchronous operation. Subclasses implement step(); complete() ends it.
class Op : public AsyncWatch, public std::enable_shared_from_this<Op> {
 public:
  Op(std::shared_ptr<ProcessState> state, AsyncDone done)
      : s_(std::move(state)), done_(std::move(done)), timer_(io_executor()) {}

  /// Registers for pokes and takes the first step, on the I/O thread.
  void start() {
    {
      std::lock_guard<std::mutex> lock(s_->mutex);
      s_->watches.push_back(shared_from_this());
    }
    asio::post(io_executor(), [self = shared_from_this()] { self->run_step(); });
  }
  /// Thread-safe: completes with operation_aborted unless already complete.
  void cancel() {
    asio::post(io_executor(), [self = shared_from_this()] {
      if (!self->finished_) self->complete(aborted(), {});
    });
  }
  void poke() override { run_step(); }

 protected:
  virtual void step() = 0;

  void run_step() {
    if (finished_) return;
    try {
      step();
    } catch (...) {
      if (!finished_) complete(std::current_exception(), {});
    }
  }
  void complete(std::exception_ptr error, std::string value) {
    finished_ = true;
    timer_.cancel();
    {
      std::lock_guard<std::mutex> lock(s_->mutex);
      auto& w = s_->watches;
      for (auto it = w.begin(); it != w.end(); ++it) {
        if (it->get() == this) {
          w.erase(it);
          break;
        }
      }
    }
    AsyncDone done = std::move(done_);
    done(std::move(error), std::move(value));
  }
  /// Takes another step at `when` (or at the next event, whichever is first).
  void step_at(std::optional<Clock::time_point> when) {
    timer_.cancel();
    if (!when) return;
    timer_.expires_at(*when);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->run_step();
    });
  }
  /// While the process has exited but a descendant holds an output open:
  /// once the drain delay has passed, kills the group and abandons the
  /// outputs (as join() does); else returns when to look again. Caller holds
  /// the mutex; `abandon` says to call abandon_outputs() after unlocking.
  std::optional<Clock::time_point> drain_locked(bool& abandon) {
    abandon = false;
    auto drain_end = deadline_after(s_->end_time, s_->options.drain_delay);
    if (s_->drain_forced || !drain_end) return std::nullopt;
    if (Clock::now() < *drain_end) return drain_end;
    s_->drain_forced = true;
    s_->signal_group_locked(SIGKILL);
    abandon = true;
    return std::nullopt;
  }
  static std::optional<Clock::time_point> earliest(std::optional<Clock::time_point> a,
                                                   std::optional<Clock::time_point> b) {
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
  }

  std::shared_ptr<ProcessState> s_;
  bool finished_ = false;

 private:
  AsyncDone done_;
  asio::steady_timer timer_;
};

/// async_join(), and async_output()/async_error() after it.
class JoinOp : public Op {
 public:
  JoinOp(std::shared_ptr<ProcessState> s, std::optional<std::chrono::milliseconds> timeout,
         int read, AsyncDone done)
      : Op(std::move(s), std::move(done)), read_(read) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    require_started(*s_);
    if (read_ != 0) require_captured(*s_, read_ > 0);
    limit_ = timeout ? timeout : s_->options.timeout;
    if (limit_) {
      if (limit_->count() < 0) {
        throw ProcessError("cannot join '" + s_->command_line + "': negative timeout (" +
                           ms_text(*limit_) + ")");
      }
      deadline_ = deadline_after(Clock::now(), *limit_);
    }
  }

 private:
  void step() override {
    std::unique_lock<std::mutex> lock(s_->mutex);
    if (s_->reaped && s_->out.eof && s_->err.eof) {
      std::string text;
      if (read_ != 0) {
        CaptureBuffer& b = (read_ > 0 ? s_->out : s_->err).bytes;
        b.copy_to(0, b.size(), text);
      }
      lock.unlock();
      complete(nullptr, std::move(text));
      return;
    }
    if (deadline_ && Clock::now() >= *deadline_) {
      s_->timed_out = true;
      s_->timeout_hit = *limit_;
      std::string message = "'" + s_->command_line + "' did not exit within " + ms_text(*limit_);
      lock.unlock();
      complete(std::make_exception_ptr(ProcessTimeoutError(message)), {});
      return;
    }
    bool abandon = false;
    std::optional<Clock::time_point> next = deadline_;
    if (s_->reaped) next = earliest(next, drain_locked(abandon));
    lock.unlock();
    if (abandon) s_->abandon_outputs();
    step_at(next);
  }

  int read_;  // 0: join only; 1: then stdout; -1: then stderr
  std::optional<std::chrono::milliseconds> limit_;
  std::optional<Clock::time_point> deadline_;
};

/// async_expect() and async_read_line().
class ExpectOp : public Op {
 public:
  ExpectOp(std::shared_ptr<ProcessState> s, Request req, std::chrono::milliseconds timeout,
           AsyncDone done)
      : Op(std::move(s), std::move(done)), timeout_(timeout) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    search_.emplace(*s_, std::move(req));
    deadline_ = search_->deadline(timeout);
  }

 private:
  void step() override {
    std::unique_lock<std::mutex> lock(s_->mutex);
    bool over = false;
    std::optional<Clock::time_point> drain;
    if (auto found = search_->step(lock, over, drain)) {
      lock.unlock();
      complete(nullptr, std::move(found->consumed));
      return;
    }
    if (over) {
      // As expect(): give the exit the drain delay to arrive, to say how it ended.
      if (!s_->reaped && !settle_) settle_ = deadline_after(Clock::now(), s_->options.drain_delay);
      auto settle = earliest(settle_, deadline_);
      if (s_->reaped || !settle || Clock::now() >= *settle) {
        auto error = std::make_exception_ptr(search_->ended_error());
        lock.unlock();
        complete(error, {});
        return;
      }
      lock.unlock();
      step_at(settle);
      return;
    }
    if (deadline_ && Clock::now() >= *deadline_) {
      auto error = std::make_exception_ptr(search_->timeout_error(timeout_));
      lock.unlock();
      complete(error, {});
      return;
    }
    lock.unlock();
    step_at(earliest(deadline_, drain));
  }

  std::optional<Search> search_;
  std::chrono::milliseconds timeout_;
  std::optional<Clock::time_point> deadline_;
  std::optional<Clock::time_point> settle_;
};

/// async_close(): the stop sequence of close(), event-driven.
class CloseOp : public Op {
 public:
  using Op::Op;

 private:
  enum class Phase { begin, terminating, killing, group, draining };

  void step() override {
    std::unique_lock<std::mutex> lock(s_->mutex);
    if (!s_->started) {
      lock.unlock();
      complete(nullptr, {});
      return;
    }
    // run() is still starting the loop-side work on its own thread (stdin
    // among it): wait for the poke it sends when done.
    if (!s_->handed_to_loop) return;
    for (;;) {
      switch (phase_) {
        case Phase::begin:
          if (!s_->stdin_closed) {
            s_->stdin_queue.clear();
            s_->stdin_close_requested = true;
            s_->post([](ProcessState& st) { st.pump_stdin(); });
          }
          grace_end_ = deadline_after(Clock::now(), s_->options.grace);
          s_->signal_tree_locked(s_->options.stop_signal);
          s_->signal_tree_locked(SIGCONT);
          if (!s_->reaped) s_->stop_step = StopStep::terminate;
          phase_ = Phase::terminating;
          continue;
        case Phase::terminating:
          if (s_->reaped) {
            phase_ = Phase::group;
            continue;
          }
          if (!grace_end_ || Clock::now() < *grace_end_) {
            lock.unlock();
            step_at(grace_end_);
            return;
          }
          s_->signal_tree_locked(SIGKILL);
          s_->stop_step = StopStep::kill;
          kill_end_ = Clock::now() + kKillWait;
          phase_ = Phase::killing;
          continue;
        case Phase::killing:
          if (s_->reaped) {
            phase_ = Phase::group;
            continue;
          }
          if (Clock::now() < kill_end_) {
            lock.unlock();
            step_at(kill_end_);
            return;
          }
          {
            // Stuck in the kernel: nothing more can be done safely, but the
            // caller must know it still runs (as close() says).
            auto stuck = std::make_exception_ptr(ProcessError(
                "cannot stop '" + s_->command_line + "': pid " + std::to_string(s_->pid) +
                " is still running " + std::to_string(kKillWait.count()) +
                " s after SIGKILL (stuck in the kernel?)"));
            lock.unlock();
            complete(stuck, {});
          }
          return;
        case Phase::group: {
          // Descendants left in the group get what is left of the grace
          // period, then SIGKILL. Their exits are not events here: look again
          // after a pause that doubles, as close() does.
          lock.unlock();
          bool empty = s_->reap_group_unlocked(Clock::now());
          lock.lock();
          if (!empty) {
            if (grace_end_ && Clock::now() >= *grace_end_) {
              s_->signal_group_locked(SIGKILL);
              lock.unlock();
              s_->reap_group_unlocked(Clock::now() + std::chrono::seconds(1));
              lock.lock();
            } else {
              pause_ = std::min(pause_ * 2, std::chrono::microseconds(10000));
              lock.unlock();
              step_at(earliest(Clock::now() + pause_, grace_end_));
              return;
            }
          }
          phase_ = Phase::draining;
          continue;
        }
        case Phase::draining: {
          if (s_->out.eof && s_->err.eof && s_->stdin_closed) {
            lock.unlock();
            complete(nullptr, {});
            return;
          }
          bool abandon = false;
          auto next = drain_locked(abandon);
          lock.unlock();
          if (abandon) s_->abandon_outputs();
          step_at(next);
          return;
        }
      }
    }
  }

  Phase phase_ = Phase::begin;
  std::optional<Clock::time_point> grace_end_;
  Clock::time_point kill_end_{};
  std::chrono::microseconds pause_{50};
};

template <typename O, typename... Args>
AsyncCancel launch(Args&&... args) {
  auto op = std::make_shared<O>(std::forward<Args>(args)...);
  op->start();
  return [weak = std::weak_ptr<O>(op)] {
    if (auto o = weak.lock()) o->cancel();
  };
}

std::shared_ptr<ProcessState> state_of(const Process& p) {
  auto s = ProcessAccess::shared_state(p);
  if (!s) throw ProcessNotRunError("this Process was moved from");
  return s;
}

}  // namespace

AsyncCancel start_join(Process& p, std::optional<std::chrono::milliseconds> timeout, int read,
                       AsyncDone done) {
  return launch<JoinOp>(state_of(p), timeout, read, std::move(done));
}

AsyncCancel start_expect(Process& p, std::string_view text, std::chrono::milliseconds timeout,
                         bool is_stdout, AsyncDone done) {
  return launch<ExpectOp>(state_of(p), text_request(text, is_stdout), timeout, std::move(done));
}

AsyncCancel start_read_line(Process& p, std::chrono::milliseconds timeout, bool is_stdout,
                            AsyncDone done) {
  auto s = state_of(p);
  auto finish = [s, done = std::move(done)](const std::exception_ptr& e, std::string line) {
    done(e, e ? std::string() : finish_line(*s, std::move(line)));
  };
  return launch<ExpectOp>(s, line_request(is_stdout), timeout, std::move(finish));
}

AsyncCancel start_expect_regex(Process& p, const std::regex& re, std::string what,
                               std::chrono::milliseconds timeout, bool is_stdout,
                               AsyncMatchDone done) {
  auto result = std::make_shared<ExpectMatch>();
  auto finish = [result, done = std::move(done)](const std::exception_ptr& e,
                                                 const std::string& consumed) {
    if (e) return done(e, ExpectMatch());
    ProcessAccess::set_prefix(*result, consumed.substr(0, consumed.size() - result->length(0)));
    done(nullptr, std::move(*result));
  };
  return launch<ExpectOp>(state_of(p), regex_request(re, std::move(what), is_stdout, result),
                          timeout, std::move(finish));
}

AsyncCancel start_close(Process& p, AsyncDone done) {
  return launch<CloseOp>(state_of(p), std::move(done));
}

std::string regex_text(const Regex& re) { return regex_what(re); }
std::string unknown_regex_text() { return kUnknownRegex; }

}  // namespace proctest::detail
