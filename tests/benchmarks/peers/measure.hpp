// What every C++ harness of the peer benchmark measures around a timed block,
// and the one JSON line it prints (the same fields as peer.py, main.rs and
// main.go; run.py reads them).
#ifndef PROCTEST_PEERS_MEASURE_HPP
#define PROCTEST_PEERS_MEASURE_HPP

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
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

// One thread's counters: CPU time on a core (schedstat, ns) and voluntary /
// involuntary context switches.
struct ThreadCounters {
  std::string name;
  long long cpu_ns = 0;
  long long nvcsw = 0;
  long long nivcsw = 0;
};

// Every thread of this process now, by thread id.
inline std::map<int, ThreadCounters> thread_counters() {
  std::map<int, ThreadCounters> threads;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    ThreadCounters t;
    std::ifstream(task.path() / "comm") >> t.name;
    std::ifstream(task.path() / "schedstat") >> t.cpu_ns;
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) t.nvcsw = std::stoll(line.substr(24));
      if (line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) t.nivcsw = std::stoll(line.substr(27));
    }
    threads[std::stoi(task.path().filename().string())] = t;
  }
  return threads;
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
    threads_ = thread_counters();
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
    // Per thread, what the block added (a thread started during the block
    // counts from zero; one that ended during it is missing).
    auto start = threads_;
    threads_.clear();
    for (auto& [tid, t] : thread_counters()) {
      auto it = start.find(tid);
      if (it != start.end()) {
        t.cpu_ns -= it->second.cpu_ns;
        t.nvcsw -= it->second.nvcsw;
        t.nivcsw -= it->second.nivcsw;
      }
      threads_[tid] = t;
    }
  }

  // The JSON line: `n` operations, `bytes` moved per operation, the walls
  // of sub-blocks (workload a) or of single operations (workload d).
  void print(const std::string& harness, const std::string& workload, long n, long long bytes,
             const std::vector<double>& parts, bool ok, const std::string& error) const {
    std::string out = "{\"pid\": " + std::to_string(::getpid()) + ", \"harness\": \"" + harness +
                      "\", \"workload\": \"" + workload + "\", \"ok\": " + (ok ? "true" : "false") +
                      ", \"n\": " + std::to_string(n) + ", \"bytes\": " + std::to_string(bytes);
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
    out += "], \"threads\": [";
    bool first = true;
    for (const auto& [tid, t] : threads_) {
      std::snprintf(buf, sizeof buf,
                    "%s{\"name\": \"%s\", \"cpu_s\": %.6f, \"nvcsw\": %lld, \"nivcsw\": %lld}",
                    first ? "" : ", ", t.name.c_str(), static_cast<double>(t.cpu_ns) * 1e-9,
                    t.nvcsw, t.nivcsw);
      out += buf;
      first = false;
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
  std::map<int, ThreadCounters> threads_;
};

}  // namespace peers

#endif  // PROCTEST_PEERS_MEASURE_HPP
