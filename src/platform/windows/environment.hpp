// A child's environment and the block CreateProcessW takes.
#ifndef PROCTEST_SRC_PLATFORM_WINDOWS_ENVIRONMENT_HPP
#define PROCTEST_SRC_PLATFORM_WINDOWS_ENVIRONMENT_HPP

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proctest::detail::windows {

/// Whether two variable names are the same on Windows: compared ordinally,
/// ignoring case (CompareStringOrdinal), so `Path` and `PATH` are one.
bool same_name(std::wstring_view a, std::wstring_view b);

/// Variables by name, names compared as Windows does (same_name()), kept
/// sorted as the environment block must be. Each variable keeps the spelling
/// of its name from the last set(). Names that start with '=' (the hidden
/// per-drive directories such as `=C:=C:\work`) pass through from
/// from_entries() and current() untouched.
class Environment {
 public:
  /// No variables.
  Environment() = default;

  /// From UTF-8 "NAME=value" entries; a later entry replaces an earlier one
  /// whose name differs only in case. Throws std::invalid_argument for an
  /// entry with no '=' after its first character, or containing NUL, or not
  /// valid UTF-8.
  static Environment from_entries(const std::vector<std::string>& entries);

  /// The calling process's environment (GetEnvironmentStringsW).
  static Environment current();

  /// Sets `name` (UTF-8) to `value`, replacing a variable whose name differs
  /// only in case; the name is then spelled as given here. Throws
  /// std::invalid_argument for an empty name, a name containing '=' or NUL,
  /// a value containing NUL, or text that is not valid UTF-8.
  void set(std::string_view name, std::string_view value);

  /// Removes the variable `name` (UTF-8) in whatever case it is spelled;
  /// nothing happens when there is none.
  void remove(std::string_view name);

  /// The value of the variable `name`, in whatever case it is spelled.
  std::optional<std::wstring> get(std::wstring_view name) const;

  /// The variables as UTF-8 "NAME=value" entries, in block order.
  std::vector<std::string> entries() const;

  /// The environment block for CreateProcessW with CREATE_UNICODE_ENVIRONMENT:
  /// "NAME=value" and a NUL for each variable, sorted by name ignoring case,
  /// then one more NUL (an empty environment is two NULs).
  std::wstring block() const;

 private:
  void put(std::wstring name, std::wstring value);

  std::vector<std::pair<std::wstring, std::wstring>> variables_;  // sorted by name
};

}  // namespace proctest::detail::windows

#endif  // PROCTEST_SRC_PLATFORM_WINDOWS_ENVIRONMENT_HPP
