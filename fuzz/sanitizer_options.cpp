// Linked into the libFuzzer binaries only: undefined behaviour stops the run
// like a crash does, instead of being printed and forgotten.
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }
