#include "environment.hpp"

#include <unistd.h>

#include <cstring>
#include <map>

extern char** environ;  // NOLINT: POSIX declares it nowhere in a header

namespace proctest::detail {

void validate_environment(const Options& options, const std::string& command_line) {
  for (const auto& [key, value] : options.env) {
    const char* problem = nullptr;
    if (key.empty()) {
      problem = "is empty";
    } else if (key.find('=') != std::string::npos) {
      problem = "contains '='";
    } else if (key.find('\0') != std::string::npos) {
      problem = "contains a NUL byte";
    } else if (value && value->find('\0') != std::string::npos) {
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation): once, then throws
      throw ProcessError("cannot run '" + command_line + "': the value of environment variable '" +
                         key + "' contains a NUL byte");
    }
    if (problem) {
      std::string shown = key;
      for (char& c : shown) {
        if (c == '\0') c = '?';
      }
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation): once, then throws
      throw ProcessError("cannot run '" + command_line + "': environment variable name '" + shown +
                         "' " + problem);
    }
  }
}

std::vector<std::string> child_environment(const Options& options) {
  std::vector<std::string> env;
  if (!options.clear_env && options.env.empty()) {
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    return env;
  }
  // Keep the inherited order; overrides replace in place, additions go last.
  std::map<std::string, bool> applied;
  if (!options.clear_env) {
    for (char** e = environ; e && *e; ++e) {
      const char* eq = std::strchr(*e, '=');
      std::string key = eq ? std::string(*e, static_cast<std::size_t>(eq - *e)) : std::string(*e);
      auto it = options.env.find(key);
      if (it == options.env.end()) {
        env.emplace_back(*e);
        continue;
      }
      if (applied[key]) continue;  // a duplicate entry in environ
      applied[key] = true;
      if (it->second) env.push_back(key + "=" + *it->second);
    }
  }
  for (const auto& [key, value] : options.env) {
    if (applied.count(key) || !value) continue;
    env.push_back(key + "=" + *value);
  }
  return env;
}

}  // namespace proctest::detail
