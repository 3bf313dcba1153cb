// The capture's storage (src/state/capture_buffer.hpp): bulk output written
// once into a reserved string; past the reservation, chunks assembled exactly.
#include "state/capture_buffer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support.hpp"

namespace proctest::detail {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

// Appends `bytes` in pieces of `piece` bytes, as the loop's reads would.
void append_all(CaptureBuffer& b, const std::string& bytes, std::size_t piece) {
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    const std::size_t n = std::min(piece, bytes.size() - at);
    ASSERT_EQ(b.append(bytes.data() + at, n), n);
  }
}

TEST(CaptureBuffer, BulkOutputLandsInTheReservedStringWithoutAnotherCopy) {
  CaptureBuffer b(8 * kMiB);
  const std::string bytes = test::pattern(7 * kMiB + 5);
  append_all(b, bytes, 64 * 1024);
  EXPECT_TRUE(b.assembled()) << "no chunks: every byte went to the string";
  const char* where = b.str().data();
  EXPECT_EQ(b.str().capacity(), 8 * kMiB) << "reserved once, never grown";
  EXPECT_TRUE(b.str() == bytes);  // not EXPECT_EQ: no 7 MiB diff on failure
  EXPECT_EQ(b.str().data(), where);
}

TEST(CaptureBuffer, PastTheReservationBytesGoToChunksAndAreAssembledExactly) {
  CaptureBuffer b(2 * kMiB);
  const std::string bytes = test::pattern(11 * kMiB + 3);
  append_all(b, bytes, 1000 * 1000);  // pieces that straddle every boundary
  EXPECT_EQ(b.size(), bytes.size());
  EXPECT_FALSE(b.assembled());
  std::string part;
  for (std::size_t from : {std::size_t{0}, kMiB - 1, 2 * kMiB - 7, 6 * kMiB + 1}) {
    b.copy_to(from, from + 3 * kMiB, part);
    EXPECT_TRUE(part == bytes.substr(from, 3 * kMiB)) << "from " << from;
  }
  b.copy_to(10 * kMiB, 99 * kMiB, part);
  EXPECT_TRUE(part == bytes.substr(10 * kMiB)) << "clamped to the size";
  EXPECT_TRUE(b.str() == bytes);
  EXPECT_TRUE(b.assembled());
}

TEST(CaptureBuffer, WithoutAReservationBulkOutputGoesToChunks) {
  CaptureBuffer b(0);  // Windows: a reservation would be committed memory
  const std::string bytes = test::pattern(9 * kMiB);
  append_all(b, bytes, 64 * 1024);
  EXPECT_FALSE(b.assembled());
  EXPECT_TRUE(b.str() == bytes);
}

TEST(CaptureBuffer, AMovedBufferKeepsItsBytesAndItsReservation) {
  CaptureBuffer a(4 * kMiB);
  const std::string bytes = test::pattern(3 * kMiB);
  append_all(a, bytes, 64 * 1024);
  CaptureBuffer b(std::move(a));
  EXPECT_EQ(a.size(), 0u);
  const std::string more = test::pattern(kMiB / 2);
  append_all(b, more, 64 * 1024);
  EXPECT_TRUE(b.assembled()) << "still within the reservation";
  EXPECT_TRUE(b.str() == bytes + more);
}

}  // namespace
}  // namespace proctest::detail
