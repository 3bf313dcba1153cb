#include "platform/windows/spawn.hpp"

#include <algorithm>
#include <stdexcept>

#include "platform/windows/command_line.hpp"
#include "platform/windows/error_text.hpp"
#include "platform/windows/inheritance.hpp"
#include "platform/windows/pipe.hpp"
#include "platform/windows/program_lookup.hpp"
#include "platform/windows/unicode.hpp"
#include "proctest/errors.hpp"

namespace proctest::detail::windows {

namespace {

std::wstring variable(const std::optional<Environment>& env, const wchar_t* name) {
  if (env) return env->get(name).value_or(L"");
  DWORD n = ::GetEnvironmentVariableW(name, nullptr, 0);
  if (n == 0) return {};
  std::wstring value(n, L'\0');
  n = ::GetEnvironmentVariableW(name, value.data(), n);
  value.resize(n);
  return value;
}

// An absolute working directory that exists, or a ProcessError.
std::wstring checked_cwd(const std::string& cwd) {
  if (cwd.empty()) return {};
  std::wstring wide = to_wide(cwd);
  DWORD n = ::GetFullPathNameW(wide.c_str(), 0, nullptr, nullptr);
  std::wstring full(n, L'\0');
  n = ::GetFullPathNameW(wide.c_str(), n, full.data(), nullptr);
  if (n == 0) throw_last_error("working directory '" + cwd + "'");
  full.resize(n);
  DWORD attributes = ::GetFileAttributesW(full.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) throw_last_error("working directory '" + cwd + "'");
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    throw_error("working directory '" + cwd + "'", ERROR_DIRECTORY);
  }
  return full;
}

std::wstring resolve(const SpawnRequest& r, const std::wstring& cwd) {
  std::wstring path = variable(r.environment, L"PATH");
  if (path.empty()) {
    // No PATH at all: the system directories, as CreateProcessW's own search.
    wchar_t dir[MAX_PATH];
    UINT n = ::GetSystemDirectoryW(dir, MAX_PATH);
    path.assign(dir, n);
    n = ::GetWindowsDirectoryW(dir, MAX_PATH);
    path += L';' + std::wstring(dir, n);
  }
  std::wstring pathext = variable(r.environment, L"PATHEXT");
  if (pathext.empty()) pathext = kDefaultPathext;
  std::wstring program = to_wide(r.argv[0]);
  ProgramSearch found = find_program(program, path, pathext, cwd);
  if (found.error == ERROR_SUCCESS) return found.path;
  if (found.searched_path && found.error == ERROR_FILE_NOT_FOUND) {
    throw_error("'" + r.argv[0] + "' not found in PATH", found.error);
  }
  throw ProcessError(file_error_message(to_utf8(found.path), found.error));
}

// The child's side of one standard stream.
UniqueHandle child_handle(const Stdio& s, DWORD which, UniqueHandle& parent_end) {
  const bool reads = which == STD_INPUT_HANDLE;
  const char* role = reads                        ? "stdin file"
                     : which == STD_OUTPUT_HANDLE ? "stdout file"
                                                  : "stderr file";
  switch (s.kind) {
    case Stdio::Kind::pipe: {
      PipeEnds ends = create_pipe(reads ? PipeDirection::to_child : PipeDirection::from_child);
      parent_end = std::move(ends.parent);
      return std::move(ends.child);
    }
    case Stdio::Kind::null:
      return open_null(!reads);
    case Stdio::Kind::file:
      return open_file_for_child(s.path, !reads, role);
    case Stdio::Kind::inherit:
      return duplicate_std_handle(which);
    case Stdio::Kind::merge:
      break;
  }
  throw std::invalid_argument("only stderr can be merged (into stdout)");
}

// Owns a PROC_THREAD_ATTRIBUTE_LIST: the handle list and/or a pseudo console.
class Attributes {
 public:
  Attributes(std::vector<HANDLE> handles, HPCON console)
      : handles_(std::move(handles)), console_(console) {
    const DWORD count = (handles_.empty() ? 0 : 1) + (console_ != nullptr ? 1 : 0);
    SIZE_T size = 0;
    ::InitializeProcThreadAttributeList(nullptr, count, 0, &size);
    storage_.resize(size);
    if (!::InitializeProcThreadAttributeList(list(), count, 0, &size)) {
      throw_last_error("cannot set up the process attributes");
    }
    initialized_ = true;
    if (!handles_.empty() &&
        !::UpdateProcThreadAttribute(list(), 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles_.data(),
                                     handles_.size() * sizeof(HANDLE), nullptr, nullptr)) {
      throw_last_error("cannot set the list of handles to inherit");
    }
    if (console_ != nullptr &&
        !::UpdateProcThreadAttribute(list(), 0, PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE, console_,
                                     sizeof console_, nullptr, nullptr)) {
      throw_last_error("cannot attach the pseudo console");
    }
  }
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;
  ~Attributes() {
    if (initialized_) ::DeleteProcThreadAttributeList(list());
  }
  LPPROC_THREAD_ATTRIBUTE_LIST list() {
    return reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.data());
  }

 private:
  std::vector<HANDLE> handles_;  // must outlive CreateProcessW
  HPCON console_;
  std::vector<std::byte> storage_;
  bool initialized_ = false;
};

SpawnedChild spawn_unchecked(const SpawnRequest& r) {
  if (r.argv.empty()) throw std::invalid_argument("no program to run");
  std::wstring command_line = build_command_line(r.argv);
  std::wstring cwd = checked_cwd(r.cwd);
  std::wstring program = resolve(r, cwd);
  std::wstring environment;
  if (r.environment) environment = r.environment->block();

  // Held until the inheritable child ends below are closed (declared first,
  // released last): see inheritance.hpp.
  std::shared_lock<std::shared_mutex> inheritable(inheritance_lock());
  SpawnedChild child;
  UniqueHandle in, out, err;
  const bool console = r.pseudo_console != nullptr;
  if (!console) {
    in = child_handle(r.input, STD_INPUT_HANDLE, child.stdin_pipe);
    out = child_handle(r.output, STD_OUTPUT_HANDLE, child.stdout_pipe);
    if (r.error.kind != Stdio::Kind::merge) {
      err = child_handle(r.error, STD_ERROR_HANDLE, child.stderr_pipe);
    }
  }
  HANDLE err_handle = r.error.kind == Stdio::Kind::merge ? out.get() : err.get();

  // Inheritable handles not in this list stay in the parent, whichever
  // thread made them. The list must not name a handle twice (merge).
  std::vector<HANDLE> inherit;
  for (HANDLE h : {in.get(), out.get(), err_handle}) {
    if (UniqueHandle::valid(h) && std::find(inherit.begin(), inherit.end(), h) == inherit.end()) {
      inherit.push_back(h);
    }
  }
  std::optional<Attributes> attributes;
  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof startup;
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = in.get();
  startup.StartupInfo.hStdOutput = out.get();
  startup.StartupInfo.hStdError = err_handle;
  DWORD flags =
      CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP | r.extra_flags;
  // Always STARTF_USESTDHANDLES, even with nothing to pass: otherwise the
  // child would get this process's own standard handles.
  if (!inherit.empty() || console) {
    attributes.emplace(inherit, r.pseudo_console);
    startup.lpAttributeList = attributes->list();
    flags |= EXTENDED_STARTUPINFO_PRESENT;
  }
  // Made before the child, so a failure here leaves no child to clean up.
  child.job = Job::create();

  PROCESS_INFORMATION info{};
  if (!::CreateProcessW(program.c_str(), command_line.data(), nullptr, nullptr,
                        inherit.empty() ? FALSE : TRUE, flags,
                        r.environment ? environment.data() : nullptr,
                        cwd.empty() ? nullptr : cwd.c_str(), &startup.StartupInfo, &info)) {
    DWORD error = ::GetLastError();
    if (error == ERROR_DIRECTORY) throw_error("working directory '" + r.cwd + "'", error);
    throw ProcessError(file_error_message(to_utf8(program), error));
  }
  child.process.reset(info.hProcess);
  UniqueHandle thread(info.hThread);
  child.pid = info.dwProcessId;
  try {
    child.job.assign(info.hProcess);
  } catch (...) {
    ::TerminateProcess(info.hProcess, 1);
    throw;
  }
  if (::ResumeThread(thread.get()) == static_cast<DWORD>(-1)) {
    DWORD error = ::GetLastError();
    child.job.terminate(1);
    throw_error("cannot resume the child", error);
  }
  return child;
}

}  // namespace

std::string display_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

SpawnedChild spawn(const SpawnRequest& request) {
  try {
    return spawn_unchecked(request);
  } catch (const ProcessError& e) {
    throw ProcessError("cannot run '" + display_command(request.argv) + "': " + e.what());
  }
}

}  // namespace proctest::detail::windows
