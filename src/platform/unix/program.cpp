// What the parent checks and builds before a spawn: the working directory,
// the program lookup, the environment.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include "platform/platform.hpp"

extern char** environ;  // NOLINT: POSIX declares it nowhere in a header

namespace proctest::detail::platform {

namespace {

std::error_code errno_code(int e) { return {e, std::system_category()}; }

bool is_executable_file(const std::filesystem::path& p, int& error) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) {
    error = errno;
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    error = EISDIR;
    return false;
  }
  if (::access(p.c_str(), X_OK) != 0) {
    error = errno;
    return false;
  }
  return true;
}

}  // namespace

void check_directory(const std::filesystem::path& cwd) {
  struct stat st {};
  if (::stat(cwd.c_str(), &st) != 0) throw PlatformError("", errno_code(errno));
  if (!S_ISDIR(st.st_mode)) throw PlatformError("", errno_code(ENOTDIR));
  if (::access(cwd.c_str(), X_OK) != 0) throw PlatformError("", errno_code(errno));
}

std::filesystem::path resolve_program(const std::string& program, const std::filesystem::path& cwd,
                                      const Environment& environment, bool verify) {
  int error = 0;
  if (program.find('/') != std::string::npos) {
    std::filesystem::path p(program);
    if (p.is_relative() && !cwd.empty()) p = cwd / p;
    if (verify && !is_executable_file(p, error)) {
      throw PlatformError(p.string() == program ? "" : p.string(), errno_code(error));
    }
    return p;
  }
  std::string path_var = "/usr/local/bin:/usr/bin:/bin";
  if (environment) {
    for (const auto& e : *environment) {
      if (e.compare(0, 5, "PATH=") == 0) {
        path_var = e.substr(5);
        break;
      }
    }
  } else if (const char* own = std::getenv("PATH")) {
    path_var = own;
  }
  // As execvp: remember EACCES (or EISDIR) from a match that was not usable,
  // report ENOENT only when nothing by that name was found at all.
  int first_error = ENOENT;
  std::size_t begin = 0;
  for (;;) {
    std::size_t end = path_var.find(':', begin);
    std::string dir = path_var.substr(begin, end == std::string::npos ? end : end - begin);
    // An empty entry is the current directory, a relative one is relative to
    // it: the child's, since it looks PATH up after changing to cwd.
    std::filesystem::path candidate = std::filesystem::path(dir) / program;
    if (candidate.is_relative() && !cwd.empty()) candidate = cwd / candidate;
    if (is_executable_file(candidate, error)) return candidate;
    if (error != ENOENT && error != ENOTDIR && first_error == ENOENT) first_error = error;
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  throw PlatformError(first_error == ENOENT ? "'" + program + "' not found in PATH" : "",
                      errno_code(first_error));
}

Environment child_environment(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& changes, bool clear) {
  // Unchanged: posix_spawn passes `environ` itself, nothing is copied.
  if (!clear && changes.empty()) return std::nullopt;
  std::vector<std::string> env;
  std::map<std::string, const std::optional<std::string>*> wanted;
  for (const auto& [key, value] : changes) wanted[key] = &value;
  // Keep the inherited order; changes replace in place, additions go last.
  std::map<std::string, bool> applied;
  if (!clear) {
    for (char** e = environ; e && *e; ++e) {
      const char* eq = std::strchr(*e, '=');
      std::string key = eq ? std::string(*e, static_cast<std::size_t>(eq - *e)) : std::string(*e);
      auto it = wanted.find(key);
      if (it == wanted.end()) {
        env.emplace_back(*e);
        continue;
      }
      if (applied[key]) continue;  // a duplicate entry in environ
      applied[key] = true;
      if (*it->second) env.push_back(key + "=" + **it->second);
    }
  }
  for (const auto& [key, value] : wanted) {
    if (applied.count(key) || !*value) continue;
    env.push_back(key + "=" + **value);
  }
  return env;
}

const char* null_device() noexcept { return "/dev/null"; }

bool statuses_discarded() noexcept {
  struct sigaction current {};
  if (::sigaction(SIGCHLD, nullptr, &current) != 0) return false;
  bool ignored = !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN;
  return ignored || (current.sa_flags & SA_NOCLDWAIT) != 0;
}

}  // namespace proctest::detail::platform
