# proctest_add_tests(): one call builds an end-to-end GoogleTest suite on
# proctest and registers its tests with CTest. Shipped with the package: it is
# available after find_package(proctest), add_subdirectory() and
# FetchContent_MakeAvailable() alike. Every argument is documented in
# docs/cmake.md.
#
#   proctest_add_tests(cli_e2e
#     SOURCES tests/cli_e2e.cpp
#     BINARIES mytool mytool-server      # CMake targets (or name=/path) under test
#     LABELS e2e
#     TIMEOUT 60)                        # the fixture's default join timeout, seconds
#
# Every argument of gtest_discover_tests() (CMake 3.25) is passed through:
# NO_PRETTY_TYPES, NO_PRETTY_VALUES, TEST_PREFIX, TEST_SUFFIX, WORKING_DIRECTORY,
# TEST_LIST, DISCOVERY_TIMEOUT, XML_OUTPUT_DIR, DISCOVERY_MODE, EXTRA_ARGS,
# TEST_FILTER, PROPERTIES.
include_guard(GLOBAL)
include(GoogleTest)

# PROCTEST_TIMEOUT_SCALE at configure time, in thousandths (1000 when unset):
# CTest's TIMEOUT must stretch with the fixture's, or CTest kills first.
function(_proctest_timeout_scale_milli out)
  set(scale "$ENV{PROCTEST_TIMEOUT_SCALE}")
  if(scale STREQUAL "")
    set(${out} 1000 PARENT_SCOPE)
    return()
  endif()
  if(NOT scale MATCHES "^([0-9]+)(\\.([0-9]*))?$")
    message(FATAL_ERROR "proctest_add_tests: PROCTEST_TIMEOUT_SCALE='${scale}' is not a positive "
                        "number (e.g. 2 or 0.5)")
  endif()
  set(whole "${CMAKE_MATCH_1}")
  string(SUBSTRING "${CMAKE_MATCH_3}000" 0 3 fraction)
  math(EXPR milli "${whole} * 1000 + 1${fraction} - 1000")
  if(milli LESS_EQUAL 0)
    message(FATAL_ERROR "proctest_add_tests: PROCTEST_TIMEOUT_SCALE='${scale}' is not positive")
  endif()
  set(${out} ${milli} PARENT_SCOPE)
endfunction()

# `value` as a CMake bracket argument ([=[...]=], with enough '=' that the
# value cannot end it), for generated CMake files.
function(_proctest_bracket value out)
  set(equals "=")
  while(value MATCHES "]${equals}]")
    string(APPEND equals "=")
  endwhile()
  set(${out} "[${equals}[${value}]${equals}]" PARENT_SCOPE)
endfunction()

# BINARIES of proctest_add_tests() and proctest_add_transcripts(): sets
# `entries_var` to the C++ initializer lines `{"name", PROCTEST_BINARY_<i>},`
# and `definitions_var` to the compile definitions PROCTEST_BINARY_<i>="<path>"
# of the generated source that holds them. Paths are generator expressions
# evaluated per configuration ($<TARGET_FILE> of Debug in Debug, of Release
# in Release); `target` depends on each binary that is built here.
function(_proctest_binaries caller target entries_var definitions_var)
  set(entries "")
  set(definitions "")
  set(index 0)
  foreach(binary IN LISTS ARGN)
    # A Windows path (C:/... or C:\...) is absolute on every host, also in a
    # cross build on Linux, where IS_ABSOLUTE does not know drive letters;
    # its backslashes become slashes (the path goes into a C++ string).
    if(binary MATCHES "^([^=]+=)?([A-Za-z]:[/\\].*)$")
      string(REPLACE "\\" "/" drive_path "${CMAKE_MATCH_2}")
      set(binary "${CMAKE_MATCH_1}${drive_path}")
    endif()
    if(binary MATCHES "^([^=]+)=(.+)$")
      set(binary_name "${CMAKE_MATCH_1}")
      set(binary_what "${CMAKE_MATCH_2}")
    elseif(binary MATCHES "/")
      get_filename_component(binary_name "${binary}" NAME)
      set(binary_what "${binary}")
    else()
      set(binary_name "${binary}")
      set(binary_what "${binary}")
    endif()
    if(NOT binary_name MATCHES "^[A-Za-z0-9_.+-]+$")
      message(FATAL_ERROR "${caller}(${target}): BINARIES name '${binary_name}' may only "
                          "hold letters, digits and _ . + -")
    endif()
    if(binary_what MATCHES "/")
      if(NOT IS_ABSOLUTE "${binary_what}" AND NOT binary_what MATCHES "^[A-Za-z]:/")
        message(FATAL_ERROR "${caller}(${target}): BINARIES path '${binary_what}' is not "
                            "absolute (a name without '/' is a target)")
      endif()
      set(path "${binary_what}")
    else()
      # A target, possibly defined later or imported (an installed tool's
      # package): $<TARGET_FILE> fails at generation if there is none.
      set(path "$<TARGET_FILE:${binary_what}>")
      if(NOT TARGET ${binary_what})
        add_dependencies(${target} ${binary_what})
      else()
        get_target_property(imported ${binary_what} IMPORTED)
        if(NOT imported)
          add_dependencies(${target} ${binary_what})
        endif()
      endif()
    endif()
    string(APPEND entries "    {\"${binary_name}\", PROCTEST_BINARY_${index}},\n")
    list(APPEND definitions "PROCTEST_BINARY_${index}=\"${path}\"")
    math(EXPR index "${index} + 1")
  endforeach()
  set(${entries_var} "${entries}" PARENT_SCOPE)
  set(${definitions_var} "${definitions}" PARENT_SCOPE)
endfunction()

function(proctest_add_tests name)
  set(discover_options NO_PRETTY_TYPES NO_PRETTY_VALUES)
  set(discover_values TEST_PREFIX TEST_SUFFIX WORKING_DIRECTORY TEST_LIST XML_OUTPUT_DIR
      DISCOVERY_MODE TEST_FILTER)
  cmake_parse_arguments(PARSE_ARGV 1 arg
    "NO_MAIN;${discover_options}"
    "TIMEOUT;CTEST_TIMEOUT;DISCOVERY_TIMEOUT;${discover_values}"
    "SOURCES;BINARIES;LABELS;LINK_LIBRARIES;ENVIRONMENT;PROPERTIES;EXTRA_ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "proctest_add_tests(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "proctest_add_tests(${name}): SOURCES is required")
  endif()
  if(NOT TARGET proctest::gtest)
    message(FATAL_ERROR "proctest_add_tests(${name}): the target proctest::gtest does not exist "
                        "(proctest was built without GoogleTest/GoogleMock: libgtest-dev libgmock-dev)")
  endif()
  # After add_subdirectory(proctest) / FetchContent, GoogleTest's imported
  # targets live in proctest's directory only: find them here too.
  if(NOT TARGET GTest::gtest)
    find_package(GTest REQUIRED)
  endif()
  if(NOT DEFINED arg_TIMEOUT)
    set(arg_TIMEOUT 30)
  endif()
  if(NOT arg_TIMEOUT MATCHES "^[1-9][0-9]*$")
    message(FATAL_ERROR "proctest_add_tests(${name}): TIMEOUT '${arg_TIMEOUT}' is not a whole "
                        "number of seconds > 0")
  endif()
  if(NOT DEFINED arg_DISCOVERY_TIMEOUT)
    set(arg_DISCOVERY_TIMEOUT 30)
  endif()

  # CTest's limit: the fixture's timeout, scaled like the fixture scales it,
  # plus a quarter and 10 s for teardown (grace periods) and the report, so
  # proctest's "did not exit within" message wins over CTest's kill.
  if(DEFINED arg_CTEST_TIMEOUT)
    set(ctest_timeout ${arg_CTEST_TIMEOUT})
  else()
    _proctest_timeout_scale_milli(scale_milli)
    math(EXPR scaled "(${arg_TIMEOUT} * ${scale_milli} + 999) / 1000")
    math(EXPR ctest_timeout "${scaled} + ${scaled} / 4 + 10")
  endif()

  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE proctest::gtest ${arg_LINK_LIBRARIES})
  if(NOT arg_NO_MAIN)
    # gmock_main: InitGoogleMock also takes the --gmock_* flags; the matchers are gMock's.
    if(TARGET GTest::gmock_main)
      target_link_libraries(${name} PRIVATE GTest::gmock_main)
    else()
      target_link_libraries(${name} PRIVATE GTest::gtest_main)
    endif()
  endif()

  # The binaries: a generated source registers name → path before main(), so
  # the suite finds them also when run by hand, outside CTest.
  _proctest_binaries(proctest_add_tests ${name} entries definitions ${arg_BINARIES})
  math(EXPR timeout_ms "${arg_TIMEOUT} * 1000")
  set(registration "${CMAKE_CURRENT_BINARY_DIR}/${name}_proctest_registration.cpp")
  file(CONFIGURE OUTPUT "${registration}" @ONLY CONTENT
"// Generated by proctest_add_tests(${name}): the binaries under test and the
// default timeout, registered before main(). Do not edit.
#include <proctest/registration.hpp>

namespace {
const proctest::detail::RegisteredSuite registered_suite({
${entries}}, ${timeout_ms});
}  // namespace
")
  target_sources(${name} PRIVATE "${registration}")
  set_property(SOURCE "${registration}" APPEND PROPERTY COMPILE_DEFINITIONS ${definitions})

  set(discover_args)
  foreach(option IN LISTS discover_options)
    if(arg_${option})
      list(APPEND discover_args ${option})
    endif()
  endforeach()
  foreach(keyword IN LISTS discover_values)
    if(DEFINED arg_${keyword})
      list(APPEND discover_args ${keyword} "${arg_${keyword}}")
    endif()
  endforeach()
  if(DEFINED arg_EXTRA_ARGS)
    list(APPEND discover_args EXTRA_ARGS ${arg_EXTRA_ARGS})
  endif()
  # gtest_discover_tests() finds its discovery script through a variable that
  # include(GoogleTest) sets in the scope where it runs. Including it once
  # at file scope reached only the directory that first included this file
  # (or, through find_package(GTest) in here, only the first call): later
  # suites got `-P ""` and CTest showed <suite>_NOT_BUILT. So: here, each call.
  include(GoogleTest)
  gtest_discover_tests(${name} ${discover_args}
    DISCOVERY_TIMEOUT ${arg_DISCOVERY_TIMEOUT}
    PROPERTIES TIMEOUT ${ctest_timeout} ${arg_PROPERTIES})

  # LABELS and ENVIRONMENT are lists, which gtest_discover_tests (CMake 3.25)
  # splits into separate arguments, and its test list leaves out every test
  # whose name has '[' or ']' (a TEST_P whose parameter prints so): a file
  # CTest includes after the discovered tests sets them on each test by name,
  # read from the file of discovered tests itself.
  if(arg_LABELS OR arg_ENVIRONMENT)
    get_property(counter TARGET ${name} PROPERTY CTEST_DISCOVERED_TEST_COUNTER)
    set(discovered "${CMAKE_CURRENT_BINARY_DIR}/${name}[${counter}]")
    if(NOT EXISTS "${discovered}_include.cmake")
      message(FATAL_ERROR "proctest_add_tests(${name}): this CMake's gtest_discover_tests() does "
                          "not write ${discovered}_include.cmake, so LABELS and ENVIRONMENT "
                          "cannot be set; set them with PROPERTIES, one value each")
    endif()
    _proctest_bracket("${arg_LABELS}" labels)
    _proctest_bracket("${arg_ENVIRONMENT}" environment)
    set(properties_file "${CMAKE_CURRENT_BINARY_DIR}/${name}_proctest_properties.cmake")
    # The template lies beside this file, in the source tree and in the
    # installed package alike. (Not a variable set when this file is
    # included: that would reach only the first directory, as above.)
    configure_file("${CMAKE_CURRENT_FUNCTION_LIST_DIR}/proctest-test-properties.cmake.in"
                   "${properties_file}" @ONLY)
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${properties_file}")
  endif()
endfunction()
