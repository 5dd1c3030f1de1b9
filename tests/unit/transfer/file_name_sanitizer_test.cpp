#include "transfer/file_name_sanitizer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/errc.hpp"

namespace peerdrop::transfer {
namespace {

using core::Errc;

// The sanitized form of `path`, which must be accepted.
std::string sanitized(std::string_view path) {
  const auto result = FileNameSanitizer::sanitize(path);
  EXPECT_TRUE(result.has_value()) << path << ": " << (result ? "" : result.error().message());
  return result ? result->string() : std::string("(refused)");
}

// Why `path` is refused, which it must be.
boost::system::error_code refused(std::string_view path) {
  const auto result = FileNameSanitizer::sanitize(path);
  EXPECT_FALSE(result.has_value()) << path << " was accepted as " << (result ? result->string() : "");
  return result ? boost::system::error_code() : result.error();
}

TEST(FileNameSanitizer, KeepsOrdinaryRelativePaths) {
  EXPECT_EQ(sanitized("a.jpg"), "a.jpg");
  EXPECT_EQ(sanitized("photos/2024/a.jpg"), "photos/2024/a.jpg");
  EXPECT_EQ(sanitized("My Documents/report (final) v2.pdf"), "My Documents/report (final) v2.pdf");
  EXPECT_EQ(sanitized("archive.tar.gz"), "archive.tar.gz");
  EXPECT_EQ(sanitized(" leading space.txt"), " leading space.txt");
}

TEST(FileNameSanitizer, SplitsOnBothSeparators) {
  EXPECT_EQ(sanitized("photos\\2024\\a.jpg"), "photos/2024/a.jpg");
  EXPECT_EQ(sanitized("photos/2024\\a.jpg"), "photos/2024/a.jpg");
  const auto path = FileNameSanitizer::sanitize("photos\\a.jpg");
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(path->components(), (std::vector<std::string>{"photos", "a.jpg"}));
  EXPECT_EQ(path->file_name(), "a.jpg");
}

TEST(FileNameSanitizer, KeepsUnicodeNamesIntact) {
  EXPECT_EQ(sanitized("Фотографии/日本語のファイル名.txt"), "Фотографии/日本語のファイル名.txt");
  EXPECT_EQ(sanitized("Crème brûlée 🎉.png"), "Crème brûlée 🎉.png");
  EXPECT_EQ(sanitized("𝄞 music/ünïcödé"), "𝄞 music/ünïcödé");
}

TEST(FileNameSanitizer, RefusesParentComponents) {
  for (const std::string_view path : {"..", "../../etc/passwd", "a/../../b", "a/..", "../a", "a\\..\\..\\b",
                                      "photos/../a.jpg"}) {
    EXPECT_EQ(refused(path), Errc::path_traversal) << path;
  }
}

TEST(FileNameSanitizer, RefusesComponentsOfOnlyDots) {
  // "..." means two levels up to some path normalisers; ". ." and ".. " read as ".." once trimmed.
  const std::initializer_list<std::string_view> paths{"...", "a/.../b", ". .", ".. ", "....",
                                                      std::string_view("..\0", 3), ".\x01.", "a/. . ./b"};
  for (const auto path : paths) {
    EXPECT_EQ(refused(path), Errc::path_traversal) << path;
  }
}

TEST(FileNameSanitizer, RefusesAbsolutePaths) {
  for (const std::string_view path : {"/abs", "/", "/etc/passwd", "//server/share/a", "\\a", "\\\\server\\share\\a",
                                      "C:", "C:\\Windows\\a.exe", "c:/a", "z:a.txt"}) {
    EXPECT_EQ(refused(path), Errc::absolute_path) << path;
  }
}

TEST(FileNameSanitizer, RefusesPathsThatNameNoFile) {
  for (const std::string_view path : {"", ".", "./", "./.", ".//./", "a/./.."}) {
    const auto error = refused(path);
    EXPECT_TRUE(error == Errc::empty_path || error == Errc::path_traversal) << path;
  }
  EXPECT_EQ(refused(""), Errc::empty_path);
  EXPECT_EQ(refused("./."), Errc::empty_path);
}

TEST(FileNameSanitizer, DropsEmptyAndDotComponents) {
  EXPECT_EQ(sanitized("./a//b/./c.txt"), "a/b/c.txt");
  EXPECT_EQ(sanitized("a/"), "a");
  EXPECT_EQ(sanitized("a/ . /b"), "a/b");
}

TEST(FileNameSanitizer, RemovesNulAndControlCharacters) {
  EXPECT_EQ(sanitized(std::string_view("a\0b.txt", 7)), "ab.txt");
  EXPECT_EQ(sanitized(std::string_view("evil.txt\0.jpg", 13)), "evil.txt.jpg");
  EXPECT_EQ(sanitized("tab\there\nnew\rline\x1b[31m\x7f.txt"), "tabherenewline[31m.txt");
  EXPECT_EQ(sanitized("c1\xc2\x85\xc2\x9f.txt"), "c1.txt");
  EXPECT_EQ(sanitized("\x01\x02"), "_");  // nothing left of the name
  EXPECT_EQ(sanitized("dir\x01/a"), "dir/a");
}

TEST(FileNameSanitizer, RemovesBidiControlsThatDisguiseExtensions) {
  // U+202E RIGHT-TO-LEFT OVERRIDE: "photo\u202Egpj.exe" shows as "photoexe.jpg".
  EXPECT_EQ(sanitized("photo\u202Egpj.exe"), "photogpj.exe");
  EXPECT_EQ(sanitized("a\u2066b\u2069c"), "abc");
  // Other characters of the same block are kept.
  EXPECT_EQ(sanitized("a\u2014b"), "a\u2014b");
}

TEST(FileNameSanitizer, ReplacesCharactersWindowsAndMacOsRefuse) {
  EXPECT_EQ(sanitized("a<b>c:d\"e|f?g*h.txt"), "a_b_c_d_e_f_g_h.txt");
  EXPECT_EQ(sanitized("notes/12:30.txt"), "notes/12_30.txt");
  EXPECT_EQ(sanitized("a/C:/b"), "a/C_/b");  // a drive letter after the first component is just a name
}

TEST(FileNameSanitizer, StripsTrailingDotsAndSpacesAndHiddenFileDots) {
  EXPECT_EQ(sanitized(".bashrc"), "bashrc");
  EXPECT_EQ(sanitized("..hidden"), "hidden");
  EXPECT_EQ(sanitized(".config/app/.env"), "config/app/env");
  EXPECT_EQ(sanitized("name. . "), "name");
  EXPECT_EQ(sanitized("folder./a.txt "), "folder/a.txt");
  EXPECT_EQ(sanitized(".ssh/authorized_keys"), "ssh/authorized_keys");
}

TEST(FileNameSanitizer, NamesOfOnlySpacesBecomeAnUnderscore) {
  EXPECT_EQ(sanitized("  "), "_");
  EXPECT_EQ(sanitized("a/  /b"), "a/_/b");
}

TEST(FileNameSanitizer, PrefixesWindowsDeviceNames) {
  EXPECT_EQ(sanitized("CON"), "_CON");
  EXPECT_EQ(sanitized("con.txt"), "_con.txt");
  EXPECT_EQ(sanitized("Nul.tar.gz"), "_Nul.tar.gz");
  EXPECT_EQ(sanitized("aux/readme"), "_aux/readme");
  EXPECT_EQ(sanitized("PRN "), "_PRN");
  EXPECT_EQ(sanitized("com1"), "_com1");
  EXPECT_EQ(sanitized("COM9.log"), "_COM9.log");
  EXPECT_EQ(sanitized("lpt5"), "_lpt5");
  EXPECT_EQ(sanitized("CON .txt"), "_CON .txt");
  EXPECT_EQ(sanitized("COM\u00b9"), "_COM\u00b9");
  EXPECT_EQ(sanitized("conout$"), "_conout$");
  EXPECT_EQ(sanitized(".con"), "_con");  // hidden-file dot stripped first
  for (const std::string_view name : {"CONSOLE", "COM10", "connect.txt", "xCON", "LPT", "COMA", "nul_file"}) {
    EXPECT_EQ(sanitized(name), name);
  }
}

TEST(FileNameSanitizer, ReplacesInvalidUtf8) {
  EXPECT_EQ(sanitized("a\xff.txt"), "a_.txt");
  EXPECT_EQ(sanitized("\xc0\xaf"), "__");             // overlong '/'
  EXPECT_EQ(sanitized("\xed\xa0\x80x"), "___x");      // a UTF-16 surrogate
  EXPECT_EQ(sanitized("cut\xe6\x97"), "cut__");       // a sequence cut short
  EXPECT_EQ(sanitized("\xf4\x90\x80\x80"), "____");   // above U+10FFFF
  EXPECT_EQ(sanitized("latin1 caf\xe9"), "latin1 caf_");
}

TEST(FileNameSanitizer, CutsLongNamesKeepingTheExtension) {
  EXPECT_EQ(sanitized(std::string(300, 'a')), std::string(255, 'a'));
  EXPECT_EQ(sanitized(std::string(300, 'a') + ".txt"), std::string(251, 'a') + ".txt");
  EXPECT_EQ(sanitized(std::string(300, 'a') + ".tar.gz"), std::string(248, 'a') + ".tar.gz");
  EXPECT_EQ(sanitized("dir/" + std::string(256, 'b')), "dir/" + std::string(255, 'b'));
  // An "extension" longer than 32 bytes is cut like the rest.
  EXPECT_EQ(sanitized("a." + std::string(300, 'b')), "a." + std::string(253, 'b'));
  // A name exactly at the limit is kept.
  EXPECT_EQ(sanitized(std::string(255, 'c')), std::string(255, 'c'));
}

TEST(FileNameSanitizer, NeverCutsAUtf8Sequence) {
  std::string name;
  for (int i = 0; i < 100; ++i) name += "日";  // 3 bytes each
  const auto cut = sanitized(name + ".txt");
  EXPECT_LE(cut.size(), 255u);
  EXPECT_EQ(cut.size(), 83 * 3 + 4u);
  EXPECT_TRUE(cut.ends_with(".txt"));
  const auto plain = sanitized(name);
  EXPECT_EQ(plain.size(), 85 * 3u);
  EXPECT_EQ(sanitized(plain), plain);
}

TEST(FileNameSanitizer, CutNamesDoNotEndInDotsOrSpaces) {
  EXPECT_EQ(sanitized("x" + std::string(253, 'a') + "  " + std::string(50, 'b')), "x" + std::string(253, 'a'));
  EXPECT_EQ(sanitized(std::string(300, ' ') + "x"), "_");
}

TEST(FileNameSanitizer, LimitsTheDepth) {
  std::string folders;  // kMaxDepth - 1 folders and a file: the deepest path allowed
  for (std::size_t i = 0; i + 1 < FileNameSanitizer::kMaxDepth; ++i) folders += "d/";
  EXPECT_EQ(sanitized(folders + "file"), folders + "file");
  EXPECT_EQ(refused(folders + "d/file"), Errc::path_too_deep);
  // Dropped components do not count.
  std::string dotted;
  for (int i = 0; i < 100; ++i) dotted += "./";
  EXPECT_EQ(sanitized(dotted + "file"), "file");
}

TEST(FileNameSanitizer, LimitsTheLength) {
  const std::string component(255, 'x');
  std::string path;
  for (int i = 0; i < 16; ++i) path += component + "/";
  path.pop_back();
  EXPECT_EQ(sanitized(path).size(), 16 * 256 - 1u);
  EXPECT_EQ(refused(path + "/" + component), Errc::path_too_long);
  EXPECT_EQ(refused(std::string(FileNameSanitizer::kMaxInputBytes + 1, 'a')), Errc::too_large);
}

TEST(FileNameSanitizer, SanitizedPathsAreFixedPoints) {
  for (const std::string_view path :
       {"photos/2024/a.jpg", ".bashrc", "CON", "con.txt", "a<b>", "  ", "\x01", "a\xff.txt", "name. . ",
        "COM\u00b9.x", "photo\u202Egpj.exe"}) {
    const auto once = sanitized(path);
    EXPECT_EQ(sanitized(once), once) << path;
  }
  const auto long_name = sanitized(std::string(100, 'x') + std::string(300, '.') + "con.txt");
  EXPECT_EQ(sanitized(long_name), long_name);
}

TEST(FileNameSanitizer, NumbersTakenNames) {
  EXPECT_EQ(FileNameSanitizer::numbered("a.txt", 1), "a (1).txt");
  EXPECT_EQ(FileNameSanitizer::numbered("a.txt", 2), "a (2).txt");
  EXPECT_EQ(FileNameSanitizer::numbered("README", 3), "README (3)");
  EXPECT_EQ(FileNameSanitizer::numbered("backup.tar.gz", 1), "backup (1).tar.gz");
  EXPECT_EQ(FileNameSanitizer::numbered("BACKUP.TAR.XZ", 1), "BACKUP (1).TAR.XZ");
  EXPECT_EQ(FileNameSanitizer::numbered("v1.2.3", 1), "v1.2 (1).3");
  EXPECT_EQ(FileNameSanitizer::numbered("_CON", 1), "_CON (1)");
}

TEST(FileNameSanitizer, NumberedNamesStayWithinTheLimit) {
  const auto numbered = FileNameSanitizer::numbered(std::string(251, 'a') + ".txt", 12);
  EXPECT_EQ(numbered, std::string(246, 'a') + " (12).txt");
  std::string wide;
  for (int i = 0; i < 85; ++i) wide += "日";
  const auto cut = FileNameSanitizer::numbered(wide, 999);
  EXPECT_LE(cut.size(), 255u);
  EXPECT_EQ(cut, wide.substr(0, 83 * 3) + " (999)");
  EXPECT_EQ(sanitized(cut), cut);
}

}  // namespace
}  // namespace peerdrop::transfer
