#pragma once

#include <signal.h>

namespace peerdrop::cli {

// Notes Ctrl-C (SIGINT) while it lives instead of ending the process, so a
// command that waits can say what goes on without it. A second Ctrl-C ends
// the process as usual (the handler resets itself), in case the first is
// not seen soon enough. One at a time; the previous handler comes back when
// it is destroyed.
class InterruptFlag {
 public:
  InterruptFlag();
  ~InterruptFlag();
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;

  // Whether Ctrl-C was pressed since it was made.
  bool raised() const;

 private:
  struct sigaction previous_ {};
};

}  // namespace peerdrop::cli
