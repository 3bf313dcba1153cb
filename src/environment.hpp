// The child's environment, built from the test process's and Options.
#ifndef PROCTEST_SRC_ENVIRONMENT_HPP
#define PROCTEST_SRC_ENVIRONMENT_HPP

#include <string>
#include <vector>

#include "proctest/process.hpp"

namespace proctest::detail {

/// Throws ProcessError naming the command line when an env key is empty or
/// contains '=' or NUL, or a value contains NUL.
void validate_environment(const Options& options, const std::string& command_line);

/// The environment the child gets, "KEY=value" each: the test process's own
/// (unless clear_env) with Options::env applied.
std::vector<std::string> child_environment(const Options& options);

}  // namespace proctest::detail

#endif
