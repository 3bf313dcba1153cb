// Which file CreateProcessW should run for argv[0]: PATH and PATHEXT.
//
// CreateProcessW is always given the file found here (lpApplicationName), never
// left to search on its own: its search would try the parent's directory and
// the current directory first and append only ".exe". The rules here, as
// POSIX execvp and cmd.exe's PATHEXT combined:
//   - a name with a slash, backslash or drive ("bin\tool", "C:tool") is taken
//     as given, a relative one relative to the child's working directory;
//   - any other name is looked for in each PATH entry in turn (a relative
//     entry relative to the child's working directory; the current directory
//     is not searched unless PATH names it);
//   - a name that already ends in one of PATHEXT's extensions is tried as it
//     is; otherwise each PATHEXT extension is tried in PATHEXT's order, then
//     the name as it is (a program may lack an extension).
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_PROGRAM_LOOKUP_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_PROGRAM_LOOKUP_HPP

#include <windows.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace proctest::detail::windows {

/// PATHEXT when the child's environment has none (Windows' own default).
inline constexpr std::wstring_view kDefaultPathext = L".COM;.EXE;.BAT;.CMD";

/// Whether `program` names a path (has '/', '\\' or a drive letter) rather
/// than a name to look for in PATH.
bool has_directory_part(std::wstring_view program);

/// The files to try for `program`, in order, by the rules above. `path` and
/// `pathext` are the child's PATH and PATHEXT (';'-separated, entries may be
/// in quotes); `cwd` is the child's working directory (empty: the caller's).
/// Pure: touches no file.
///
/// **Example**: `program_candidates(L"tool", L"C:\\bin;D:\\x", L".EXE;.CMD", L"")` is
/// `C:\bin\tool.EXE`, `C:\bin\tool.CMD`, `C:\bin\tool`, then the same in `D:\x`.
std::vector<std::wstring> program_candidates(std::wstring_view program, std::wstring_view path,
                                             std::wstring_view pathext, std::wstring_view cwd);

/// Checks one candidate: ERROR_SUCCESS for an existing file, ERROR_ACCESS_DENIED
/// for a directory (as CreateProcessW reports it), otherwise why it is not
/// there (ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, ...).
using FileProbe = std::function<DWORD(const std::wstring& path)>;

/// The FileProbe of the real file system (GetFileAttributesW).
DWORD probe_file(const std::wstring& path);

/// The outcome of find_program().
struct ProgramSearch {
  /// The file to run, or (when `error` is set) the name or path that failed.
  std::wstring path;
  /// ERROR_SUCCESS, or why nothing can be run: ERROR_FILE_NOT_FOUND when no
  /// candidate exists, else the first other error seen (a directory by that
  /// name gives ERROR_ACCESS_DENIED), as execvp remembers EACCES.
  DWORD error = ERROR_SUCCESS;
  /// Whether PATH was searched (the name had no directory part).
  bool searched_path = false;
};

/// The first candidate of program_candidates() that `probe` accepts.
ProgramSearch find_program(std::wstring_view program, std::wstring_view path,
                           std::wstring_view pathext, std::wstring_view cwd,
                           const FileProbe& probe = probe_file);

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_PROGRAM_LOOKUP_HPP
