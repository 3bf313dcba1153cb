// The program under test of the package consumers: greets its argument.
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: greeter NAME\n");
    return 2;
  }
  std::printf("hello, %s\n", argv[1]);
  return 0;
}
