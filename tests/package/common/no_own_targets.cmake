# Checks that adding proctest as a subproject built only its libraries and the
# proctest-transcript runner: none of its tests, examples or benchmarks
# (PROJECT_IS_TOP_LEVEL gates them).
function(proctest_targets_below dir out)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    proctest_targets_below("${subdir}" more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} "${targets}" PARENT_SCOPE)
endfunction()

function(proctest_check_no_own_targets dir)
  proctest_targets_below("${dir}" targets)
  list(SORT targets)
  set(expected proctest_gtest proctest_matchers proctest_process proctest_transcript_runner
               proctest_transcripts proctest_transcripts_gtest)
  if(NOT targets STREQUAL expected)
    message(FATAL_ERROR "proctest as a subproject defines the targets '${targets}'; "
                        "expected only its libraries and runner: '${expected}'")
  endif()
  if(TARGET proctest_child OR TARGET proctest_examples OR TARGET numsum_test)
    message(FATAL_ERROR "proctest's own test targets exist")
  endif()
  get_property(tests DIRECTORY "${dir}" PROPERTY TESTS)
  if(tests)
    message(FATAL_ERROR "proctest registered its own tests: ${tests}")
  endif()
  message(STATUS "proctest as a subproject: only ${targets}")
endfunction()
