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
  const std::size_t reservation = 7 * kMiB + kMiB / 2;  // no power of two: growth would not hit it
  CaptureBuffer b(reservation);
  const std::string bytes = test::pattern(7 * kMiB + 5);
  append_all(b, bytes.substr(0, kMiB + 1), 64 * 1024);  // just past the head limit
  ASSERT_TRUE(b.assembled());
  const char* where = b.str().data();
  EXPECT_EQ(b.str().capacity(), reservation) << "reserved once, on passing 1 MiB";
  append_all(b, bytes.substr(kMiB + 1), 64 * 1024);
  EXPECT_TRUE(b.assembled()) << "no chunks: every byte went to the string";
  EXPECT_EQ(b.str().data(), where) << "never moved: each byte written once";
  EXPECT_EQ(b.str().capacity(), reservation);
  EXPECT_TRUE(b.str() == bytes);  // not EXPECT_EQ: no 7 MiB diff on failure
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
  const std::size_t reservation = 5 * kMiB + kMiB / 2;
  const std::string bytes = test::pattern(4 * kMiB);
  CaptureBuffer a(reservation);
  append_all(a, bytes.substr(0, kMiB / 2), 64 * 1024);  // not reserved yet
  CaptureBuffer b(std::move(a));
  EXPECT_EQ(a.size(), 0u);
  append_all(b, bytes.substr(kMiB / 2, kMiB), 64 * 1024);  // passes 1 MiB: reserves now
  EXPECT_EQ(b.str().capacity(), reservation);
  CaptureBuffer c(0);
  c = std::move(b);
  append_all(c, bytes.substr(3 * kMiB / 2), 64 * 1024);
  EXPECT_TRUE(c.assembled()) << "still within the moved reservation";
  EXPECT_EQ(c.str().capacity(), reservation);
  EXPECT_TRUE(c.str() == bytes);
}

}  // namespace
}  // namespace proctest::detail
