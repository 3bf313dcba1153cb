#include "state/capture_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

#include "platform/platform.hpp"

namespace proctest::detail {

std::size_t CaptureBuffer::platform_reservation() noexcept {
  return platform::capture_reservation();
}

CaptureBuffer::CaptureBuffer(CaptureBuffer&& other) noexcept
    : reservation_(other.reservation_),
      reserved_(other.reserved_),
      head_(std::move(other.head_)),
      chunks_(std::move(other.chunks_)),
      size_(std::exchange(other.size_, 0)) {
  other.head_.clear();
  other.chunks_.clear();
}

CaptureBuffer& CaptureBuffer::operator=(CaptureBuffer&& other) noexcept {
  if (this != &other) {
    release_chunks();
    reservation_ = other.reservation_;
    reserved_ = other.reserved_;
    head_ = std::move(other.head_);
    chunks_ = std::move(other.chunks_);
    size_ = std::exchange(other.size_, 0);
    other.head_.clear();
    other.chunks_.clear();
  }
  return *this;
}

CaptureBuffer::~CaptureBuffer() { release_chunks(); }

void CaptureBuffer::release_chunks() noexcept {
  for (const Chunk& c : chunks_) platform::release_chunk(c.data, kChunkSize);
  chunks_.clear();
}

std::size_t CaptureBuffer::append(const char* data, std::size_t n) noexcept {
  std::size_t kept = 0;
  try {
    if (chunks_.empty() && head_.size() + n > kHeadLimit && !reserved_) {
      reserved_ = true;
      if (reservation_ > head_.capacity()) {
        try {
          head_.reserve(reservation_);
        } catch (const std::bad_alloc&) {
          // No such address space to spare: chunks, below.
        } catch (const std::length_error&) {
          // Beyond the string's max_size(): chunks too.
        }
      }
    }
    if (chunks_.empty() &&
        (head_.size() + n <= head_.capacity() || head_.size() + n <= kHeadLimit)) {
      head_.append(data, n);
      size_ += n;
      return n;
    }
    while (kept < n) {
      if (chunks_.empty() || chunks_.back().used == kChunkSize) {
        chunks_.reserve(chunks_.size() + 1);  // before mapping, so a throw leaks nothing
        // Mapped directly, not malloc'ed: a released chunk is returned to the
        // system at once, which is what bounds the peak while assembling.
        char* mem = platform::allocate_chunk(kChunkSize);
        if (!mem) return kept;
        chunks_.push_back({mem, 0});
      }
      Chunk& c = chunks_.back();
      std::size_t k = std::min(n - kept, kChunkSize - c.used);
      std::memcpy(c.data + c.used, data + kept, k);
      c.used += k;
      kept += k;
      size_ += k;
    }
  } catch (const std::bad_alloc&) {
    // Out of memory: the caller counts what was not kept as dropped.
  }
  return kept;
}

void CaptureBuffer::copy_to(std::size_t from, std::size_t to, std::string& out) const {
  to = std::min(to, size_);
  out.clear();
  if (from >= to) return;
  out.reserve(to - from);
  // The head holds the first head_.size() bytes, then the chunks in order.
  std::size_t at = 0;
  auto take = [&](const char* data, std::size_t n) {
    std::size_t lo = std::max(from, at), hi = std::min(to, at + n);
    if (lo < hi) out.append(data + (lo - at), hi - lo);
    at += n;
  };
  take(head_.data(), head_.size());
  for (const Chunk& c : chunks_) {
    if (at >= to) break;
    take(c.data, c.used);
  }
}

void CaptureBuffer::assemble() {
  if (chunks_.empty()) return;
  head_.reserve(size_);  // the only step that can throw; nothing changed yet
  for (Chunk& c : chunks_) {
    head_.append(c.data, c.used);
    platform::release_chunk(c.data, kChunkSize);
    c.data = nullptr;
  }
  chunks_.clear();
}

}  // namespace proctest::detail
