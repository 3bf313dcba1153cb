# What every package consumer does once proctest is there (find_package,
# add_subdirectory or FetchContent): build a program and an end-to-end suite
# with proctest_add_tests(), a plain target that links proctest::gtest, two
# transcript suites with proctest_add_transcripts(), and the
# proctest-transcript runner on a transcript.
foreach(function proctest_add_tests proctest_add_transcripts)
  if(NOT COMMAND ${function})
    message(FATAL_ERROR "${function}() is not available")
  endif()
endforeach()
if(NOT proctest_VERSION VERSION_EQUAL EXPECTED_PROCTEST_VERSION)
  message(FATAL_ERROR "proctest_VERSION is '${proctest_VERSION}', expected '${EXPECTED_PROCTEST_VERSION}'")
endif()
foreach(target proctest::process proctest::matchers proctest::gtest proctest::transcripts
               proctest::transcripts_gtest proctest::transcript_runner)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "no target ${target}")
  endif()
endforeach()

enable_testing()
set(common ${CMAKE_CURRENT_LIST_DIR})

add_executable(greeter ${common}/greeter.cpp)
proctest_add_tests(greeter_test
  SOURCES ${common}/greeter_test.cpp
  BINARIES greeter true=/usr/bin/true shell=/bin/sh
  LABELS consumer e2e
  ENVIRONMENT CONSUMER_A=1 CONSUMER_B=two
  TIMEOUT 20)
target_compile_features(greeter_test PRIVATE cxx_std_17)
target_compile_definitions(greeter_test PRIVATE
  GREETER_FILE="$<TARGET_FILE:greeter>"
  CONSUMER_TIMEOUT=20
  CONSUMER_CONFIG_DIR="$<$<BOOL:${CMAKE_CONFIGURATION_TYPES}>:$<CONFIG>>")

# A second suite in the same directory (each call must register its tests,
# whatever the way proctest came in), a case table whose test names hold
# '[', ']' and ';', with both labels and the environment on each case.
# PROCTEST_CONSUMER_DISCOVERY_MODE: gtest_discover_tests()'s DISCOVERY_MODE,
# passed through (the FetchContent consumer discovers before testing).
if(NOT DEFINED PROCTEST_CONSUMER_DISCOVERY_MODE)
  set(PROCTEST_CONSUMER_DISCOVERY_MODE POST_BUILD)
endif()
proctest_add_tests(greeter_cases_test
  SOURCES ${common}/greeter_cases_test.cpp
  BINARIES greeter
  LABELS consumer e2e
  ENVIRONMENT CONSUMER_CASES=yes
  DISCOVERY_MODE ${PROCTEST_CONSUMER_DISCOVERY_MODE}
  TIMEOUT 20)
target_compile_features(greeter_cases_test PRIVATE cxx_std_17)

# Without the helper: the targets are enough. (After add_subdirectory or
# FetchContent, GoogleTest's own targets are not visible here until found.)
if(NOT TARGET GTest::gtest_main)
  find_package(GTest REQUIRED)
endif()
add_executable(plain_test ${common}/plain_test.cpp)
target_link_libraries(plain_test PRIVATE proctest::gtest GTest::gtest_main)
add_test(NAME plain_test COMMAND plain_test)
set_tests_properties(plain_test PROPERTIES LABELS plain)

# Transcripts: two suites in one directory, each a program of its own with
# one CTest test per console block.
proctest_add_transcripts(greeter_transcripts
  FILES ${common}/greeter.md
  BINARIES greeter
  LABELS consumer e2e
  TIMEOUT 20)
proctest_add_transcripts(greeter_usage
  FILES ${common}/usage.md
  BINARIES greeter shell=/bin/sh
  LABELS consumer e2e)
# And without GoogleTest: the runner, given the program's path.
add_test(NAME greeter_transcript_runner
  COMMAND $<TARGET_FILE:proctest::transcript_runner> --binary greeter=$<TARGET_FILE:greeter>
          ${common}/greeter.md)
set_tests_properties(greeter_transcript_runner PROPERTIES LABELS "consumer;e2e")
