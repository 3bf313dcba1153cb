// Failure messages on large outputs (argument: MB of output, 100 MB by
// default in the measured runs): how long a failed expectation takes to
// build its message, how large that message is, and the peak memory it adds.
//
//   BM_StringMatcherOnOutput  EXPECT_THAT(p.output(), HasSubstr(...)): gMock
//                             prints the whole std::string
//   BM_StdoutThatOnProcess    EXPECT_THAT(p, StdoutThat(HasSubstr(...))): the
//                             process's excerpt
//   BM_LinesOnProcess         EXPECT_THAT(p, StdoutThat(Lines(SizeIs(0)))): a
//                             line of 2 bytes ("x\n"), so MB/2 million lines
//
// Each builds the message EXPECT_THAT would print, as gMock does, without
// failing anything. Counters: message_bytes, peak_per_byte (added memory /
// output bytes).
//
//   build/tests/benchmarks/proctest_report_bench --benchmark_filter=/100
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "peak_memory.hpp"
#include "proctest/matchers.hpp"

namespace {

using proctest::bench::PeakMemory;
constexpr std::size_t kMB = 1000 * 1000;

// A finished process whose stdout is `mb` MB of "x\n" lines.
proctest::Process& finished(std::size_t mb) {
  static std::size_t made = 0;
  static std::unique_ptr<proctest::Process> p;
  if (made != mb) {
    p = std::make_unique<proctest::Process>(
        std::vector<std::string>{"/bin/sh", "-c", "yes x | head -c " + std::to_string(mb * kMB)});
    p->run().join();
    made = mb;
  }
  return *p;
}

// The message EXPECT_THAT(value, matcher) builds when it fails.
template <typename T, typename M>
std::string failure_message(const char* text, const T& value, const M& matcher) {
  ::testing::AssertionResult r =
      ::testing::internal::MakePredicateFormatterFromMatcher(matcher)(text, value);
  if (r) throw std::logic_error("the expectation passed");
  return r.message();
}

template <typename F>
void measure(benchmark::State& state, F&& make_message) {
  const std::size_t bytes = static_cast<std::size_t>(state.range(0)) * kMB;
  std::size_t message = 0;
  double worst_peak = 0;
  PeakMemory peak;
  for (auto _ : state) {
    peak.reset();
    message = make_message().size();
    worst_peak =
        std::max(worst_peak, static_cast<double>(peak.added()) / static_cast<double>(bytes));
  }
  state.counters["message_bytes"] = static_cast<double>(message);
  state.counters["peak_per_byte"] = worst_peak;
}

void BM_StringMatcherOnOutput(benchmark::State& state) {
  proctest::Process& p = finished(static_cast<std::size_t>(state.range(0)));
  const std::string& out = p.output();
  measure(state, [&] { return failure_message("p.output()", out, ::testing::HasSubstr("done")); });
}

void BM_StdoutThatOnProcess(benchmark::State& state) {
  proctest::Process& p = finished(static_cast<std::size_t>(state.range(0)));
  measure(state, [&] {
    return failure_message("p", p, proctest::StdoutThat(::testing::HasSubstr("done")));
  });
}

void BM_LinesOnProcess(benchmark::State& state) {
  proctest::Process& p = finished(static_cast<std::size_t>(state.range(0)));
  measure(state, [&] {
    return failure_message("p", p, proctest::StdoutThat(proctest::Lines(::testing::SizeIs(0))));
  });
}

}  // namespace

BENCHMARK(BM_StringMatcherOnOutput)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_StdoutThatOnProcess)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_LinesOnProcess)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();
