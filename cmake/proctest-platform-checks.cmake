# Feature checks for the POSIX backends: what posix_spawn and friends offer
# on this system, instead of guesses by operating system. Sets
# PROCTEST_PLATFORM_DEFINITIONS (compile definitions of proctest_process).
include(CheckCXXSymbolExists)
include(CheckCXXSourceCompiles)

set(PROCTEST_PLATFORM_DEFINITIONS "")
set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE -D_DARWIN_C_SOURCE)

function(_proctest_check symbol header definition)
  check_cxx_symbol_exists(${symbol} "${header}" ${definition})
  if(${definition})
    set(PROCTEST_PLATFORM_DEFINITIONS ${PROCTEST_PLATFORM_DEFINITIONS} ${definition} PARENT_SCOPE)
  endif()
endfunction()

# glibc 2.34+: close every descriptor above 2 in the child.
_proctest_check(posix_spawn_file_actions_addclosefrom_np spawn.h PROCTEST_HAVE_ADDCLOSEFROM_NP)
# glibc 2.29+, macOS 10.15+: the child's working directory.
_proctest_check(posix_spawn_file_actions_addchdir_np spawn.h PROCTEST_HAVE_ADDCHDIR_NP)
# glibc 2.26+, macOS: a new session (PTY mode).
_proctest_check(POSIX_SPAWN_SETSID spawn.h PROCTEST_HAVE_POSIX_SPAWN_SETSID)
# macOS: only descriptors named in file actions survive the spawn.
_proctest_check(POSIX_SPAWN_CLOEXEC_DEFAULT spawn.h PROCTEST_HAVE_POSIX_SPAWN_CLOEXEC_DEFAULT)
_proctest_check(ptsname_r stdlib.h PROCTEST_HAVE_PTSNAME_R)
_proctest_check(pipe2 unistd.h PROCTEST_HAVE_PIPE2)
# Linux, the BSDs: a poll whose timeout is not rounded to milliseconds.
_proctest_check(ppoll poll.h PROCTEST_HAVE_PPOLL)

# pthread_setname_np: (thread, name) on glibc and the BSDs, (name) on macOS.
set(CMAKE_REQUIRED_LIBRARIES Threads::Threads)
check_cxx_source_compiles("

#include <pthread.h>
int main(void) { return pthread_setname_np(pthread_self(), \"x\"); }"
  PROCTEST_HAVE_PTHREAD_SETNAME_NP_2)
if(PROCTEST_HAVE_PTHREAD_SETNAME_NP_2)
  list(APPEND PROCTEST_PLATFORM_DEFINITIONS PROCTEST_HAVE_PTHREAD_SETNAME_NP_2)
else()
  check_cxx_source_compiles("
#include <pthread.h>
int main(void) { return pthread_setname_np(\"x\"); }"
    PROCTEST_HAVE_PTHREAD_SETNAME_NP_1)
  if(PROCTEST_HAVE_PTHREAD_SETNAME_NP_1)
    list(APPEND PROCTEST_PLATFORM_DEFINITIONS PROCTEST_HAVE_PTHREAD_SETNAME_NP_1)
  endif()
endif()
unset(CMAKE_REQUIRED_LIBRARIES)
unset(CMAKE_REQUIRED_DEFINITIONS)

# A terminal's line buffer: Linux's N_TTY holds 4096 bytes whatever
# MAX_CANON (255) says; elsewhere MAX_CANON is the truth.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  list(APPEND PROCTEST_PLATFORM_DEFINITIONS PROCTEST_TERMINAL_LINE_LIMIT=4096)
endif()
