// One captured output stream (stdout or stderr) as the caller side sees it:
// its bytes, what was dropped, whether it ended, the expect() cursor. Every
// member is used under the owning ProcessState's lock.
#ifndef PROCTEST_SRC_STATE_OUTPUT_STREAM_HPP
#define PROCTEST_SRC_STATE_OUTPUT_STREAM_HPP

#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "state/capture_buffer.hpp"

namespace proctest::detail {

class OutputStream {
 public:
  /// Not captured (or not yet started): no bytes, ended.
  OutputStream() = default;

  // --- what it holds --------------------------------------------------------
  std::size_t size() const noexcept { return bytes_.size(); }
  /// Bytes read but not kept (Options::capture_limit, or out of memory).
  std::size_t dropped() const noexcept { return dropped_; }
  /// No more bytes will come: end of file, or not captured at all.
  bool ended() const noexcept { return ended_; }
  /// Replaces `out` with bytes [from, to), clamped. Throws std::bad_alloc.
  void copy(std::size_t from, std::size_t to, std::string& out) const {
    bytes_.copy_to(from, to, out);
  }

  // --- the loop side ---------------------------------------------------------
  /// A pipe was handed to the loop: bytes will come until end().
  void open() noexcept { ended_ = false; }
  /// Keeps what `limit` allows of `n` bytes; the rest is counted as dropped.
  void append(const char* data, std::size_t n, std::size_t limit) noexcept;
  /// End of file (or the pipe was abandoned).
  void end() noexcept { ended_ = true; }

  // --- the expect() cursor ----------------------------------------------------
  std::size_t cursor() const noexcept { return cursor_; }
  /// Moves the cursor forward to `to` (never back).
  void consume_to(std::size_t to) noexcept {
    if (to > cursor_) cursor_ = to;
  }
  /// Bytes expect() and read_line() have looked at, in all (for tests).
  std::size_t searched() const noexcept { return searched_; }
  void count_searched(std::size_t n) noexcept { searched_ += n; }

  // --- handing the bytes out ----------------------------------------------------
  /// All the bytes as one string, stable until the stream's owner is
  /// destroyed; only once ended(). Assembling a large capture happens
  /// outside `lock` (the loop would wait for it), and other readers wait on
  /// `changed` meanwhile. Throws std::bad_alloc (the bytes stay as they were).
  const std::string& whole(std::unique_lock<std::mutex>& lock, std::condition_variable& changed);
  /// A copy of what it holds now, for any number of threads at once.
  std::string snapshot(std::unique_lock<std::mutex>& lock, std::condition_variable& changed) const;
  /// The calling thread's own snapshot, stable until its next call.
  const std::string& thread_snapshot(std::unique_lock<std::mutex>& lock,
                                     std::condition_variable& changed);

 private:
  void wait_assembled(std::unique_lock<std::mutex>& lock, std::condition_variable& changed) const;

  CaptureBuffer bytes_;
  std::size_t dropped_ = 0;
  bool ended_ = true;
  // A caller folds `bytes_` into one string outside the lock: it is moved
  // out meanwhile, so readers wait until this is false again.
  bool assembling_ = false;
  std::size_t cursor_ = 0;
  std::size_t searched_ = 0;
  std::map<std::thread::id, std::string> published_;
};

}  // namespace proctest::detail

#endif
