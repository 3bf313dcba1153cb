// Per-test overhead of proctest::ProcessFixture: what a TEST_F that spawns
// `/bin/echo hi` and reads its output costs beyond a bare proctest::Process
// doing the same run.
//
// The fixture is driven without a GoogleTest runner: a subclass with an empty
// TestBody() calls SetUp() and TearDown() itself, in the order the runner
// would (construct, SetUp, body, TearDown, destroy). GoogleTest allows this:
// ::testing::Test can be constructed anywhere, and outside a running test
// HasFailure() reads the UnitTest's ad hoc result (no failure here) and
// current_test_info() is null, so the temp dir is named
// `proctest-test-XXXXXX` instead of `proctest-Suite.Name-XXXXXX` (same
// length class, same mkdtemp). What the runner itself adds per test (its
// listeners, the XML/JSON result) is GoogleTest's, not the fixture's, and not
// measured.
//
//   build-bench/tests/benchmarks/proctest_fixture_bench --benchmark_repetitions=7
//     --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "proctest/fixture.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// A TEST_F(EchoTest, ...) taken apart: the runner's steps are public here.
class EchoTest : public proctest::ProcessFixture {
 public:
  EchoTest() : ProcessFixture("/bin/echo") {}
  void set_up() { SetUp(); }
  void tear_down() { TearDown(); }
  // The test body: spawn the binary under test, read its output.
  bool body() { return spawn({"hi"}).output() == "hi\n"; }
  const std::filesystem::path& dir() { return temp_dir(); }

 private:
  void TestBody() override {}
};

bool bare_run() {
  proctest::Process p({"/bin/echo", "hi"});
  return p.run().output() == "hi\n";
}

// The temp dirs of the fixture tests run so far.
std::vector<std::filesystem::path>& removed_later() {
  static std::vector<std::filesystem::path> dirs;
  return dirs;
}

// Whether every fixture test's temp dir is gone, once the removals finished.
bool all_removed() {
  proctest::ProcessFixture::finish_temp_dir_removal();
  for (const auto& dir : removed_later()) {
    if (std::filesystem::exists(dir)) return false;
  }
  removed_later().clear();
  return true;
}

// One fixture test: construct, SetUp, body, TearDown, destroy. `phases`
// gets the time of set-up (construct, SetUp() and the temp dir, which is
// made on first use: here, rather than by the body's spawn), body and
// teardown (seconds).
bool fixture_run(double phases[3]) {
  auto t0 = Clock::now();
  bool ok = false;
  std::filesystem::path dir;
  {
    EchoTest test;
    test.set_up();
    dir = test.dir();
    auto t1 = Clock::now();
    ok = test.body();
    auto t2 = Clock::now();
    test.tear_down();
    phases[0] = std::chrono::duration<double>(t1 - t0).count();
    phases[1] = std::chrono::duration<double>(t2 - t1).count();
    phases[2] = seconds_since(t2);  // TearDown() and the destructor
  }
  // A passing test's temp dir is removed in the background: checked once the
  // removals are finished, after the benchmark (all_removed).
  removed_later().push_back(dir);
  return ok;
}

// A bare Process and a fixture test alternately, each timed on its own: load
// drift hits both halves of a pair alike, so the median of the per-pair
// ratios holds on a busy machine. Counters: the ratio, both medians, the
// median per-pair difference (the fixture's overhead in µs) and the median of
// each fixture phase.
void BM_FixturePairedRatio(benchmark::State& state) {
  std::vector<double> bare, fixture, ratio, extra, setup, body, teardown;
  for (auto _ : state) {
    auto start = Clock::now();
    if (!bare_run()) state.SkipWithError("wrong output");
    bare.push_back(seconds_since(start));
    double phases[3] = {};
    start = Clock::now();
    if (!fixture_run(phases)) state.SkipWithError("wrong output");
    fixture.push_back(seconds_since(start));
    ratio.push_back(fixture.back() / bare.back());
    extra.push_back(fixture.back() - bare.back());
    setup.push_back(phases[0]);
    body.push_back(phases[1]);
    teardown.push_back(phases[2]);
  }
  if (!all_removed()) state.SkipWithError("a temp dir was left");
  state.counters["ratio"] = median(ratio);
  state.counters["bare_us"] = median(bare) * 1e6;
  state.counters["fixture_us"] = median(fixture) * 1e6;
  state.counters["overhead_us"] = median(extra) * 1e6;
  state.counters["setup_us"] = median(setup) * 1e6;
  state.counters["body_us"] = median(body) * 1e6;
  state.counters["teardown_us"] = median(teardown) * 1e6;
}

// The fixture alone with no process at all: SetUp(), the temp dir (made on
// first use) and TearDown() (its hand-over), the floor of any test whose
// processes run in their temp dir.
void BM_FixtureEmptyTest(benchmark::State& state) {
  for (auto _ : state) {
    EchoTest test;
    test.set_up();
    removed_later().push_back(test.dir());
    test.tear_down();
  }
  if (!all_removed()) state.SkipWithError("a temp dir was left");
}

// A fixture test that never uses its temp dir (every spawn has its own cwd,
// or use_temp_dir_as_cwd(false)): SetUp() and TearDown() alone.
void BM_FixtureEmptyTestWithoutTempDir(benchmark::State& state) {
  for (auto _ : state) {
    EchoTest test;
    test.set_up();
    test.tear_down();
  }
}

}  // namespace

BENCHMARK(BM_FixturePairedRatio)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_FixtureEmptyTest)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_FixtureEmptyTestWithoutTempDir)->Unit(benchmark::kMicrosecond)->UseRealTime();

BENCHMARK_MAIN();
