// The memory a piece of work added at its peak, for the benchmarks: measured
// with the kernel's own high-water mark rather than by sampling (a sample
// would miss a short peak).
#ifndef PROCTEST_TESTS_BENCHMARKS_PEAK_MEMORY_HPP
#define PROCTEST_TESTS_BENCHMARKS_PEAK_MEMORY_HPP

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace proctest::bench {

/// "VmHWM:  123 kB" -> bytes.
inline std::size_t status_field(const char* name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t len = std::strlen(name);
  while (std::getline(in, line)) {
    if (line.compare(0, len, name) == 0 && line.size() > len && line[len] == ':') {
      return std::stoull(line.substr(len + 1)) * 1024;
    }
  }
  throw std::runtime_error(std::string("no ") + name + " in /proc/self/status");
}

/// reset() before the work (`5` into /proc/self/clear_refs sets VmHWM to the
/// current VmRSS), added() after it: VmHWM minus the VmRSS at the reset.
class PeakMemory {
 public:
  void reset() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    if (!clear) throw std::runtime_error("cannot reset VmHWM via /proc/self/clear_refs");
    base_ = status_field("VmRSS");
  }
  std::size_t added() const {
    std::size_t hwm = status_field("VmHWM");
    return hwm > base_ ? hwm - base_ : 0;
  }

 private:
  std::size_t base_ = 0;
};

}  // namespace proctest::bench

#endif
