// Spawning and capture (src/platform/windows/spawn.hpp, async_child.hpp):
// output, input, exit codes, environment, working directory, lookup.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "platform/windows/async_child.hpp"
#include "platform/windows/console_ctrl.hpp"
#include "platform/windows/environment.hpp"
#include "platform/windows/spawn.hpp"
#include "platform/windows/unicode.hpp"
#include "support.hpp"

namespace w = proctest::detail::windows;
namespace t = proctest::test::windows;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  for (std::size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
    out.push_back(text.substr(begin, end - begin));
  }
  return out;
}

// A copy of the helper child at `dir`\`name` (UTF-8).
void copy_child(const std::string& dir, const std::string& name) {
  ::CreateDirectoryW(w::to_wide(dir).c_str(), nullptr);
  ASSERT_TRUE(::CopyFileW(w::to_wide(t::child_path()).c_str(),
                          w::to_wide(dir + "\\" + name).c_str(), FALSE));
}

}  // namespace

TEST(Spawn, CapturesStdoutAndStderrApartWithTheExitCode) {
  t::RunResult r = t::run_child({"print", "to out\\n", "to err\\n", "3"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3u);
  EXPECT_EQ(r.out, "to out\n");
  EXPECT_EQ(r.err, "to err\n");
}

TEST(Spawn, WritesStdinAndSeesEndOfFile) {
  t::RunResult r = t::run_child({"echo"}, std::string("hello\r\nworld\0x", 14));
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(r.out, std::string("hello\r\nworld\0x", 14));
}

TEST(Spawn, ExitCodesZeroTo255AreExact) {
  // Four threads, each a quarter of the codes: spawning is slow under Wine.
  std::vector<std::optional<std::uint32_t>> got(256);
  std::vector<std::thread> threads;
  for (unsigned first = 0; first < 4; ++first) {
    threads.emplace_back([&got, first] {
      for (unsigned code = first; code <= 255; code += 4) {
        got[code] = t::run_child({"exit", std::to_string(code)}).exit_code;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (unsigned code = 0; code <= 255; ++code) EXPECT_EQ(got[code], code);
}

TEST(Spawn, Large32BitExitCodesAreExact) {
  // 259 is STILL_ACTIVE: an exited child with it must not read as running.
  for (std::uint32_t code : {256u, 259u, 65535u, 0x7FFFFFFFu, 0x80000000u, 0xC0000005u, 0xDEADBEEFu,
                             0xFFFFFFFEu, 0xFFFFFFFFu}) {
    t::RunResult r = t::run_child({"exit", std::to_string(code)});
    EXPECT_EQ(r.exit_code, code) << std::hex << code;
  }
}

TEST(Spawn, AGivenEnvironmentIsTheWholeEnvironmentSorted) {
  w::SpawnRequest r;
  r.argv = t::child_argv({"env-block"});
  r.environment = w::Environment::from_entries({"zeta=1", "Alpha=2", "beta=3", "A0=4", "A=5"});
  t::RunResult result = t::run(r);
  EXPECT_EQ(result.exit_code, 0u);
  std::vector<std::string> got = lines(result.out);
  if (!w::wine_version().empty()) {
    // Wine appends its own: WINE*, SystemDrive, SystemRoot (after the block).
    while (got.size() > 5 &&
           (got.back().rfind("WINE", 0) == 0 || got.back().rfind("SystemDrive=", 0) == 0 ||
            got.back().rfind("SystemRoot=", 0) == 0)) {
      got.pop_back();
    }
  }
  EXPECT_THAT(got, ElementsAreArray({"A=5", "A0=4", "Alpha=2", "beta=3", "zeta=1"}));
}

TEST(Spawn, EnvironmentOverridesIgnoreCase) {
  w::SpawnRequest r;
  r.argv = t::child_argv({"env", "PATH", "Path", "UNSET_ONE", "gr\xC3\xBC\xC3\x9F"});
  w::Environment env = w::Environment::current();
  env.set("PaTh", "C:\\only");
  env.set("GR\xC3\x9C\xC3\x9F", "\xE6\x97\xA5");
  env.remove("unset_one");
  r.environment = env;
  t::RunResult result = t::run(r);
  EXPECT_EQ(result.exit_code, 0u);
  EXPECT_EQ(result.out,
            "PATH=C:\\only\nPath=C:\\only\nUNSET_ONE unset\ngr\xC3\xBC\xC3\x9F=\xE6\x97\xA5\n");
}

TEST(Spawn, InheritsTheParentsEnvironmentByDefault) {
  ASSERT_TRUE(::SetEnvironmentVariableW(L"PROCTEST_INHERITED", L"yes"));
  t::RunResult r = t::run_child({"env", "PROCTEST_INHERITED"});
  ::SetEnvironmentVariableW(L"PROCTEST_INHERITED", nullptr);
  EXPECT_EQ(r.out, "PROCTEST_INHERITED=yes\n");
}

TEST(Spawn, RunsInTheGivenWorkingDirectory) {
  std::string dir = t::make_temp_dir() +
                    "\\sp\xC3\xA4"
                    "ce d\xC3\xAE"
                    "r";
  ASSERT_TRUE(::CreateDirectoryW(w::to_wide(dir).c_str(), nullptr));
  w::SpawnRequest r;
  r.argv = t::child_argv({"cwd"});
  r.cwd = dir;
  t::RunResult result = t::run(r);
  EXPECT_EQ(result.exit_code, 0u);
  EXPECT_TRUE(w::same_name(w::to_wide(result.out), w::to_wide(dir + "\n"))) << result.out;
}

TEST(Spawn, ARelativeProgramPathIsInTheWorkingDirectoryWithPathext) {
  std::string dir = t::make_temp_dir();
  copy_child(dir + "\\sub", "tool.exe");
  w::SpawnRequest r;
  r.argv = {"sub\\tool", "exit", "7"};
  r.cwd = dir;
  EXPECT_EQ(t::run(r).exit_code, 7u);
}

TEST(Spawn, FindsANameInTheChildsPathWithPathext) {
  std::string dir = t::make_temp_dir();
  copy_child(dir + "\\bin", "mytool.exe");
  w::SpawnRequest r;
  r.argv = {"mytool", "exit", "5"};
  r.environment = w::Environment::current();
  r.environment->set("Path", "C:\\nonexistent;" + dir + "\\bin");
  r.environment->set("PATHEXT", ".COM;.EXE");
  EXPECT_EQ(t::run(r).exit_code, 5u);
}

TEST(Spawn, ExitCodeIsEmptyWhileRunning) {
  w::SpawnRequest r;
  r.argv = t::child_argv({"pause"});
  w::SpawnedChild child = w::spawn(r);
  EXPECT_THAT(t::read_pipe(child.stdout_pipe.get(), "ready\n", std::chrono::seconds(30)).text,
              HasSubstr("ready"));
  EXPECT_EQ(w::exit_code(child.process.get()), std::nullopt);
  ASSERT_TRUE(child.job.terminate(9));
  ASSERT_EQ(::WaitForSingleObject(child.process.get(), 30000), WAIT_OBJECT_0);
  EXPECT_EQ(w::exit_code(child.process.get()), 9u);
}
