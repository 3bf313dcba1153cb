// numsum — sums columns of numbers: a small filter (stdin → stdout) with
// exit codes and error messages, the program under test of numsum_test.cpp.
//
//   $ printf '1 2\n3 4\n' | numsum
//   4 6
#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage = R"(usage: numsum [options] [file...]
Sums the columns of numbers read from the files, or from stdin, and prints
one line with the sum of each column.

  -c, --column N      sum only column N (counted from 1)
  -d, --delimiter C   columns are separated by the character C
                      (default: runs of spaces and tabs)
  -m, --mean          print the mean of each column instead of the sum
  -h, --help          print this help and exit

Blank lines are skipped. Exit status: 0 on success, 1 on bad input (a field
that is not a number, rows of different widths, a file that cannot be read),
2 on bad usage.
)";

struct Config {
  std::optional<std::size_t> column;
  std::optional<char> delimiter;
  bool mean = false;
  std::vector<std::string> files;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "numsum: " << message << "\nTry 'numsum --help'.\n";
  std::exit(2);
}

[[noreturn]] void input_error(const std::string& message) {
  std::cerr << "numsum: " << message << "\n";
  std::exit(1);
}

Config parse_arguments(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error("option '" + arg + "' needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg == "-c" || arg == "--column") {
      std::string text = value();
      char* end = nullptr;
      unsigned long n = std::strtoul(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || n == 0 || text[0] == '-') {
        usage_error("option '" + arg + "' needs a column number from 1 up, not '" + text + "'");
      }
      config.column = n;
    } else if (arg == "-d" || arg == "--delimiter") {
      std::string text = value();
      if (text.size() != 1) usage_error("the delimiter must be one character, not '" + text + "'");
      config.delimiter = text[0];
    } else if (arg == "-m" || arg == "--mean") {
      config.mean = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      usage_error("unknown option '" + arg + "'");
    } else {
      config.files.push_back(arg);
    }
  }
  return config;
}

std::vector<std::string> split(const std::string& line, std::optional<char> delimiter) {
  std::vector<std::string> fields;
  if (delimiter) {
    std::size_t start = 0;
    for (std::size_t at; (at = line.find(*delimiter, start)) != std::string::npos; start = at + 1) {
      fields.push_back(line.substr(start, at - start));
    }
    fields.push_back(line.substr(start));
    return fields;
  }
  std::size_t at = 0;
  while (true) {
    at = line.find_first_not_of(" \t", at);
    if (at == std::string::npos) break;
    std::size_t end = line.find_first_of(" \t", at);
    fields.push_back(line.substr(at, end == std::string::npos ? std::string::npos : end - at));
    at = end;
  }
  return fields;
}

double parse_number(std::string field, const std::string& where) {
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.pop_back();
  std::size_t lead = field.find_first_not_of(" \t");
  field.erase(0, lead == std::string::npos ? field.size() : lead);
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(field.c_str(), &end);
  if (field.empty() || *end != '\0' || errno == ERANGE) {
    input_error(where + ": '" + field + "' is not a number");
  }
  return value;
}

struct Sums {
  std::vector<double> sums;
  std::size_t rows = 0;
};

void add_stream(std::istream& in, const std::string& name, const Config& config, Sums& sums) {
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::string where = name + ":" + std::to_string(number);
    std::vector<std::string> fields = split(line, config.delimiter);
    if (config.column) {
      if (*config.column > fields.size()) {
        input_error(where + ": no column " + std::to_string(*config.column) + " (the line has " +
                    std::to_string(fields.size()) + ")");
      }
      fields = {fields[*config.column - 1]};
    }
    if (sums.rows == 0) {
      sums.sums.assign(fields.size(), 0.0);
    } else if (fields.size() != sums.sums.size()) {
      input_error(where + ": " + std::to_string(fields.size()) + " columns, expected " +
                  std::to_string(sums.sums.size()));
    }
    for (std::size_t i = 0; i < fields.size(); ++i) sums.sums[i] += parse_number(fields[i], where);
    ++sums.rows;
  }
  if (in.bad()) input_error("cannot read " + name);
}

}  // namespace

int main(int argc, char** argv) {
#ifdef _WIN32
  // "\n" stays "\n" on Windows too (text mode would write "\r\n"): the
  // same output, and the same tests, everywhere.
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
#endif
  Config config = parse_arguments(argc, argv);
  Sums sums;
  if (config.files.empty()) {
    add_stream(std::cin, "stdin", config, sums);
  }
  for (const std::string& file : config.files) {
    std::ifstream in(file);
    if (!in) input_error("cannot open '" + file + "': " + std::strerror(errno));
    add_stream(in, file, config, sums);
  }
  if (sums.rows == 0) {
    if (config.mean) input_error("no numbers to average");
    if (config.column) std::cout << "0\n";
    return 0;
  }
  for (std::size_t i = 0; i < sums.sums.size(); ++i) {
    double value = config.mean ? sums.sums[i] / static_cast<double>(sums.rows) : sums.sums[i];
    std::printf("%s%.15g", i ? " " : "", value);
  }
  std::printf("\n");
  return 0;
}
