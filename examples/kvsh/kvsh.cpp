// kvsh — an in-memory key-value store you talk to on stdin, one command per
// line: a small interactive program (REPL), the program under test of
// kvsh_test.cpp.
//
//   $ kvsh
//   kvsh> set greeting hello world
//   OK
//   kvsh> get greeting
//   hello world
#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

namespace {

constexpr const char* kUsage = R"(usage: kvsh [--prompt TEXT]
An in-memory key-value store you talk to on stdin, one command per line:

  set KEY VALUE   store VALUE (the rest of the line) under KEY; prints OK
  get KEY         prints the value, or (nil)
  del KEY         prints 1 if KEY was removed, 0 if there was none
  keys            prints the number of keys, then the keys in order, one a line
  quit [CODE]     exits with status CODE (default 0); so does end of input

Before each command it prints the prompt (default "kvsh> ", without a
newline; --prompt '' for none). Errors go to stderr as "error: ..." and the
shell goes on.
)";

// Splits off the first word; `rest` gets what follows the blanks after it.
std::string first_word(const std::string& line, std::string& rest) {
  std::size_t start = line.find_first_not_of(' ');
  if (start == std::string::npos) {
    rest.clear();
    return {};
  }
  std::size_t end = line.find(' ', start);
  std::string word = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::size_t next =
      end == std::string::npos ? std::string::npos : line.find_first_not_of(' ', end);
  rest = next == std::string::npos ? std::string() : line.substr(next);
  return word;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef _WIN32
  // "\n" stays "\n" on Windows too (text mode would write "\r\n"): the
  // same output, and the same tests, everywhere.
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
#endif
  std::string prompt = "kvsh> ";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--prompt" && i + 1 < argc) {
      prompt = argv[++i];
    } else {
      std::cerr << "kvsh: unknown argument '" << arg << "'\nTry 'kvsh --help'.\n";
      return 2;
    }
  }

  std::map<std::string, std::string> store;
  std::string line;
  // std::flush after each answer: stdout is a pipe, not a terminal, and the
  // other side waits for the answer before it sends the next command.
  while (std::cout << prompt << std::flush, std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string rest;
    std::string command = first_word(line, rest);
    std::string argument;
    std::string key = first_word(rest, argument);
    if (command.empty()) continue;
    if (command == "set" && !key.empty() && !argument.empty()) {
      store[key] = argument;
      std::cout << "OK" << std::endl;
    } else if (command == "get" && !key.empty() && argument.empty()) {
      auto it = store.find(key);
      std::cout << (it == store.end() ? "(nil)" : it->second) << std::endl;
    } else if (command == "del" && !key.empty() && argument.empty()) {
      std::cout << store.erase(key) << std::endl;
    } else if (command == "keys" && rest.empty()) {
      std::cout << store.size() << "\n";
      for (const auto& entry : store) std::cout << entry.first << "\n";
      std::cout << std::flush;
    } else if (command == "quit" && argument.empty()) {
      char* end = nullptr;
      long code = key.empty() ? 0 : std::strtol(key.c_str(), &end, 10);
      if (!key.empty() && (*end != '\0' || code < 0 || code > 255)) {
        std::cerr << "error: quit takes an exit status from 0 to 255, not '" << key << "'"
                  << std::endl;
        continue;
      }
      return static_cast<int>(code);
    } else if (command == "set" || command == "get" || command == "del" || command == "keys" ||
               command == "quit") {
      std::cerr << "error: usage: " << command
                << (command == "set"    ? " KEY VALUE"
                    : command == "keys" ? ""
                    : command == "quit" ? " [CODE]"
                                        : " KEY")
                << std::endl;
    } else {
      std::cerr << "error: unknown command '" << command << "' (try set, get, del, keys, quit)"
                << std::endl;
    }
  }
  std::cout << std::endl;  // end of input: end the prompt's line
  return 0;
}
