#include "platform/windows/job.hpp"

#include "platform/windows/error_text.hpp"

namespace proctest::detail::windows {

Job Job::create() {
  UniqueHandle h(::CreateJobObjectW(nullptr, nullptr));
  if (!h) throw_last_error("cannot create a job object");
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags =
      JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  if (!::SetInformationJobObject(h.get(), JobObjectExtendedLimitInformation, &limits,
                                 sizeof limits)) {
    throw_last_error("cannot set the job object's limits");
  }
  return Job(std::move(h));
}

void Job::assign(HANDLE process) const {
  if (!::AssignProcessToJobObject(handle_.get(), process)) {
    throw_last_error("cannot put the process into its job object");
  }
}

bool Job::terminate(UINT exit_code) const noexcept {
  return ::TerminateJobObject(handle_.get(), exit_code) != FALSE;
}

std::optional<DWORD> Job::active_processes() const noexcept {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
  if (!::QueryInformationJobObject(handle_.get(), JobObjectBasicAccountingInformation, &info,
                                   sizeof info, nullptr)) {
    return std::nullopt;
  }
  return info.ActiveProcesses;
}

}  // namespace proctest::detail::windows
