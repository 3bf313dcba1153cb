// What the engine checks and builds before a spawn, the Windows way: the
// working directory, the program lookup (PATH and PATHEXT), the environment
// (names without regard to case).
#include <stdexcept>

#include "platform/platform.hpp"
#include "platform/windows/environment.hpp"
#include "platform/windows/error_text.hpp"
#include "platform/windows/program_lookup.hpp"
#include "platform/windows/unicode.hpp"

namespace proctest::detail::platform {

namespace {

using windows::windows_error;

bool ends_with_batch_extension(std::wstring_view path) {
  if (path.size() < 4) return false;
  std::wstring_view ext = path.substr(path.size() - 4);
  return windows::same_name(ext, L".bat") || windows::same_name(ext, L".cmd");
}

// PATH, or the system directories as CreateProcessW's own search has them.
std::wstring search_path(const windows::Environment& env) {
  std::wstring path = env.get(L"PATH").value_or(L"");
  if (!path.empty()) return path;
  wchar_t dir[MAX_PATH];
  UINT n = ::GetSystemDirectoryW(dir, MAX_PATH);
  path.assign(dir, n);
  n = ::GetWindowsDirectoryW(dir, MAX_PATH);
  return path + L';' + std::wstring(dir, n);
}

}  // namespace

void check_directory(const std::filesystem::path& cwd) {
  DWORD attributes = ::GetFileAttributesW(cwd.wstring().c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES)
    throw PlatformError("", windows_error(::GetLastError()));
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY))
    throw PlatformError("", windows_error(ERROR_DIRECTORY));
}

std::filesystem::path resolve_program(const std::string& program, const std::filesystem::path& cwd,
                                      const Environment& environment, bool /*verify*/) {
  // Always verified: the lookup tries PATHEXT's extensions on the file
  // system anyway, and CreateProcessW's own errors do not say which
  // candidate was wrong.
  windows::Environment env;
  std::wstring wide_program;
  try {
    env = environment ? windows::Environment::from_entries(*environment)
                      : windows::Environment::current();
    wide_program = windows::to_wide(program);
  } catch (const std::invalid_argument& e) {
    throw PlatformError(std::string("cannot look the program up: ") + e.what(),
                        windows_error(ERROR_BAD_ARGUMENTS));
  }
  std::wstring pathext = env.get(L"PATHEXT").value_or(L"");
  if (pathext.empty()) pathext = windows::kDefaultPathext;
  windows::ProgramSearch found =
      windows::find_program(wide_program, search_path(env), pathext, cwd.wstring());
  const std::string shown = windows::to_utf8(found.path);
  if (found.error != ERROR_SUCCESS) {
    if (found.searched_path && found.error == ERROR_FILE_NOT_FOUND) {
      throw PlatformError("'" + program + "' not found in PATH", windows_error(found.error));
    }
    throw PlatformError(shown == program ? "" : shown, windows_error(found.error));
  }
  // CreateProcessW runs a batch file through cmd.exe, which splits its
  // command line by its own rules, not the C runtime's that proctest quotes
  // for: an argument could become a second command.
  if (ends_with_batch_extension(found.path)) {
    throw PlatformError("'" + shown +
                            "' is a batch file, which Windows runs through cmd.exe with cmd's "
                            "own quoting rules; run {\"cmd.exe\", \"/c\", ...} explicitly",
                        windows_error(ERROR_NOT_SUPPORTED));
  }
  return std::filesystem::path(found.path);
}

Environment child_environment(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& changes, bool clear) {
  windows::Environment env = clear ? windows::Environment() : windows::Environment::current();
  try {
    for (const auto& [name, value] : changes) {
      if (value) {
        env.set(name, *value);
      } else {
        env.remove(name);
      }
    }
  } catch (const std::invalid_argument& e) {
    throw PlatformError(std::string("cannot set its environment: ") + e.what(),
                        windows_error(ERROR_BAD_ENVIRONMENT));
  }
  return env.entries();
}

const char* null_device() noexcept { return "NUL"; }

bool statuses_discarded() noexcept { return false; }

}  // namespace proctest::detail::platform
