#pragma once

#include <cstdio>
#include <cstdlib>

// An invariant check that stays on in release builds (assert does not), so
// libFuzzer and the corpus replays both stop at the first broken invariant.
#define PEERDROP_FUZZ_CHECK(condition)                                                            \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (false)
