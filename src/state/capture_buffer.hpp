// The bytes of one captured stream, stored so that each byte is copied as
// few times as possible and the peak memory stays near the captured size.
#ifndef PROCTEST_SRC_STATE_CAPTURE_BUFFER_HPP
#define PROCTEST_SRC_STATE_CAPTURE_BUFFER_HPP

#include <cstddef>
#include <string>
#include <vector>

namespace proctest::detail {

/// Small output is a plain std::string. Past kHeadLimit the string is
/// reserved once to `reservation` bytes (platform::capture_reservation():
/// address space, whose pages cost memory only when written), so bulk output
/// lands in its final place, written once; the peak is the size. Past the
/// reservation, or without one, bytes go to separately mapped chunks instead:
/// growing a std::string copies it into a buffer twice its capacity while the
/// old one is still held, up to 2x the captured size in memory and a copy of
/// all of it. The chunks are assembled once, into a string reserved to the
/// final size, each chunk returned to the system as soon as it is copied: the
/// peak is the size plus one chunk, plus the reserved head while it is copied
/// when a reservation was outgrown (the head's bytes are then written twice).
/// Move-only; not synchronized (its owner's lock guards it).
class CaptureBuffer {
 public:
  static constexpr std::size_t kHeadLimit = std::size_t{1} << 20;
  static constexpr std::size_t kChunkSize = std::size_t{4} << 20;

  /// `reservation`: see the class comment (tests pass a small one).
  explicit CaptureBuffer(std::size_t reservation = platform_reservation())
      : reservation_(reservation) {}
  CaptureBuffer(CaptureBuffer&& other) noexcept;
  CaptureBuffer& operator=(CaptureBuffer&& other) noexcept;
  CaptureBuffer(const CaptureBuffer&) = delete;
  CaptureBuffer& operator=(const CaptureBuffer&) = delete;
  ~CaptureBuffer();

  std::size_t size() const noexcept { return size_; }
  /// Appends and returns how many bytes were kept: fewer than `n` only when
  /// out of memory.
  std::size_t append(const char* data, std::size_t n) noexcept;
  /// Folds the chunks into the string. Throws std::bad_alloc (then unchanged).
  void assemble();
  /// Replaces `out` with bytes [from, to) (clamped to size()), wherever they
  /// lie, without assembling. Throws std::bad_alloc.
  void copy_to(std::size_t from, std::size_t to, std::string& out) const;
  /// Whether str() is current without assembling.
  bool assembled() const noexcept { return chunks_.empty(); }
  /// All bytes as one string; assembles first.
  const std::string& str() {
    assemble();
    return head_;
  }

 private:
  struct Chunk {
    char* data;
    std::size_t used;
  };
  void release_chunks() noexcept;
  static std::size_t platform_reservation() noexcept;

  std::size_t reservation_;
  bool reserved_ = false;  // the reservation was tried
  std::string head_;
  std::vector<Chunk> chunks_;  // each kChunkSize bytes, from platform::allocate_chunk
  std::size_t size_ = 0;
};

}  // namespace proctest::detail

#endif
