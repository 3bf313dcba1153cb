#include "state/output_stream.hpp"

#include <algorithm>
#include <new>

namespace proctest::detail {

void OutputStream::append(const char* data, std::size_t n, std::size_t limit) noexcept {
  std::size_t room = limit > bytes_.size() ? limit - bytes_.size() : 0;
  // Fewer kept than offered when out of memory: counted as dropped too.
  std::size_t kept = bytes_.append(data, std::min(n, room));
  dropped_ += n - kept;
}

void OutputStream::wait_assembled(std::unique_lock<std::mutex>& lock,
                                  std::condition_variable& changed) const {
  changed.wait(lock, [&] { return !assembling_; });
}

const std::string& OutputStream::whole(std::unique_lock<std::mutex>& lock,
                                       std::condition_variable& changed) {
  wait_assembled(lock, changed);
  if (!bytes_.assembled()) {
    // Not under the lock, which the loop thread would otherwise wait for,
    // stalling every Process. The loop never touches the bytes after end of
    // file.
    assembling_ = true;
    CaptureBuffer pending = std::move(bytes_);
    lock.unlock();
    bool failed = false;
    try {
      pending.assemble();
    } catch (...) {
      failed = true;  // bad_alloc: the chunks are kept as they were
    }
    lock.lock();
    bytes_ = std::move(pending);
    assembling_ = false;
    changed.notify_all();
    if (failed) throw std::bad_alloc();
  }
  return bytes_.str();
}

std::string OutputStream::snapshot(std::unique_lock<std::mutex>& lock,
                                   std::condition_variable& changed) const {
  wait_assembled(lock, changed);
  std::string copy;
  bytes_.copy_to(0, bytes_.size(), copy);
  return copy;
}

const std::string& OutputStream::thread_snapshot(std::unique_lock<std::mutex>& lock,
                                                 std::condition_variable& changed) {
  wait_assembled(lock, changed);
  std::string& mine = published_[std::this_thread::get_id()];
  bytes_.copy_to(0, bytes_.size(), mine);
  return mine;
}

}  // namespace proctest::detail
