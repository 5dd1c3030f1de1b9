#include "cli/terminal_text.hpp"

#include <gtest/gtest.h>

namespace peerdrop::cli {
namespace {

TEST(TerminalText, KeepsWhatIsSafeToPrint) {
  EXPECT_EQ(printable("kitchen"), "kitchen");
  EXPECT_EQ(printable("Küche 台所 🍳"), "Küche 台所 🍳");
  EXPECT_EQ(columns("Küche 台所 🍳"), 10u);
}

TEST(TerminalText, ReplacesControlsBidiOverridesAndBrokenUtf8) {
  EXPECT_EQ(printable("a\x1b[31mb"), "a\uFFFD[31mb");
  EXPECT_EQ(printable("a\rb\nc\td"), "a\uFFFDb\uFFFDc\uFFFDd");
  EXPECT_EQ(printable("\xc2\x9b" "2J"), "\uFFFD2J") << "C1 CSI";
  EXPECT_EQ(printable("photo\u202egpj.exe"), "photo\uFFFDgpj.exe");
  EXPECT_EQ(printable("a\xff\xfe"), "a\uFFFD\uFFFD");
  EXPECT_EQ(printable("\xe2\x82"), "\uFFFD\uFFFD") << "a truncated sequence";
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\uFFFDb");
}

}  // namespace
}  // namespace peerdrop::cli
