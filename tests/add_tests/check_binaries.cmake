# How proctest_add_tests() reads BINARIES (cmake -DSOURCE_DIR=<proctest> -P
# check_binaries.cmake): targets, named and unnamed absolute paths, and
# Windows paths with a drive letter, which are absolute on every host (a cross
# build for Windows runs CMake on Linux, where IS_ABSOLUTE does not know them).
include(${SOURCE_DIR}/cmake/proctest-add-tests.cmake)
# Script mode has no targets: the dependency on a built target is not checked here.
function(add_dependencies)
endfunction()

function(expect_binaries expected_entries expected_definitions)
  _proctest_binaries(check suite entries definitions ${ARGN})
  string(REPLACE "\n" "|" entries "${entries}")
  if(NOT entries STREQUAL expected_entries)
    message(FATAL_ERROR "BINARIES ${ARGN}:\n  entries     ${entries}\n  expected    ${expected_entries}")
  endif()
  if(NOT definitions STREQUAL expected_definitions)
    message(FATAL_ERROR "BINARIES ${ARGN}:\n  definitions ${definitions}\n  expected    ${expected_definitions}")
  endif()
endfunction()

expect_binaries([[    {"mytool", PROCTEST_BINARY_0},|    {"server", PROCTEST_BINARY_1},|]]
  [[PROCTEST_BINARY_0="$<TARGET_FILE:mytool>";PROCTEST_BINARY_1="$<TARGET_FILE:acme_server>"]]
  mytool server=acme_server)
expect_binaries([[    {"sort", PROCTEST_BINARY_0},|    {"shell", PROCTEST_BINARY_1},|]]
  [[PROCTEST_BINARY_0="/usr/bin/sort";PROCTEST_BINARY_1="/bin/sh"]]
  /usr/bin/sort shell=/bin/sh)
expect_binaries(
  [[    {"cmd", PROCTEST_BINARY_0},|    {"tool.exe", PROCTEST_BINARY_1},|    {"x", PROCTEST_BINARY_2},|]]
  [[PROCTEST_BINARY_0="C:/Windows/System32/cmd.exe";PROCTEST_BINARY_1="D:/tools/tool.exe";PROCTEST_BINARY_2="c:/x.exe"]]
  "cmd=C:\\Windows\\System32\\cmd.exe" "D:/tools/tool.exe" "x=c:/x.exe")
message(STATUS "BINARIES: targets, absolute paths and drive-letter paths read as documented")
