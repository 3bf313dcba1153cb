// Only the three standard handles reach the child (PROC_THREAD_ATTRIBUTE_HANDLE_LIST),
// whatever else this process holds inheritable at the time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "platform/windows/command_line.hpp"
#include "platform/windows/handle.hpp"
#include "platform/windows/spawn.hpp"
#include "platform/windows/unicode.hpp"
#include "support.hpp"

namespace w = proctest::detail::windows;
namespace t = proctest::test::windows;

namespace {

// An inheritable event: as another thread's pipe end would be, mid-spawn.
w::UniqueHandle inheritable_event() {
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
  return w::UniqueHandle(::CreateEventW(&sa, TRUE, FALSE, nullptr));
}

std::string value_of(HANDLE h) { return std::to_string(reinterpret_cast<std::uintptr_t>(h)); }

}  // namespace

TEST(HandleList, AnInheritableHandleNotInTheListStaysHere) {
  w::UniqueHandle stray = inheritable_event();
  ASSERT_TRUE(stray);
  t::RunResult r = t::run_child({"handles", value_of(stray.get())});
  EXPECT_EQ(r.out, value_of(stray.get()) + " closed\n");
}

TEST(HandleList, WithoutTheListItWouldLeak) {
  // The control: a plain CreateProcessW that inherits handles passes it on,
  // so the test above shows the list at work, not an accident.
  w::UniqueHandle stray = inheritable_event();
  std::string path = t::make_temp_dir() + "\\out.txt";
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
  w::UniqueHandle out(::CreateFileW(w::to_wide(path).c_str(), GENERIC_WRITE, FILE_SHARE_READ, &sa,
                                    CREATE_ALWAYS, 0, nullptr));
  std::wstring line = w::build_command_line(t::child_argv({"handles", value_of(stray.get())}));
  STARTUPINFOW si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdOutput = out.get();
  PROCESS_INFORMATION pi{};
  ASSERT_TRUE(::CreateProcessW(w::to_wide(t::child_path()).c_str(), line.data(), nullptr, nullptr,
                               TRUE, 0, nullptr, nullptr, &si, &pi));
  ::WaitForSingleObject(pi.hProcess, 30000);
  ::CloseHandle(pi.hThread);
  ::CloseHandle(pi.hProcess);
  out.reset();
  EXPECT_EQ(t::read_file(path), value_of(stray.get()) + " open\n");
}

TEST(HandleList, TheChildGetsItsOwnStandardHandles) {
  t::RunResult r = t::run_child({"console"});
  EXPECT_THAT(r.out, ::testing::HasSubstr("stdin pipe stdout pipe stderr pipe"));
}
