# Runs a GoogleTest suite as SHARDS shards (GTEST_TOTAL_SHARDS /
# GTEST_SHARD_INDEX, what Bazel's shard_count and other distributed runners
# set) and checks that every test of the suite ran in exactly one shard and
# passed, and that each shard acknowledged sharding (GTEST_SHARD_STATUS_FILE).
#
#   cmake -DSUITE=path/to/suite -DSHARDS=3 -DOUTPUT_DIR=dir -P check_shards.cmake
foreach(variable SUITE SHARDS OUTPUT_DIR)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "check_shards.cmake: -D${variable}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE "${OUTPUT_DIR}")
file(MAKE_DIRECTORY "${OUTPUT_DIR}")

# "Suite.Test" of every test in a GoogleTest JSON report (listing or run);
# with `failed_out`, also those that failed or did not complete.
function(tests_in_report file names_out failed_out)
  file(READ "${file}" json)
  set(names "")
  set(failed "")
  string(JSON suite_count LENGTH "${json}" testsuites)
  math(EXPR last_suite "${suite_count} - 1")
  foreach(i RANGE ${last_suite})
    string(JSON suite GET "${json}" testsuites ${i} name)
    string(JSON test_count LENGTH "${json}" testsuites ${i} testsuite)
    math(EXPR last_test "${test_count} - 1")
    foreach(j RANGE ${last_test})
      string(JSON test GET "${json}" testsuites ${i} testsuite ${j} name)
      list(APPEND names "${suite}.${test}")
      string(JSON result ERROR_VARIABLE no_result GET "${json}" testsuites ${i} testsuite ${j} result)
      string(JSON failures ERROR_VARIABLE no_failures
             LENGTH "${json}" testsuites ${i} testsuite ${j} failures)
      if(NOT no_result AND (NOT result STREQUAL "COMPLETED" OR (NOT no_failures AND failures GREATER 0)))
        list(APPEND failed "${suite}.${test}")
      endif()
    endforeach()
  endforeach()
  set(${names_out} "${names}" PARENT_SCOPE)
  set(${failed_out} "${failed}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND "${SUITE}" --gtest_list_tests "--gtest_output=json:${OUTPUT_DIR}/list.json"
  OUTPUT_QUIET RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "listing the tests of ${SUITE} failed: ${status}")
endif()
tests_in_report("${OUTPUT_DIR}/list.json" all_tests unused)
list(LENGTH all_tests total)

set(ran "")
math(EXPR last_shard "${SHARDS} - 1")
foreach(index RANGE ${last_shard})
  set(report "${OUTPUT_DIR}/shard-${index}.json")
  set(status_file "${OUTPUT_DIR}/shard-${index}.status")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env GTEST_TOTAL_SHARDS=${SHARDS} GTEST_SHARD_INDEX=${index}
            GTEST_SHARD_STATUS_FILE=${status_file}
            "${SUITE}" "--gtest_output=json:${report}"
    OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "shard ${index} of ${SHARDS} failed (${status}):\n${output}")
  endif()
  if(NOT EXISTS "${status_file}")
    message(FATAL_ERROR "shard ${index} did not create GTEST_SHARD_STATUS_FILE")
  endif()
  tests_in_report("${report}" shard_tests shard_failed)
  if(shard_failed)
    message(FATAL_ERROR "shard ${index}: failed: ${shard_failed}\n${output}")
  endif()
  list(LENGTH shard_tests count)
  message(STATUS "shard ${index} of ${SHARDS}: ${count} tests passed")
  list(APPEND ran ${shard_tests})
endforeach()

set(unique "${ran}")
list(REMOVE_DUPLICATES unique)
list(LENGTH ran ran_count)
list(LENGTH unique unique_count)
if(NOT ran_count EQUAL unique_count)
  message(FATAL_ERROR "some tests ran in more than one shard: ${ran}")
endif()
set(missing "${all_tests}")
list(REMOVE_ITEM missing ${ran})
if(missing OR NOT ran_count EQUAL total)
  message(FATAL_ERROR "${ran_count} of ${total} tests ran; never run: ${missing}")
endif()
message(STATUS "all ${total} tests ran exactly once over ${SHARDS} shards and passed")
