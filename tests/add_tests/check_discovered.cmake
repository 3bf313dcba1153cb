# Checks what CTest lists for the two suites of tests/add_tests, names and
# labels, against the exact listings below:
#   cmake -DCTEST=<ctest> -DDIR=<tests/add_tests build dir> -P check_discovered.cmake
set(failures "")

# Compares `ctest -N <args>` in DIR (DIR itself written <dir>) with `expected`.
function(expect_listing expected)
  execute_process(COMMAND ${CTEST} -N ${ARGN} WORKING_DIRECTORY "${DIR}"
                  OUTPUT_VARIABLE listing RESULT_VARIABLE status)
  string(REPLACE "${DIR}" "<dir>" listing "${listing}")
  if(NOT status EQUAL 0 OR NOT listing STREQUAL expected)
    set(failures "${failures}\nctest -N ${ARGN} (exit ${status}):\n--- expected\n${expected}"
                 "--- listed\n${listing}" PARENT_SCOPE)
  endif()
endfunction()

# Issue 12, item 8: both suites registered in this one directory (the
# second used to be <suite>_NOT_BUILT).
expect_listing([=[Test project <dir>

Total Tests: 0
]=] -R _NOT_BUILT)

# Issue 12, item 9: the label reaches every test, brackets and semicolons
# in its name or not (those used to get no LABELS and no ENVIRONMENT).
expect_listing([=[Test project <dir>
  Test  #1: Plain.GetsTheSuitesEnvironment
  Test  #2: Cases/Params.GetTheSuitesEnvironment/"plain"
  Test  #3: Cases/Params.GetTheSuitesEnvironment/"a[1]"
  Test  #4: Cases/Params.GetTheSuitesEnvironment/"open["
  Test  #5: Cases/Params.GetTheSuitesEnvironment/"close]"
  Test  #6: Cases/Params.GetTheSuitesEnvironment/"x;y"
  Test  #7: Cases/Params.RunTheirCase/"plain"
  Test  #8: Cases/Params.RunTheirCase/"a[1]"
  Test  #9: Cases/Params.RunTheirCase/"open["
  Test #10: Cases/Params.RunTheirCase/"close]"
  Test #11: Cases/Params.RunTheirCase/"x;y"

Total Tests: 11
]=] -L add_tests_pretty)

# NO_PRETTY_VALUES, TEST_PREFIX and TEST_SUFFIX passed through.
expect_listing([=[Test project <dir>
  Test #12: numbered.Plain.GetsTheSuitesEnvironment.n
  Test #13: numbered.Cases/Params.GetTheSuitesEnvironment/0.n
  Test #14: numbered.Cases/Params.GetTheSuitesEnvironment/1.n
  Test #15: numbered.Cases/Params.GetTheSuitesEnvironment/2.n
  Test #16: numbered.Cases/Params.GetTheSuitesEnvironment/3.n
  Test #17: numbered.Cases/Params.GetTheSuitesEnvironment/4.n
  Test #18: numbered.Cases/Params.RunTheirCase/0.n
  Test #19: numbered.Cases/Params.RunTheirCase/1.n
  Test #20: numbered.Cases/Params.RunTheirCase/2.n
  Test #21: numbered.Cases/Params.RunTheirCase/3.n
  Test #22: numbered.Cases/Params.RunTheirCase/4.n

Total Tests: 11
]=] -L add_tests_numbered)

if(failures)
  message(FATAL_ERROR "${failures}")
endif()
