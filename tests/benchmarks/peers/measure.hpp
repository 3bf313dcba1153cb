// What every C++ harness of the peer benchmark measures around a timed block,
// and the one JSON line it prints (the same fields as peer.py, main.rs and
// main.go; run.py reads them).
#ifndef PROCTEST_PEERS_MEASURE_HPP
#define PROCTEST_PEERS_MEASURE_HPP

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace peers {

using Clock = std::chrono::steady_clock;

inline double seconds(struct timeval tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A field of /proc/self/status in bytes ("VmRSS", "VmHWM"); 0 if absent.
inline long long status_bytes(const std::string& key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, key.size() + 1, key + ":") == 0)
      return std::stoll(line.substr(key.size() + 1)) * 1024;
  }
  return 0;
}

// The canned stdin of case i of workload (a); unique per case.
inline std::string case_input(long i) {
  return "case " + std::to_string(i) + " of the peer suite\n";
}

// Byte i of workload (c)'s stdin, as lean_pump expects it.
inline std::string pump_input(std::size_t size) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + i % 26);
  return data;
}

// Wall time, this process's CPU (all its threads), its reaped children's
// CPU, context switches and the peak memory the block added: VmHWM is reset
// to VmRSS (clear_refs 5) at the start, so peak = VmHWM after - VmRSS before.
class Measure {
 public:
  Measure() {
    std::ofstream("/proc/self/clear_refs") << "5";
    rss_before_ = status_bytes("VmRSS");
    ::getrusage(RUSAGE_SELF, &self_);
    ::getrusage(RUSAGE_CHILDREN, &children_);
    start_ = Clock::now();
  }

  // Stops the clock and the counters (call once, right after the block).
  void stop() {
    wall_ = seconds_since(start_);
    struct rusage self_end {};
    struct rusage children_end {};
    ::getrusage(RUSAGE_SELF, &self_end);
    ::getrusage(RUSAGE_CHILDREN, &children_end);
    user_ = seconds(self_end.ru_utime) - seconds(self_.ru_utime);
    sys_ = seconds(self_end.ru_stime) - seconds(self_.ru_stime);
    child_user_ = seconds(children_end.ru_utime) - seconds(children_.ru_utime);
    child_sys_ = seconds(children_end.ru_stime) - seconds(children_.ru_stime);
    nvcsw_ = self_end.ru_nvcsw - self_.ru_nvcsw;
    nivcsw_ = self_end.ru_nivcsw - self_.ru_nivcsw;
    peak_ = status_bytes("VmHWM") - rss_before_;
  }

  // The JSON line: `n` operations, `bytes` moved per operation, the walls
  // of sub-blocks (workload a) or of single operations (workload d).
  void print(const std::string& harness, const std::string& workload, long n, long long bytes,
             const std::vector<double>& parts, bool ok, const std::string& error) const {
    std::string out = "{\"harness\": \"" + harness + "\", \"workload\": \"" + workload +
                      "\", \"ok\": " + (ok ? "true" : "false") + ", \"n\": " + std::to_string(n) +
                      ", \"bytes\": " + std::to_string(bytes);
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  ", \"wall_s\": %.9f, \"user_s\": %.6f, \"sys_s\": %.6f, \"child_user_s\": "
                  "%.6f, \"child_sys_s\": %.6f, \"nvcsw\": %ld, \"nivcsw\": %ld, "
                  "\"peak_added_bytes\": %lld",
                  wall_, user_, sys_, child_user_, child_sys_, nvcsw_, nivcsw_, peak_);
    out += buf;
    out += ", \"parts_s\": [";
    for (std::size_t i = 0; i < parts.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%s%.9f", i ? ", " : "", parts[i]);
      out += buf;
    }
    out += "], \"error\": \"";
    for (char c : error) out += (c == '"' || c == '\\') ? '\'' : (c == '\n' ? ' ' : c);
    out += "\"}\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  Clock::time_point start_;
  struct rusage self_ {};
  struct rusage children_ {};
  long long rss_before_ = 0;
  double wall_ = 0, user_ = 0, sys_ = 0, child_user_ = 0, child_sys_ = 0;
  long nvcsw_ = 0, nivcsw_ = 0;
  long long peak_ = 0;
};

}  // namespace peers

#endif  // PROCTEST_PEERS_MEASURE_HPP
