// Wildcard matching, the alignment behind the diff and the update, and the
// diff's text.
#include "match.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace proctest::detail {

namespace {

// The alignment's table has (expected + 1) × (actual + 1) cells of 8 bytes;
// beyond this many the middle is not aligned line by line (4 MiB at most).
constexpr std::size_t kMaxCells = std::size_t{1} << 19;

// The cost of an alignment: first the expected lines it does not keep (so
// every expected line that still matches is kept), then the actual lines no
// expected line or `...` matches. What `...` matches is free.
constexpr std::uint64_t kRemove = std::uint64_t{1} << 32;
constexpr std::uint64_t kInsert = 1;

constexpr std::size_t kContext = 3;

bool is_any(const std::string& line) { return line == kAnyLines; }

// Control bytes as \xNN, so a diff line cannot move the cursor or end early.
std::string printable(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (char c : line) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

// A hunk's range, as diff -u writes it: an empty range names the line before.
std::string range(std::size_t start, std::size_t count) {
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

// Aligns expected[e0, e1) with actual[a0, a1) by a table of the fewest
// edits from each (i, j) to the end, appending the steps.
void align_middle(const std::vector<std::string>& expected, const std::vector<std::string>& actual,
                  std::size_t e0, std::size_t e1, std::size_t a0, std::size_t a1,
                  std::vector<AlignStep>& steps) {
  const std::size_t rows = e1 - e0;
  const std::size_t cols = a1 - a0;
  if ((rows + 1) * (cols + 1) > kMaxCells) {
    for (std::size_t i = e0; i < e1; ++i) {
      steps.push_back({is_any(expected[i]) ? AlignStep::any : AlignStep::remove, i, a0, a0});
    }
    for (std::size_t j = a0; j < a1; ++j) steps.push_back({AlignStep::insert, e1, j, j + 1});
    return;
  }
  const std::size_t width = cols + 1;
  std::vector<std::uint64_t> cost((rows + 1) * width);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint64_t& { return cost[i * width + j]; };
  for (std::size_t j = 0; j <= cols; ++j) at(rows, j) = (cols - j) * kInsert;
  for (std::size_t i = rows; i-- > 0;) {
    const bool any = is_any(expected[e0 + i]);
    at(i, cols) = at(i + 1, cols) + (any ? 0 : kRemove);
    for (std::size_t j = cols; j-- > 0;) {
      if (any) {
        at(i, j) = std::min(at(i + 1, j), at(i, j + 1));
        continue;
      }
      std::uint64_t best = std::min(at(i + 1, j) + kRemove, at(i, j + 1) + kInsert);
      if (line_matches(expected[e0 + i], actual[a0 + j])) best = std::min(best, at(i + 1, j + 1));
      at(i, j) = best;
    }
  }
  std::size_t i = 0, j = 0;
  while (i < rows || j < cols) {
    if (i < rows && is_any(expected[e0 + i])) {
      // Absorb lines while that stays optimal: the rest then matches as late as it can.
      const std::size_t start = j;
      while (j < cols && at(i, j + 1) == at(i, j)) ++j;
      steps.push_back({AlignStep::any, e0 + i, a0 + start, a0 + j});
      ++i;
    } else if (i < rows && j < cols && at(i, j) == at(i + 1, j + 1) &&
               line_matches(expected[e0 + i], actual[a0 + j])) {
      steps.push_back({AlignStep::keep, e0 + i, a0 + j, a0 + j + 1});
      ++i, ++j;
    } else if (i < rows && at(i, j) == at(i + 1, j) + kRemove) {
      steps.push_back({AlignStep::remove, e0 + i, a0 + j, a0 + j});
      ++i;
    } else {
      steps.push_back({AlignStep::insert, e0 + i, a0 + j, a0 + j + 1});
      ++j;
    }
  }
}

}  // namespace

std::vector<std::string> output_lines(std::string_view output) {
  std::vector<std::string> lines;
  for (std::size_t pos = 0; pos < output.size();) {
    std::size_t nl = output.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? output.size() : nl;
    std::size_t next = nl == std::string_view::npos ? output.size() : nl + 1;
    if (nl != std::string_view::npos && end > pos && output[end - 1] == '\r') --end;
    lines.emplace_back(output.substr(pos, end - pos));
    pos = next;
  }
  return lines;
}

bool line_matches(std::string_view pattern, std::string_view line) {
  std::size_t wild = pattern.find(kAnyText);
  if (wild == std::string_view::npos) return pattern == line;
  const std::string_view head = pattern.substr(0, wild);
  if (line.substr(0, head.size()) != head) return false;
  std::size_t pos = head.size();
  std::string_view rest = pattern.substr(wild + kAnyText.size());
  // Each piece between wildcards at its leftmost place after the previous
  // one; the last piece must end the line.
  for (wild = rest.find(kAnyText); wild != std::string_view::npos; wild = rest.find(kAnyText)) {
    const std::size_t found = line.find(rest.substr(0, wild), pos);
    if (found == std::string_view::npos) return false;
    pos = found + wild;
    rest.remove_prefix(wild + kAnyText.size());
  }
  return line.size() - pos >= rest.size() && line.substr(line.size() - rest.size()) == rest;
}

bool lines_match(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
  // Glob matching with `...` as the star: on a mismatch, the last `...` takes
  // one more line and matching resumes after it.
  std::size_t i = 0, j = 0;
  std::size_t star = expected.size(), resume = 0;
  while (j < actual.size()) {
    if (i < expected.size() && is_any(expected[i])) {
      star = i++;
      resume = j;
    } else if (i < expected.size() && line_matches(expected[i], actual[j])) {
      ++i, ++j;
    } else if (star != expected.size()) {
      i = star + 1;
      j = ++resume;
    } else {
      return false;
    }
  }
  while (i < expected.size() && is_any(expected[i])) ++i;
  return i == expected.size();
}

std::vector<AlignStep> align(const std::vector<std::string>& expected,
                             const std::vector<std::string>& actual) {
  std::size_t head = 0;
  while (head < expected.size() && head < actual.size() && !is_any(expected[head]) &&
         line_matches(expected[head], actual[head])) {
    ++head;
  }
  std::size_t tail = 0;
  while (tail < expected.size() - head && tail < actual.size() - head &&
         !is_any(expected[expected.size() - 1 - tail]) &&
         line_matches(expected[expected.size() - 1 - tail], actual[actual.size() - 1 - tail])) {
    ++tail;
  }
  std::vector<AlignStep> steps;
  for (std::size_t k = 0; k < head; ++k) steps.push_back({AlignStep::keep, k, k, k + 1});
  align_middle(expected, actual, head, expected.size() - tail, head, actual.size() - tail, steps);
  for (std::size_t k = tail; k-- > 0;) {
    const std::size_t e = expected.size() - 1 - k, a = actual.size() - 1 - k;
    steps.push_back({AlignStep::keep, e, a, a + 1});
  }
  return steps;
}

std::string render_diff(const std::vector<std::string>& expected,
                        const std::vector<std::string>& actual, const std::vector<AlignStep>& steps,
                        std::string_view expected_name, std::size_t first_expected_line,
                        std::size_t max_lines) {
  // Positions in expected and actual before each step, and which steps show.
  std::vector<std::size_t> epos(steps.size() + 1), apos(steps.size() + 1);
  std::vector<bool> shown(steps.size(), false);
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const AlignStep& s = steps[k];
    epos[k + 1] = epos[k] + (s.kind == AlignStep::insert ? 0 : 1);
    apos[k + 1] = apos[k] + (s.kind == AlignStep::any      ? s.actual_end - s.actual
                             : s.kind == AlignStep::remove ? 0
                                                           : 1);
    if (s.kind == AlignStep::remove || s.kind == AlignStep::insert) {
      const std::size_t from = k >= kContext ? k - kContext : 0;
      const std::size_t to = std::min(steps.size(), k + kContext + 1);
      for (std::size_t x = from; x < to; ++x) shown[x] = true;
    }
  }
  std::vector<std::string> out;
  for (std::size_t k = 0; k < steps.size();) {
    if (!shown[k]) {
      ++k;
      continue;
    }
    std::size_t end = k;
    while (end < steps.size() && shown[end]) ++end;
    out.push_back("@@ -" + range(first_expected_line - 1 + epos[k], epos[end] - epos[k]) + " +" +
                  range(apos[k], apos[end] - apos[k]) + " @@");
    for (std::size_t x = k; x < end; ++x) {
      const AlignStep& s = steps[x];
      switch (s.kind) {
        case AlignStep::keep:
        case AlignStep::any:
          out.push_back(" " + printable(expected[s.expected]));
          break;
        case AlignStep::remove:
          out.push_back("-" + printable(expected[s.expected]));
          break;
        case AlignStep::insert:
          out.push_back("+" + printable(actual[s.actual]));
          break;
      }
    }
    k = end;
  }
  std::string text = "--- " + std::string(expected_name) + "\n+++ actual";
  for (std::size_t k = 0; k < out.size() && k < max_lines; ++k) text += "\n" + out[k];
  if (out.size() > max_lines) {
    text += "\n… " + std::to_string(out.size() - max_lines) + " more diff lines not shown";
  }
  return text;
}

}  // namespace proctest::detail
