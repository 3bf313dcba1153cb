#include "platform/windows/environment.hpp"

#include <windows.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "platform/windows/unicode.hpp"

namespace proctest::detail::windows {

namespace {

// <0, 0, >0 as Windows orders names in a block: ordinal, ignoring case.
int compare_names(std::wstring_view a, std::wstring_view b) {
  int r = ::CompareStringOrdinal(a.data(), static_cast<int>(a.size()), b.data(),
                                 static_cast<int>(b.size()), TRUE);
  return r - CSTR_EQUAL;
}

std::wstring checked_wide(std::string_view text, const char* what) {
  if (text.find('\0') != std::string_view::npos) {
    throw std::invalid_argument(std::string("environment ") + what + " contains a NUL byte: '" +
                                std::string(text.substr(0, text.find('\0'))) + "'");
  }
  if (text.size() > INT_MAX / 2) throw std::invalid_argument("environment entry too long");
  return to_wide(text);
}

// "NAME=value" -> {NAME, value}; a leading '=' belongs to the name ("=C:=C:\x").
std::pair<std::wstring, std::wstring> split_entry(std::wstring_view entry,
                                                  std::string_view original) {
  std::size_t eq = entry.find(L'=', 1);
  if (entry.empty() || eq == std::wstring_view::npos) {
    throw std::invalid_argument("environment entry '" + std::string(original) +
                                "' is not NAME=value");
  }
  return {std::wstring(entry.substr(0, eq)), std::wstring(entry.substr(eq + 1))};
}

}  // namespace

bool same_name(std::wstring_view a, std::wstring_view b) { return compare_names(a, b) == 0; }

Environment Environment::from_entries(const std::vector<std::string>& entries) {
  Environment env;
  for (const std::string& e : entries) {
    auto [name, value] = split_entry(checked_wide(e, "entry"), e);
    env.put(std::move(name), std::move(value));
  }
  return env;
}

Environment Environment::current() {
  Environment env;
  wchar_t* strings = ::GetEnvironmentStringsW();
  if (strings == nullptr) return env;
  for (const wchar_t* p = strings; *p != L'\0';) {
    std::wstring_view entry(p);
    std::size_t eq = entry.find(L'=', 1);
    if (eq != std::wstring_view::npos) {
      env.put(std::wstring(entry.substr(0, eq)), std::wstring(entry.substr(eq + 1)));
    }
    p += entry.size() + 1;
  }
  ::FreeEnvironmentStringsW(strings);
  return env;
}

void Environment::set(std::string_view name, std::string_view value) {
  if (name.empty() || name.find('=') != std::string_view::npos) {
    throw std::invalid_argument("environment variable name '" + std::string(name) +
                                "' is empty or contains '='");
  }
  put(checked_wide(name, "name"), checked_wide(value, "value"));
}

void Environment::remove(std::string_view name) {
  std::wstring wide = to_wide(name);
  auto it = std::lower_bound(
      variables_.begin(), variables_.end(), wide,
      [](const auto& v, const std::wstring& n) { return compare_names(v.first, n) < 0; });
  if (it != variables_.end() && same_name(it->first, wide)) variables_.erase(it);
}

std::optional<std::wstring> Environment::get(std::wstring_view name) const {
  auto it = std::lower_bound(
      variables_.begin(), variables_.end(), name,
      [](const auto& v, std::wstring_view n) { return compare_names(v.first, n) < 0; });
  if (it != variables_.end() && same_name(it->first, name)) return it->second;
  return std::nullopt;
}

std::vector<std::string> Environment::entries() const {
  std::vector<std::string> out;
  out.reserve(variables_.size());
  for (const auto& [name, value] : variables_) out.push_back(to_utf8(name + L"=" + value));
  return out;
}

std::wstring Environment::block() const {
  std::wstring out;
  for (const auto& [name, value] : variables_) {
    out += name;
    out += L'=';
    out += value;
    out += L'\0';
  }
  if (out.empty()) out += L'\0';
  out += L'\0';
  return out;
}

void Environment::put(std::wstring name, std::wstring value) {
  auto it = std::lower_bound(
      variables_.begin(), variables_.end(), name,
      [](const auto& v, const std::wstring& n) { return compare_names(v.first, n) < 0; });
  if (it != variables_.end() && same_name(it->first, name)) {
    *it = {std::move(name), std::move(value)};
  } else {
    variables_.insert(it, {std::move(name), std::move(value)});
  }
}

}  // namespace proctest::detail::windows
