#include "platform/windows/program_lookup.hpp"

#include "platform/windows/environment.hpp"

namespace proctest::detail::windows {

namespace {

bool is_slash(wchar_t c) { return c == L'\\' || c == L'/'; }

// ';'-separated entries, quotes removed, empty ones dropped.
std::vector<std::wstring> split_list(std::wstring_view list) {
  std::vector<std::wstring> out;
  std::wstring entry;
  bool quoted = false;
  for (std::size_t i = 0; i <= list.size(); ++i) {
    wchar_t c = i < list.size() ? list[i] : L';';
    if (c == L'"') {
      quoted = !quoted;
    } else if (c == L';' && !quoted) {
      if (!entry.empty()) out.push_back(std::move(entry));
      entry.clear();
    } else {
      entry += c;
    }
  }
  return out;
}

// "C:\x", "\\server\share", "\x" and "/x" are not relative to a directory.
bool is_rooted(std::wstring_view p) {
  if (!p.empty() && is_slash(p[0])) return true;
  return p.size() >= 3 && p[1] == L':' && is_slash(p[2]);
}

std::wstring join(std::wstring_view dir, std::wstring_view name) {
  if (dir.empty()) return std::wstring(name);
  std::wstring out(dir);
  if (!is_slash(out.back())) out += L'\\';
  out += name;
  return out;
}

std::wstring in_cwd(std::wstring_view p, std::wstring_view cwd) {
  // "C:x" is relative to drive C's current directory: left to Windows.
  if (cwd.empty() || is_rooted(p) || (p.size() >= 2 && p[1] == L':')) return std::wstring(p);
  return join(cwd, p);
}

bool ends_with_extension(std::wstring_view name, const std::vector<std::wstring>& extensions) {
  for (const std::wstring& ext : extensions) {
    if (name.size() > ext.size() && same_name(name.substr(name.size() - ext.size()), ext)) {
      return true;
    }
  }
  return false;
}

// The names to try in one directory.
std::vector<std::wstring> with_extensions(std::wstring_view name,
                                          const std::vector<std::wstring>& extensions) {
  if (ends_with_extension(name, extensions)) return {std::wstring(name)};
  std::vector<std::wstring> out;
  for (const std::wstring& ext : extensions) out.push_back(std::wstring(name) + ext);
  out.emplace_back(name);
  return out;
}

}  // namespace

bool has_directory_part(std::wstring_view program) {
  if (program.find_first_of(L"\\/") != std::wstring_view::npos) return true;
  return program.size() >= 2 && program[1] == L':';
}

std::vector<std::wstring> program_candidates(std::wstring_view program, std::wstring_view path,
                                             std::wstring_view pathext, std::wstring_view cwd) {
  std::vector<std::wstring> extensions = split_list(pathext);
  if (has_directory_part(program)) return with_extensions(in_cwd(program, cwd), extensions);
  std::vector<std::wstring> out;
  for (const std::wstring& dir : split_list(path)) {
    for (std::wstring& name : with_extensions(program, extensions)) {
      out.push_back(in_cwd(join(dir, name), cwd));
    }
  }
  return out;
}

DWORD probe_file(const std::wstring& path) {
  DWORD attributes = ::GetFileAttributesW(path.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return ::GetLastError();
  if (attributes & FILE_ATTRIBUTE_DIRECTORY) return ERROR_ACCESS_DENIED;
  return ERROR_SUCCESS;
}

ProgramSearch find_program(std::wstring_view program, std::wstring_view path,
                           std::wstring_view pathext, std::wstring_view cwd,
                           const FileProbe& probe) {
  ProgramSearch result;
  result.searched_path = !has_directory_part(program);
  result.error = ERROR_FILE_NOT_FOUND;
  std::vector<std::wstring> candidates = program_candidates(program, path, pathext, cwd);
  for (std::wstring& candidate : candidates) {
    DWORD error = probe(candidate);
    if (error == ERROR_SUCCESS) return {std::move(candidate), ERROR_SUCCESS, result.searched_path};
    bool missing = error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND ||
                   error == ERROR_INVALID_NAME || error == ERROR_BAD_NETPATH;
    if (!missing && result.error == ERROR_FILE_NOT_FOUND) {
      result.error = error;
      result.path = candidate;
    }
  }
  if (result.error == ERROR_FILE_NOT_FOUND) {
    // Named as given: a path the user wrote, or the name looked for in PATH.
    // The name as written (and placed in cwd), without an extension tried.
    result.path = result.searched_path || candidates.empty() ? std::wstring(program)
                                                             : std::move(candidates.back());
  }
  return result;
}

}  // namespace proctest::detail::windows
