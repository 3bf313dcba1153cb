// Fuzzes split_command_line, quote_argument and quote_command_line.
//
// Properties: splitting any text either gives words or throws ProcessError;
// quoting words and splitting the result gives the same words back (both for
// the words of a split and for the input cut at NUL bytes into arguments).
#include <proctest/command_line.hpp>
#include <proctest/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"

namespace {

void check_round_trip(const std::vector<std::string>& arguments) {
  const std::string line = proctest::quote_command_line(arguments);
  PROCTEST_FUZZ_CHECK(proctest::split_command_line(line) == arguments);
  for (const std::string& a : arguments) {
    const std::vector<std::string> one = proctest::split_command_line(proctest::quote_argument(a));
    PROCTEST_FUZZ_CHECK(one.size() == 1 && one[0] == a);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  try {
    check_round_trip(proctest::split_command_line(input));
  } catch (const proctest::ProcessError& e) {
    PROCTEST_FUZZ_CHECK(std::string_view(e.what()).rfind("cannot split command line '", 0) == 0);
  }

  std::vector<std::string> arguments;
  for (std::size_t pos = 0; pos <= input.size();) {
    std::size_t nul = input.find('\0', pos);
    if (nul == std::string_view::npos) nul = input.size();
    arguments.emplace_back(input.substr(pos, nul - pos));
    pos = nul + 1;
  }
  check_round_trip(arguments);
  return 0;
}
