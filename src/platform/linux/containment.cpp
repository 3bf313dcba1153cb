#include "platform/linux/containment.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace proctest::detail::platform::sys {

namespace {

// Bounds on the walk: a fork bomb must not turn close() into one.
constexpr int kMaxDepth = 32;
constexpr std::size_t kMaxFound = 1024;

bool has_exited(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;  // readable (or an error): it has exited
}

// ppid and pgrp from /proc/PID/stat; false when it is gone.
bool read_stat(pid_t pid, pid_t& ppid, pid_t& pgrp) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  const char* close_paren = std::strrchr(buf, ')');  // the name may hold anything
  if (!close_paren) return false;
  char state = 0;
  int parent = 0, group = 0;
  if (std::sscanf(close_paren + 1, " %c %d %d", &state, &parent, &group) != 3) return false;
  ppid = parent;
  pgrp = group;
  return true;
}

// The pids in /proc/PID/task/*/children.
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR* tasks = ::opendir(path);
  if (!tasks) return out;
  while (dirent* t = ::readdir(tasks)) {
    if (t->d_name[0] < '0' || t->d_name[0] > '9') continue;
    std::string file = std::string(path) + "/" + t->d_name + "/children";
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, n);
    ::close(fd);
    const char* p = text.c_str();
    for (char* end; *p;) {
      long v = std::strtol(p, &end, 10);
      if (end == p) break;
      out.push_back(static_cast<pid_t>(v));
      p = end;
    }
  }
  ::closedir(tasks);
  return out;
}

}  // namespace

Escapees::~Escapees() {
  for (const Found& f : found_) ::close(f.pidfd);
}

void Escapees::collect(pid_t root, int root_pidfd, pid_t pgid) noexcept {
  try {
    walk(root, root_pidfd, pgid, false, 0);
  } catch (...) {
    // Out of memory: keep what was found.
  }
}

void Escapees::walk(pid_t pid, int pidfd, pid_t pgid, bool below_escapee, int depth) noexcept {
  if (depth > kMaxDepth) return;
  std::vector<pid_t> kids;
  try {
    kids = children_of(pid);
  } catch (...) {
    return;
  }
  for (pid_t child : kids) {
    if (found_.size() >= kMaxFound) return;
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));
    if (fd < 0) continue;
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    pid_t ppid = 0, pgrp = 0;
    // Opened first, then checked: if `child` is still running and still the
    // child of `pid`, which is itself still running, the pidfd is the process
    // the walk meant.
    bool ok = read_stat(child, ppid, pgrp) && ppid == pid && !has_exited(fd) && !has_exited(pidfd);
    if (!ok) {
      ::close(fd);
      continue;
    }
    bool escaped = below_escapee || pgrp != pgid;
    if (escaped) {
      try {
        found_.push_back({child, fd});
      } catch (...) {
        ::close(fd);
        return;
      }
    }
    walk(child, fd, pgid, escaped, depth + 1);
    if (!escaped) ::close(fd);
  }
}

void Escapees::signal_all(int signal) noexcept {
  for (const Found& f : found_) {
    if (!has_exited(f.pidfd)) ::syscall(SYS_pidfd_send_signal, f.pidfd, signal, nullptr, 0);
  }
}

bool Escapees::all_exited() const noexcept {
  return std::all_of(found_.begin(), found_.end(),
                     [](const Found& f) { return has_exited(f.pidfd); });
}

void Escapees::reap() noexcept {
  for (const Found& f : found_) {
    siginfo_t info{};
    // ECHILD when another process is its parent: then it is theirs to reap.
    while (::waitid(kWaitForPidfd, static_cast<id_t>(f.pidfd), &info, WEXITED | WNOHANG) < 0 &&
           errno == EINTR) {
    }
  }
}

std::vector<pid_t> Escapees::pids() const {
  std::vector<pid_t> out;
  for (const Found& f : found_) out.push_back(f.pid);
  return out;
}

}  // namespace proctest::detail::platform::sys
