# Builds one package consumer project and runs its tests, timing each step.
#
#   cmake -DCONSUMER=<dir> -DBINARY_DIR=<dir> -DGENERATOR=<g> -DCONFIG=<config>
#         -DCXX_COMPILER=<path> -DMAKE_PROGRAM=<path> -DPROCTEST_SOURCE_DIR=<dir>
#         -DPROCTEST_VERSION=<x.y.z> [-DINSTALL_FROM=<proctest build dir>]
#         [-DCONFIGURE_ONLY=ON] [-DUNITY=ON] -P build_and_test.cmake
#
# With INSTALL_FROM, first installs that (already built) proctest build into
# <BINARY_DIR>/prefix with `cmake --install`, and points the consumer there.
# With UNITY, the consumer is a unity build (CMAKE_UNITY_BUILD=ON), proctest included.
foreach(variable CONSUMER BINARY_DIR GENERATOR CXX_COMPILER PROCTEST_SOURCE_DIR PROCTEST_VERSION)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "build_and_test.cmake: -D${variable}=... is required")
  endif()
endforeach()

string(TIMESTAMP started "%s")
function(step what)
  string(TIMESTAMP now "%s")
  math(EXPR seconds "${now} - ${started}")
  message(STATUS "[${seconds} s] ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}")
  endif()
endfunction()

file(REMOVE_RECURSE "${BINARY_DIR}")
set(configure_args -S "${CONSUMER}" -B "${BINARY_DIR}/build" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DPROCTEST_SOURCE_DIR=${PROCTEST_SOURCE_DIR}
    -DEXPECTED_PROCTEST_VERSION=${PROCTEST_VERSION})
if(MAKE_PROGRAM)
  list(APPEND configure_args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
if(UNITY)
  list(APPEND configure_args -DCMAKE_UNITY_BUILD=ON)
endif()
if(GENERATOR MATCHES "Multi-Config")
  # Two configurations, the one built not the default: a path that ignored
  # the configuration would name a program that was never built.
  # (An initial cache file, as a list does not survive being passed on as arguments.)
  set(default_config Release)
  if(CONFIG STREQUAL "Release")
    set(default_config Debug)
  endif()
  # No flags for the configuration built (no -g, no -O: the cheapest to
  # compile), like the single-config consumers.
  string(TOUPPER "${CONFIG}" upper_config)
  file(WRITE "${BINARY_DIR}/configs.cmake"
       "set(CMAKE_CONFIGURATION_TYPES \"${default_config};${CONFIG}\" CACHE STRING \"\")\n"
       "set(CMAKE_CXX_FLAGS_${upper_config} \"\" CACHE STRING \"\")\n")
  list(APPEND configure_args -C "${BINARY_DIR}/configs.cmake")
else()
  list(APPEND configure_args -DCMAKE_BUILD_TYPE=${CONFIG})
endif()

if(INSTALL_FROM)
  set(prefix "${BINARY_DIR}/prefix")
  step("cmake --install ${INSTALL_FROM} --prefix ${prefix}"
    ${CMAKE_COMMAND} --install "${INSTALL_FROM}" --prefix "${prefix}" ${INSTALL_CONFIG})
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${prefix}")
  # pkg-config finds the .pc file through CMAKE_PREFIX_PATH (PKG_CONFIG_USE_CMAKE_PREFIX_PATH).
endif()

step("configure ${CONSUMER} (${GENERATOR})" ${CMAKE_COMMAND} ${configure_args})
if(CONFIGURE_ONLY)
  # The consumer's checks (targets, functions, version, no test of proctest's
  # own) run at configure time; the build would compile what another
  # consumer already compiles. What can be seen of discovery without a build:
  # every suite's post-build discovery runs GoogleTest's script (issue 12:
  # after the first proctest_add_tests() of a directory it got -P "").
  # (Read from build.ninja: with another generator the check is left out.)
  if(EXISTS "${BINARY_DIR}/build/build.ninja")
    file(READ "${BINARY_DIR}/build/build.ninja" ninja)
    foreach(suite greeter_test greeter_cases_test)
      if(NOT ninja MATCHES "TEST_TARGET=${suite}[^\n]* -P [^ \n]*GoogleTestAddTests\\.cmake")
        message(FATAL_ERROR "${suite}: its post-build discovery does not run GoogleTestAddTests.cmake")
      endif()
    endforeach()
  endif()
  string(TIMESTAMP now "%s")
  math(EXPR seconds "${now} - ${started}")
  message(STATUS "[${seconds} s] done (configured and generated; not built: CONFIGURE_ONLY)")
  return()
endif()
set(build_config "")
set(test_config "")
if(CONFIG)
  set(build_config --config "${CONFIG}")
  set(test_config -C "${CONFIG}")
endif()
step("build (-j2 ${CONFIG})" ${CMAKE_COMMAND} --build "${BINARY_DIR}/build" ${build_config} -j 2)
step("test" ${CMAKE_COMMAND} -E chdir "${BINARY_DIR}/build"
     ${CMAKE_CTEST_COMMAND} ${test_config} --output-on-failure --no-tests=error)
# proctest_add_tests(... LABELS consumer e2e): both labels on every test of
# both suites, bracketed case names included; the rest are labelled plain.
# At least the 5 cases of the case table beside the first suite's tests.
set(counts "")
foreach(label consumer e2e plain "")
  set(filter "")
  if(label)
    set(filter -L ${label})
  endif()
  execute_process(COMMAND ${CMAKE_CTEST_COMMAND} ${test_config} -N ${filter}
    WORKING_DIRECTORY "${BINARY_DIR}/build" OUTPUT_VARIABLE listing)
  string(REGEX MATCH "Total Tests: ([0-9]+)" total "${listing}")
  list(APPEND counts "${CMAKE_MATCH_1}")
  if(listing MATCHES "_NOT_BUILT")
    message(FATAL_ERROR "a suite's tests were not discovered:\n${listing}")
  endif()
endforeach()
list(GET counts 0 consumer_count)
list(GET counts 1 e2e_count)
list(GET counts 2 plain_count)
list(GET counts 3 all_count)
math(EXPR labelled "${all_count} - ${plain_count}")
if(NOT consumer_count GREATER 12 OR NOT consumer_count EQUAL e2e_count
   OR NOT consumer_count EQUAL labelled)
  message(FATAL_ERROR "labels: ${consumer_count} tests labelled consumer, ${e2e_count} e2e, "
                      "${plain_count} plain, of ${all_count}")
endif()
string(TIMESTAMP now "%s")
math(EXPR seconds "${now} - ${started}")
message(STATUS "[${seconds} s] done (${e2e_count} tests labelled consumer and e2e)")
