#include "cli/interrupt_flag.hpp"

namespace peerdrop::cli {
namespace {

volatile sig_atomic_t interrupted = 0;

void note_interrupt(int) { interrupted = 1; }

}  // namespace

InterruptFlag::InterruptFlag() {
  interrupted = 0;
  struct sigaction action {};
  action.sa_handler = note_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // the second Ctrl-C is the default: the end
  ::sigaction(SIGINT, &action, &previous_);
}

InterruptFlag::~InterruptFlag() { ::sigaction(SIGINT, &previous_, nullptr); }

bool InterruptFlag::raised() const { return interrupted != 0; }

}  // namespace peerdrop::cli
