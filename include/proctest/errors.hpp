// proctest — errors thrown when proctest cannot do what was asked.
//
// What the child did (its exit code, the signal that ended it) is data in
// ExitStatus, never an exception. An exception means proctest itself could
// not do what the test asked: start the program, wait within a deadline, read
// a stream that was not captured, and so on.
#ifndef PROCTEST_ERRORS_HPP
#define PROCTEST_ERRORS_HPP

#include <stdexcept>
#include <string>

namespace proctest {

/// Base of every proctest error; `what()` names the command line and the cause.
///
/// **Example**: `cannot run '/opt/x': No such file or directory`.
class ProcessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An operation needs a started process, and `run()` was not called (or the
/// Process was moved from).
class ProcessNotRunError : public ProcessError {
 public:
  using ProcessError::ProcessError;
};

/// `run()` was called on a Process that has already been run.
class ProcessAlreadyRunError : public ProcessError {
 public:
  using ProcessError::ProcessError;
};

/// A stream was used that the Options did not set up for it: `output()` when
/// stdout is not captured, `write()` without `Input::pipe()`, `write()` after
/// `close_stdin()`.
class ProcessInvalidStreamError : public ProcessError {
 public:
  using ProcessError::ProcessError;
};

/// A wait did not finish within its deadline. The process is left running
/// (and `status().timed_out()` becomes true).
///
/// **Example**: `'sleep 30' did not exit within 200 ms`.
class ProcessTimeoutError : public ProcessError {
 public:
  using ProcessError::ProcessError;
};

}  // namespace proctest

#endif  // PROCTEST_ERRORS_HPP
