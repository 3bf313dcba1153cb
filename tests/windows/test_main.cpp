// main() of the Windows test programs: GoogleMock's, with stdout and stderr in
// binary mode, so that "\n" stays "\n" (the C runtime's text mode would write
// "\r\n", which CTest's test discovery keeps as part of each test name).
#include <fcntl.h>
#include <io.h>

#include <cstdio>

#include <gmock/gmock.h>

int main(int argc, char** argv) {
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
  ::testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}
