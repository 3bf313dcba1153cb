#include "platform/windows/spawn.hpp"

#include <algorithm>
#include <cstddef>
#include <shared_mutex>
#include <stdexcept>

#include "platform/windows/command_line.hpp"
#include "platform/windows/environment.hpp"
#include "platform/windows/error_text.hpp"
#include "platform/windows/inheritance.hpp"
#include "platform/windows/pipe.hpp"
#include "platform/windows/unicode.hpp"

namespace proctest::detail::windows {

namespace {

std::string utf8(const std::filesystem::path& p) { return to_utf8(p.wstring()); }

UniqueHandle pipe_for(PipeDirection direction, UniqueHandle& parent_end) {
  PipeEnds ends = create_pipe(direction);
  parent_end = std::move(ends.parent);
  return std::move(ends.child);
}

UniqueHandle child_input(const Input& in, UniqueHandle& parent_end) {
  switch (in.kind()) {
    case Input::Kind::null:
      return open_null(false);
    case Input::Kind::file:
      return open_file_for_child(utf8(in.path()), false, "stdin file");
    case Input::Kind::bytes:
    case Input::Kind::pipe:
      return pipe_for(PipeDirection::to_child, parent_end);
    case Input::Kind::inherit:
      return duplicate_std_handle(STD_INPUT_HANDLE);
  }
  return {};
}

// stdout or stderr; merge is handled by the caller (it shares stdout's handle).
UniqueHandle child_output(const Output& out, DWORD which, UniqueHandle& parent_end) {
  const char* role = which == STD_OUTPUT_HANDLE ? "stdout file" : "stderr file";
  switch (out.kind()) {
    case Output::Kind::capture:
      return pipe_for(PipeDirection::from_child, parent_end);
    case Output::Kind::null:
      return open_null(true);
    case Output::Kind::file:
      return open_file_for_child(utf8(out.path()), true, role);
    case Output::Kind::inherit:
      return duplicate_std_handle(which);
    case Output::Kind::merge:
      break;
  }
  return {};
}

// Whether two handles are the same file (stdout and stderr sent to one path:
// two handles would have two offsets, each overwriting the other).
bool same_file(HANDLE a, HANDLE b) {
  BY_HANDLE_FILE_INFORMATION x{};
  BY_HANDLE_FILE_INFORMATION y{};
  return ::GetFileInformationByHandle(a, &x) && ::GetFileInformationByHandle(b, &y) &&
         x.dwVolumeSerialNumber == y.dwVolumeSerialNumber && x.nFileIndexHigh == y.nFileIndexHigh &&
         x.nFileIndexLow == y.nFileIndexLow;
}

// Owns a PROC_THREAD_ATTRIBUTE_LIST with the handle list.
class Attributes {
 public:
  explicit Attributes(std::vector<HANDLE> handles) : handles_(std::move(handles)) {
    SIZE_T size = 0;
    ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    storage_.resize(size);
    if (!::InitializeProcThreadAttributeList(list(), 1, 0, &size)) {
      throw_last_error("cannot set up the process attributes");
    }
    initialized_ = true;
    if (!::UpdateProcThreadAttribute(list(), 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles_.data(),
                                     handles_.size() * sizeof(HANDLE), nullptr, nullptr)) {
      throw_last_error("cannot set the list of handles to inherit");
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
  std::vector<std::byte> storage_;
  bool initialized_ = false;
};

std::wstring environment_block(const std::vector<std::string>& entries) {
  try {
    return Environment::from_entries(entries).block();
  } catch (const std::invalid_argument& e) {
    throw platform::PlatformError(std::string("cannot pass its environment: ") + e.what(),
                                  windows_error(ERROR_BAD_ENVIRONMENT));
  }
}

}  // namespace

std::wstring command_line_for(const std::vector<std::string>& arguments) {
  try {
    return build_command_line(arguments);
  } catch (const std::invalid_argument& e) {
    throw platform::PlatformError(std::string("cannot pass its arguments: ") + e.what(),
                                  windows_error(ERROR_BAD_ARGUMENTS));
  }
}

SpawnedChild spawn(const platform::LaunchRequest& r) {
  std::wstring command_line = command_line_for(r.arguments);
  // child_environment() always gives one here; none would be this process's.
  std::wstring environment = r.environment
                                 ? environment_block(*r.environment)
                                 : environment_block(windows::Environment::current().entries());
  const std::wstring program = r.program.wstring();
  const std::wstring cwd = r.cwd.wstring();

  // Held until the inheritable child ends below are closed (declared first,
  // released last): see inheritance.hpp.
  std::shared_lock<std::shared_mutex> inheritable(inheritance_lock());
  SpawnedChild child;
  UniqueHandle in = child_input(r.input, child.stdin_pipe);
  UniqueHandle out = child_output(r.output, STD_OUTPUT_HANDLE, child.stdout_pipe);
  UniqueHandle err;
  HANDLE err_handle = out.get();
  if (r.error.kind() != Output::Kind::merge) {
    err = child_output(r.error, STD_ERROR_HANDLE, child.stderr_pipe);
    err_handle = err.get();
    if (r.output.kind() == Output::Kind::file && r.error.kind() == Output::Kind::file &&
        same_file(out.get(), err.get())) {
      err_handle = out.get();
    }
  }

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
  // Always: otherwise the child would get this process's own standard handles.
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = in.get();
  startup.StartupInfo.hStdOutput = out.get();
  startup.StartupInfo.hStdError = err_handle;
  DWORD flags = CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP;
  if (!inherit.empty()) {
    attributes.emplace(inherit);
    startup.lpAttributeList = attributes->list();
    flags |= EXTENDED_STARTUPINFO_PRESENT;
  }
  // Made before the child, so a failure here leaves no child to clean up.
  child.job = Job::create();

  PROCESS_INFORMATION info{};
  if (!::CreateProcessW(program.c_str(), command_line.data(), nullptr, nullptr,
                        inherit.empty() ? FALSE : TRUE, flags, environment.data(),
                        cwd.empty() ? nullptr : cwd.c_str(), &startup.StartupInfo, &info)) {
    DWORD error = ::GetLastError();
    if (error == ERROR_DIRECTORY) {
      // CreateProcessW says ERROR_DIRECTORY whatever is wrong with the
      // directory; look at it to say what (missing: "File not found").
      DWORD cwd_attributes = ::GetFileAttributesW(cwd.c_str());
      if (cwd_attributes == INVALID_FILE_ATTRIBUTES) error = ::GetLastError();
      throw_error("working directory '" + utf8(r.cwd) + "'", error);
    }
    throw_error(utf8(r.program) == r.arguments[0] ? "" : utf8(r.program), error);
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

}  // namespace proctest::detail::windows
