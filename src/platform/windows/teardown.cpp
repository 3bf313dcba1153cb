// Teardown when the test process ends without running destructors.
//
// The kernel does most of it: every child's Job Object has
// JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, and the test process holds the only
// handle to it, so however the test process dies (exit, a crash, abort(),
// TerminateProcess from outside: what POSIX cannot cover for SIGKILL) its
// handles close and every tree still running ends at once. What this file
// adds is the polite step first, following the stop sequence's description
// (platform/stop_plan.hpp), at exit() and on the console's Ctrl-C,
// Ctrl-Break and close events: CTRL_BREAK_EVENT to each live child's group
// (or TerminateJobObject at once where it cannot be sent), its grace period
// capped, then TerminateJobObject for what is left.
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "platform/stop_plan.hpp"
#include "platform/windows/windows.hpp"
#include "proctest/signal_teardown.hpp"

namespace proctest::detail::windows {

namespace {

struct Entry {
  int pid;
  HANDLE job;                   // the child's, which unregisters it before closing it
  std::atomic<int>* delivered;  // the child's record of the signal it got
  bool tracked = false;
  int stop_signal = 15;
  std::chrono::milliseconds grace{1000};
};

// Leaked: the exit hook may run after static destructors began.
std::mutex& registry_mutex() {
  static auto* mutex = new std::mutex;
  return *mutex;
}
std::vector<Entry>& registry() {
  static auto* entries = new std::vector<Entry>;
  return *entries;
}

std::atomic<bool> g_enabled{true};
std::atomic<bool> g_installed{false};

bool job_empty(HANDLE job) {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
  return !::QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof info,
                                      nullptr) ||
         info.ActiveProcesses == 0;
}

// As close() does, for every child at once: the stop signal, each one's grace
// period (capped), TerminateJobObject for what is left, a bounded wait.
void stop_all() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<Entry>& entries = registry();
  for (const Entry& e : entries) {
    if (job_empty(e.job)) continue;
    *e.delivered = e.stop_signal;  // its status then says which signal ended it
    if (!send_break(static_cast<DWORD>(e.pid)))
      ::TerminateJobObject(e.job, kill_code(e.stop_signal));
  }
  std::vector<bool> killed(entries.size());
  const ULONGLONG start = ::GetTickCount64();
  const auto cap = stop_plan::kTeardownGraceCap.count();
  for (;;) {
    const auto elapsed = static_cast<long long>(::GetTickCount64() - start);
    bool alive = false;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (job_empty(entries[i].job)) continue;
      alive = true;
      if (!killed[i] && elapsed >= std::min<long long>(entries[i].grace.count(), cap)) {
        *entries[i].delivered = platform::kKillSignal;
        ::TerminateJobObject(entries[i].job, kill_code(platform::kKillSignal));
        killed[i] = true;
      }
    }
    if (!alive || elapsed >= cap + stop_plan::kTeardownKillWait.count()) return;
    ::Sleep(static_cast<DWORD>(stop_plan::kTeardownPause.count()));
  }
}

// Runs on a thread of its own that the system starts for the event; the
// next handler (in the end the default one, ExitProcess) runs after it.
BOOL WINAPI on_console_event(DWORD event) {
  if (event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT || event == CTRL_CLOSE_EVENT) {
    if (g_enabled.load()) stop_all();
  }
  return FALSE;
}

void stop_at_exit() {
  if (g_enabled.load()) stop_all();
}

void install_locked() {
  static const bool registered = (std::atexit(stop_at_exit), true);
  (void)registered;
  ::SetConsoleCtrlHandler(on_console_event, TRUE);
  g_installed = true;
}

}  // namespace

void register_job(int pid, HANDLE job, std::atomic<int>* delivered) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  if (g_enabled.load() && !g_installed.load()) install_locked();
  registry().push_back(Entry{pid, job, delivered});
}

}  // namespace proctest::detail::windows

namespace proctest::detail::platform {

void track_for_teardown(int pid, int stop_signal, std::chrono::milliseconds grace) noexcept {
  std::lock_guard<std::mutex> lock(windows::registry_mutex());
  for (windows::Entry& e : windows::registry()) {
    if (e.pid == pid) {
      e.tracked = true;
      e.stop_signal = stop_signal;
      e.grace = grace;
    }
  }
}

void untrack_for_teardown(int pid) noexcept {
  std::lock_guard<std::mutex> lock(windows::registry_mutex());
  auto& entries = windows::registry();
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [pid](const windows::Entry& e) { return e.pid == pid; }),
                entries.end());
}

int tracked_for_teardown() noexcept {
  std::lock_guard<std::mutex> lock(windows::registry_mutex());
  auto& entries = windows::registry();
  return static_cast<int>(std::count_if(entries.begin(), entries.end(),
                                        [](const windows::Entry& e) { return e.tracked; }));
}

}  // namespace proctest::detail::platform

namespace proctest {

void stop_all_processes() noexcept {
  try {
    detail::windows::stop_all();
  } catch (...) {
    // Out of memory for the bookkeeping: the jobs still end with this process.
  }
}

void set_teardown_on_signal(bool enabled) {
  namespace w = detail::windows;
  std::lock_guard<std::mutex> lock(w::registry_mutex());
  w::g_enabled = enabled;
  if (!enabled && w::g_installed.load()) {
    ::SetConsoleCtrlHandler(w::on_console_event, FALSE);
    w::g_installed = false;
  }
}

}  // namespace proctest
