// unified_diff(): a line diff (Myers' O((N+M)D) algorithm) printed in the
// unified format, for golden-file mismatches.
#include <algorithm>
#include <string>
#include <vector>

#include "proctest/matchers.hpp"
#include "text/text.hpp"

namespace proctest {

namespace {

enum class Op { equal, remove, insert };

// Lines with their '\n' (when present), so a missing final newline differs.
std::vector<std::string_view> diff_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

// Beyond this many differences the diff is no longer minimal: the rest of
// the middle is reported as removed and added, which bounds time and memory.
constexpr std::ptrdiff_t kMaxEdits = 2000;

// The shortest edit script from a to b (after a common prefix and suffix).
std::vector<Op> edit_script(const std::vector<std::string_view>& a,
                            const std::vector<std::string_view>& b) {
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  const auto n = static_cast<std::ptrdiff_t>(a.size() - prefix - suffix);
  const auto m = static_cast<std::ptrdiff_t>(b.size() - prefix - suffix);
  auto A = [&](std::ptrdiff_t i) { return a[prefix + static_cast<std::size_t>(i)]; };
  auto B = [&](std::ptrdiff_t i) { return b[prefix + static_cast<std::size_t>(i)]; };

  std::vector<Op> middle;
  const std::ptrdiff_t max = std::min(n + m, kMaxEdits);
  // trace[d] holds V[k] for k in [-d-1, d+1] as it was before step d.
  std::vector<std::vector<std::ptrdiff_t>> trace;
  std::vector<std::ptrdiff_t> v(static_cast<std::size_t>(2 * max + 3), 0);
  const std::ptrdiff_t off = max + 1;
  auto V = [&](std::ptrdiff_t k) -> std::ptrdiff_t& {
    return v[static_cast<std::size_t>(k + off)];
  };
  std::ptrdiff_t found = -1;
  for (std::ptrdiff_t d = 0; d <= max && found < 0; ++d) {
    trace.emplace_back(v.begin() + (off - d - 1), v.begin() + (off + d + 2));
    for (std::ptrdiff_t k = -d; k <= d; k += 2) {
      std::ptrdiff_t x = (k == -d || (k != d && V(k - 1) < V(k + 1))) ? V(k + 1) : V(k - 1) + 1;
      std::ptrdiff_t y = x - k;
      while (x < n && y < m && A(x) == B(y)) ++x, ++y;
      V(k) = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) {
    middle.assign(static_cast<std::size_t>(n), Op::remove);
    middle.insert(middle.end(), static_cast<std::size_t>(m), Op::insert);
  } else {
    std::ptrdiff_t x = n, y = m;
    for (std::ptrdiff_t d = found; d > 0; --d) {
      const std::vector<std::ptrdiff_t>& t = trace[static_cast<std::size_t>(d)];
      auto T = [&](std::ptrdiff_t k) { return t[static_cast<std::size_t>(k + d + 1)]; };
      std::ptrdiff_t k = x - y;
      std::ptrdiff_t prev_k = (k == -d || (k != d && T(k - 1) < T(k + 1))) ? k + 1 : k - 1;
      std::ptrdiff_t prev_x = T(prev_k);
      std::ptrdiff_t prev_y = prev_x - prev_k;
      while (x > prev_x && y > prev_y) {
        middle.push_back(Op::equal);
        --x, --y;
      }
      middle.push_back(x == prev_x ? Op::insert : Op::remove);
      x = prev_x, y = prev_y;
    }
    for (; x > 0; --x) middle.push_back(Op::equal);
    std::reverse(middle.begin(), middle.end());
  }
  std::vector<Op> script(prefix, Op::equal);
  script.insert(script.end(), middle.begin(), middle.end());
  script.insert(script.end(), suffix, Op::equal);
  return script;
}

// A diff line longer than this is shown shortened in the middle.
constexpr std::size_t kMaxLineBytes = 1000;

std::string range(std::size_t start, std::size_t count) {
  if (count == 1) return std::to_string(start + 1);
  // An empty range names the line before it, as diff -u does.
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

}  // namespace

std::string unified_diff(std::string_view expected, std::string_view actual,
                         std::string_view expected_name, std::string_view actual_name,
                         std::size_t max_lines) {
  if (expected == actual) return "";
  const std::vector<std::string_view> a = diff_lines(expected);
  const std::vector<std::string_view> b = diff_lines(actual);
  const std::vector<Op> script = edit_script(a, b);
  constexpr std::size_t context = 3;

  // Positions in a and b before each step, and which steps a hunk shows.
  std::vector<std::size_t> apos(script.size() + 1), bpos(script.size() + 1);
  std::vector<bool> shown(script.size(), false);
  for (std::size_t i = 0; i < script.size(); ++i) {
    apos[i + 1] = apos[i] + (script[i] != Op::insert);
    bpos[i + 1] = bpos[i] + (script[i] != Op::remove);
    if (script[i] != Op::equal) {
      std::size_t from = i >= context ? i - context : 0;
      std::size_t to = std::min(script.size(), i + context + 1);
      for (std::size_t j = from; j < to; ++j) shown[j] = true;
    }
  }

  // The diff's lines after the header, up to max_lines of them; the rest
  // only counted, so a diff of millions of lines is never built.
  std::string body;
  std::size_t shown_lines = 0;
  std::size_t hidden_lines = 0;
  auto emit = [&](char mark, std::string_view line) {
    if (shown_lines == max_lines) {
      ++hidden_lines;
      return;
    }
    ++shown_lines;
    body += '\n';
    if (mark != '\0') body += mark;
    const detail::Cut cut = detail::excerpt_cut(line, kMaxLineBytes);
    body.append(line.substr(0, cut.head_end));
    if (cut.head_end == line.size()) return;
    body += detail::left_out_text(cut.tail_start - cut.head_end);
    body.append(line.substr(cut.tail_start));
  };
  for (std::size_t i = 0; i < script.size();) {
    if (!shown[i]) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < script.size() && shown[end]) ++end;
    emit('\0', "@@ -" + range(apos[i], apos[end] - apos[i]) + " +" +
                   range(bpos[i], bpos[end] - bpos[i]) + " @@");
    for (std::size_t j = i; j < end; ++j) {
      std::string_view line = script[j] == Op::insert ? b[bpos[j]] : a[apos[j]];
      const char mark = script[j] == Op::equal ? ' ' : script[j] == Op::remove ? '-' : '+';
      bool newline = !line.empty() && line.back() == '\n';
      if (newline) line.remove_suffix(1);
      emit(mark, line);
      if (!newline) emit('\0', "\\ No newline at end of file");
    }
    i = end;
  }

  std::string text = "--- " + std::string(expected_name) + "\n+++ " + std::string(actual_name);
  text += body;
  if (hidden_lines > 0) {
    text += "\n… " + std::to_string(hidden_lines) + " more diff lines not shown";
  }
  return text;
}

}  // namespace proctest
