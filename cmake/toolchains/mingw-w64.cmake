# Cross-builds for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64-posix:
# GCC with POSIX threads, so std::thread and std::mutex work).
#
#   cmake -S . -B build-windows -DCMAKE_TOOLCHAIN_FILE=<proctest>/cmake/toolchains/mingw-w64.cmake
#
# Programs link statically (libgcc, libstdc++ and winpthread), so an .exe runs
# under Wine or on Windows without any DLL beside it.
#
# Boost: only the headers are needed (Asio is header-only). They come from the
# host's libboost1.81-dev, but -I/usr/include would put the whole Linux system
# include directory (glibc's headers) in front of mingw's. So
# find_package(Boost CONFIG) is pointed at a small package config beside this
# file (mingw-w64-boost/), whose Boost::headers target names a directory that
# holds nothing but a link to the host's boost/ folder. Set
# PROCTEST_MINGW_BOOST_INCLUDE to use Boost headers from elsewhere.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(PROCTEST_MINGW_PREFIX x86_64-w64-mingw32 CACHE STRING "The mingw-w64 target triple")
set(CMAKE_C_COMPILER ${PROCTEST_MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${PROCTEST_MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${PROCTEST_MINGW_PREFIX}-windres)

# Libraries and headers of the target only; programs (code generators) of the host.
set(CMAKE_FIND_ROOT_PATH /usr/${PROCTEST_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

set(PROCTEST_MINGW_BOOST_INCLUDE /usr/include CACHE PATH
  "The directory that holds Boost's boost/ header folder (host headers are fine: header-only use)")
# <Package>_DIR is read before any search, whatever the find root path says.
set(Boost_DIR ${CMAKE_CURRENT_LIST_DIR}/mingw-w64-boost CACHE PATH
  "Boost's package config for the mingw-w64 cross build")

# CTest (and gtest_discover_tests) run the programs under Wine where it is
# installed (Debian: wine64), so `ctest` works in the cross build as it is.
if(NOT CMAKE_CROSSCOMPILING_EMULATOR AND EXISTS /usr/lib/wine/wine64)
  set(CMAKE_CROSSCOMPILING_EMULATOR /usr/lib/wine/wine64)
endif()
