// Which handles a new process inherits, process-wide.
//
// spawn() makes the child's ends of its pipes inheritable and names them in a
// PROC_THREAD_ATTRIBUTE_HANDLE_LIST, so the child gets those and nothing else.
// But some calls start a process that inherits every inheritable handle:
// Wine's AllocConsole and CreatePseudoConsole start conhost.exe that way. Such
// a conhost would hold another thread's pipe ends (that child's output would
// never end) and this process's own stdout (a test runner reading it would
// wait for conhost to exit). So spawns hold this lock shared while their
// inheritable handles exist, and those calls hold it exclusively, with this
// process's standard handles made non-inheritable meanwhile.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_INHERITANCE_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_INHERITANCE_HPP

#include <windows.h>

#include <mutex>
#include <shared_mutex>

namespace proctest::detail::windows {

/// The process-wide lock described above.
std::shared_mutex& inheritance_lock();

/// While it lives: the inheritance lock held exclusively, and this process's
/// three standard handles not inheritable (restored afterwards). For a call
/// that starts a process inheriting every inheritable handle.
class NoInheritance {
 public:
  /// Takes the lock, clears HANDLE_FLAG_INHERIT on the standard handles.
  NoInheritance();
  /// Restores the flags, releases the lock.
  ~NoInheritance();
  NoInheritance(const NoInheritance&) = delete;
  NoInheritance& operator=(const NoInheritance&) = delete;

 private:
  std::unique_lock<std::shared_mutex> lock_;
  HANDLE handles_[3] = {};
  DWORD flags_[3] = {};
};

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_INHERITANCE_HPP
