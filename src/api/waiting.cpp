// proctest::Process: everything that waits — join(), output()/error(), the
// expect() family, wait_for_output(), close() — each a machine of the
// engine run by the blocking driver.
#include "engine/expect.hpp"
#include "engine/join.hpp"
#include "engine/loop.hpp"
#include "engine/stop.hpp"
#include "proctest/process.hpp"
#include "state/process_state.hpp"

namespace proctest {

namespace {

using detail::drive;
using detail::ExpectMachine;
using detail::Lock;
using detail::ProcessState;
using detail::require_state;

detail::Found expect_on(ProcessState& s, std::chrono::milliseconds timeout,
                        detail::Request request) {
  Lock lock = s.lock();
  ExpectMachine m(s, std::move(request), timeout);
  drive(s, lock, m);
  return *m.found();
}

ExpectMatch expect_regex(ProcessState& s, const Regex& pattern, std::chrono::milliseconds timeout,
                         bool is_stdout) {
  auto result = std::make_shared<ExpectMatch>();
  detail::Found found = expect_on(s, timeout, detail::regex_request(pattern, is_stdout, result));
  detail::finish_regex(*result, found);
  return std::move(*result);
}

bool wait_until(ProcessState& s, const std::function<bool(const std::string&)>& done,
                std::chrono::milliseconds timeout, bool is_stdout) {
  Lock lock = s.lock();
  ExpectMachine m(s, detail::whole_request(done, is_stdout), timeout, ExpectMachine::Miss::no);
  drive(s, lock, m);
  return m.found().has_value();
}

}  // namespace

void Process::join(std::optional<std::chrono::milliseconds> timeout) {
  ProcessState& s = require_state(state_);
  Lock lock = s.lock();
  detail::JoinMachine m(s, timeout);
  drive(s, lock, m);
}

const std::string& Process::output(bool join) { return stream(true, join); }
const std::string& Process::error(bool join) { return stream(false, join); }

const std::string& Process::stream(bool is_stdout, bool join_first) {
  ProcessState& s = require_state(state_);
  {
    Lock lock = s.lock();
    s.require_started_locked();
  }
  s.require_captured(is_stdout);
  if (join_first) join();
  Lock lock = s.lock();
  detail::OutputStream& c = s.stream_locked(is_stdout);
  // After end of file the loop never touches the bytes again: the whole
  // string is stable. Before, each thread gets a snapshot of its own.
  if (!c.ended()) return c.thread_snapshot(lock, s.changed());
  return c.whole(lock, s.changed());
}

std::string Process::captured_output() const { return snapshot(true); }
std::string Process::captured_error() const { return snapshot(false); }

std::string Process::snapshot(bool is_stdout) const {
  ProcessState& s = require_state(state_);
  detail::Loop::refresh(s);  // a direct exchange nobody waits for: what came so far
  Lock lock = s.lock();
  s.require_started_locked();
  s.require_captured(is_stdout);
  return s.stream_locked(is_stdout).snapshot(lock, s.changed());
}

std::string Process::expect(std::string_view text, std::chrono::milliseconds timeout) {
  return expect_on(require_state(state_), timeout, detail::text_request(text, true)).consumed;
}

ExpectMatch Process::expect(const Regex& pattern, std::chrono::milliseconds timeout) {
  return expect_regex(require_state(state_), pattern, timeout, true);
}

std::string Process::read_line(std::chrono::milliseconds timeout) {
  ProcessState& s = require_state(state_);
  return detail::finish_line(expect_on(s, timeout, detail::line_request(true)).consumed);
}

std::string Process::expect_error(std::string_view text, std::chrono::milliseconds timeout) {
  return expect_on(require_state(state_), timeout, detail::text_request(text, false)).consumed;
}

ExpectMatch Process::expect_error(const Regex& pattern, std::chrono::milliseconds timeout) {
  return expect_regex(require_state(state_), pattern, timeout, false);
}

std::string Process::read_error_line(std::chrono::milliseconds timeout) {
  ProcessState& s = require_state(state_);
  return detail::finish_line(expect_on(s, timeout, detail::line_request(false)).consumed);
}

bool Process::wait_for_output(const std::function<bool(const std::string&)>& done,
                              std::chrono::milliseconds timeout) {
  return wait_until(require_state(state_), done, timeout, true);
}

bool Process::wait_for_error(const std::function<bool(const std::string&)>& done,
                             std::chrono::milliseconds timeout) {
  return wait_until(require_state(state_), done, timeout, false);
}

void Process::close() {
  // In a fork()ed copy of the process that ran it the child is the parent's:
  // checked before the lock, which a thread of the parent may have held at
  // the fork.
  if (!state_ || state_->run_elsewhere()) return;
  ProcessState& s = *state_;
  Lock lock = s.lock();
  detail::StopMachine m(s);
  drive(s, lock, m);
}

Process::~Process() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() throws only on allocation failure
    // and for a process that SIGKILL cannot end.
  }
}

}  // namespace proctest
