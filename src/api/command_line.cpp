#include "proctest/command_line.hpp"

#include <string>

#include "proctest/errors.hpp"

namespace proctest {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

[[noreturn]] void fail(std::string_view line, const char* what, std::size_t offset) {
  throw ProcessError("cannot split command line '" + std::string(line) + "': " + what +
                     " at offset " + std::to_string(offset));
}

}  // namespace

std::vector<std::string> split_command_line(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // "''" is an empty word, so quotes start a word too
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (is_blank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\\') {
      if (i + 1 == line.size()) fail(line, "trailing backslash", i);
      if (line[i + 1] != '\n') {  // backslash-newline joins lines
        word += line[i + 1];
        in_word = true;
      }
      i += 2;
    } else if (c == '\'') {
      std::size_t close = line.find('\'', i + 1);
      if (close == std::string_view::npos) fail(line, "unterminated single quote", i);
      word.append(line.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
    } else if (c == '"') {
      std::size_t open = i++;
      for (;;) {
        if (i == line.size()) fail(line, "unterminated double quote", open);
        char d = line[i];
        if (d == '"') break;
        if (d == '\\' && i + 1 < line.size()) {
          char n = line[i + 1];
          if (n == '"' || n == '\\' || n == '$' || n == '`') {
            word += n;
            i += 2;
            continue;
          }
          if (n == '\n') {
            i += 2;
            continue;
          }
        }
        word += d;
        ++i;
      }
      in_word = true;
      ++i;
    } else {
      word += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::string quote_argument(std::string_view argument) {
  if (argument.empty()) return "''";
  bool plain = true;
  for (char c : argument) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
    if (!safe) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(argument);
  std::string quoted = "'";
  for (char c : argument) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += '\'';
  return quoted;
}

std::string quote_command_line(const std::vector<std::string>& arguments) {
  std::string line;
  for (const auto& a : arguments) {
    if (!line.empty()) line += ' ';
    line += quote_argument(a);
  }
  return line;
}

}  // namespace proctest
