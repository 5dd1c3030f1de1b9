// Runs LLVMFuzzerTestOneInput on every file named on the command line, and on
// every file under a directory named there, so the committed corpus is a
// regression test in the normal build (no libFuzzer needed).
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// The input being run, for the crash message (a signal handler may only write()).
std::string current_input;

extern "C" void report_crash(int signal) {
  static const char kPrefix[] = "replay: crashed on ";
  [[maybe_unused]] auto w = ::write(STDERR_FILENO, kPrefix, sizeof kPrefix - 1);
  w = ::write(STDERR_FILENO, current_input.data(), current_input.size());
  w = ::write(STDERR_FILENO, "\n", 1);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

bool run_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "replay: cannot read " << path.string() << "\n";
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // An exact-size heap copy, so a sanitizer sees any read past the end.
  const auto data = std::make_unique<std::uint8_t[]>(std::max<std::size_t>(bytes.size(), 1));
  std::copy(bytes.begin(), bytes.end(), data.get());
  current_input = path.string();
  LLVMFuzzerTestOneInput(data.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " FILE_OR_DIRECTORY...\n";
    return 2;
  }
  for (const int signal : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(signal, report_crash);

  std::size_t ran = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::recursive_directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      if (ec || files.empty()) {
        std::cerr << "replay: " << arg.string() << (ec ? ": " + ec.message() : " holds no inputs") << "\n";
        return 1;
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        if (!run_file(file)) return 1;
        ++ran;
      }
    } else if (fs::is_regular_file(arg, ec)) {
      if (!run_file(arg)) return 1;
      ++ran;
    } else {
      std::cerr << "replay: " << arg.string() << ": no such file or directory\n";
      return 1;
    }
  }
  std::cout << "ran " << ran << " inputs\n";
  return 0;
}
