// This test executable's own global operator new (alloc_hooks.cc): it counts
// allocations and can make one of them fail. The runtime's shared library
// resolves operator new to it as well. A binary of its own, so that no other
// test pays for the hook.
#pragma once

#include <cstddef>

namespace alloc_hooks {

// Counts operator new calls, from every thread, between the two calls.
void start_counting();
size_t stop_counting();

// The n-th operator new from now (1: the next one) throws std::bad_alloc, as
// an allocation does when memory runs out; 0 disarms. fired() says whether
// the armed one has thrown.
void fail_nth(size_t n);
bool fired();

}  // namespace alloc_hooks
