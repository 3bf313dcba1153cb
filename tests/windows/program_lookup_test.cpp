// PATH and PATHEXT lookup (src/platform/windows/program_lookup.hpp), on a
// fake file system: which files are tried, in which order, and what fails.
#include "platform/windows/program_lookup.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "platform/windows/environment.hpp"

namespace w = proctest::detail::windows;
using ::testing::ElementsAre;

namespace {

// Files (compared ignoring case, as Windows does) and directories.
w::FileProbe fake(std::vector<std::wstring> files, std::vector<std::wstring> dirs = {}) {
  return [files, dirs](const std::wstring& path) -> DWORD {
    for (const auto& f : files) {
      if (w::same_name(f, path)) return ERROR_SUCCESS;
    }
    for (const auto& d : dirs) {
      if (w::same_name(d, path)) return ERROR_ACCESS_DENIED;
    }
    return ERROR_FILE_NOT_FOUND;
  };
}

}  // namespace

TEST(ProgramLookup, DirectoryPart) {
  EXPECT_FALSE(w::has_directory_part(L"tool"));
  EXPECT_FALSE(w::has_directory_part(L"tool.exe"));
  EXPECT_TRUE(w::has_directory_part(L"bin\\tool"));
  EXPECT_TRUE(w::has_directory_part(L"./tool"));
  EXPECT_TRUE(w::has_directory_part(L"C:tool"));
  EXPECT_TRUE(w::has_directory_part(L"\\\\server\\share\\tool.exe"));
}

TEST(ProgramLookup, CandidatesFollowPathThenPathext) {
  EXPECT_THAT(w::program_candidates(L"tool", L"C:\\bin;D:\\x\\", L".EXE;.CMD", L""),
              ElementsAre(L"C:\\bin\\tool.EXE", L"C:\\bin\\tool.CMD", L"C:\\bin\\tool",
                          L"D:\\x\\tool.EXE", L"D:\\x\\tool.CMD", L"D:\\x\\tool"));
}

TEST(ProgramLookup, NameWithAPathextExtensionIsTriedAsItIs) {
  EXPECT_THAT(w::program_candidates(L"tool.exe", L"C:\\bin", L".COM;.EXE", L""),
              ElementsAre(L"C:\\bin\\tool.exe"));
  EXPECT_THAT(w::program_candidates(L"TOOL.Exe", L"C:\\bin", L".COM;.EXE", L""),
              ElementsAre(L"C:\\bin\\TOOL.Exe"));
  // Another extension is not one of PATHEXT's: the extensions are tried first.
  EXPECT_THAT(w::program_candidates(L"python3.11", L"C:\\py", L".EXE", L""),
              ElementsAre(L"C:\\py\\python3.11.EXE", L"C:\\py\\python3.11"));
}

TEST(ProgramLookup, PathEntriesInQuotesAndEmptyOnes) {
  EXPECT_THAT(w::program_candidates(L"t.exe", L"\"C:\\Program Files\\a;b\";;C:\\c", L".EXE", L""),
              ElementsAre(L"C:\\Program Files\\a;b\\t.exe", L"C:\\c\\t.exe"));
}

TEST(ProgramLookup, RelativeEntriesAndPathsAreInTheWorkingDirectory) {
  EXPECT_THAT(w::program_candidates(L"t.exe", L"rel;C:\\abs", L".EXE", L"D:\\work"),
              ElementsAre(L"D:\\work\\rel\\t.exe", L"C:\\abs\\t.exe"));
  EXPECT_THAT(w::program_candidates(L"bin\\t.exe", L"C:\\x", L".EXE", L"D:\\work"),
              ElementsAre(L"D:\\work\\bin\\t.exe"));
  EXPECT_THAT(w::program_candidates(L"bin\\t", L"C:\\x", L".EXE", L"D:\\work"),
              ElementsAre(L"D:\\work\\bin\\t.EXE", L"D:\\work\\bin\\t"));
  // Rooted and drive-relative paths are left alone.
  EXPECT_THAT(w::program_candidates(L"C:\\t.exe", L"", L".EXE", L"D:\\work"),
              ElementsAre(L"C:\\t.exe"));
  EXPECT_THAT(w::program_candidates(L"\\t.exe", L"", L".EXE", L"D:\\work"),
              ElementsAre(L"\\t.exe"));
  EXPECT_THAT(w::program_candidates(L"C:t.exe", L"", L".EXE", L"D:\\work"),
              ElementsAre(L"C:t.exe"));
}

TEST(ProgramLookup, TheCurrentDirectoryIsNotSearched) {
  EXPECT_THAT(w::program_candidates(L"t.exe", L"C:\\bin", L".EXE", L"D:\\work"),
              ElementsAre(L"C:\\bin\\t.exe"));
}

TEST(ProgramLookup, FindsTheFirstExistingCandidate) {
  auto probe = fake({L"D:\\b\\tool.cmd", L"D:\\b\\tool.exe", L"E:\\c\\tool.exe"});
  w::ProgramSearch found = w::find_program(L"tool", L"C:\\a;D:\\b;E:\\c", L".EXE;.CMD", L"", probe);
  EXPECT_EQ(found.error, static_cast<DWORD>(ERROR_SUCCESS));
  EXPECT_EQ(found.path, L"D:\\b\\tool.EXE");
  EXPECT_TRUE(found.searched_path);
}

TEST(ProgramLookup, NotFoundNamesTheProgram) {
  w::ProgramSearch found = w::find_program(L"tool", L"C:\\a", L".EXE", L"", fake({}));
  EXPECT_EQ(found.error, static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(found.path, L"tool");
  found = w::find_program(L"sub\\tool", L"C:\\a", L".EXE", L"D:\\w", fake({}));
  EXPECT_EQ(found.error, static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
  EXPECT_EQ(found.path, L"D:\\w\\sub\\tool");
  EXPECT_FALSE(found.searched_path);
}

TEST(ProgramLookup, ADirectoryIsSkippedButRemembered) {
  // As execvp remembers EACCES: a later real match still wins.
  auto probe = fake({L"D:\\b\\tool.exe"}, {L"C:\\a\\tool.exe"});
  EXPECT_EQ(w::find_program(L"tool.exe", L"C:\\a;D:\\b", L".EXE", L"", probe).path,
            L"D:\\b\\tool.exe");
  w::ProgramSearch found = w::find_program(L"tool.exe", L"C:\\a", L".EXE", L"", probe);
  EXPECT_EQ(found.error, static_cast<DWORD>(ERROR_ACCESS_DENIED));
  EXPECT_EQ(found.path, L"C:\\a\\tool.exe");
}
