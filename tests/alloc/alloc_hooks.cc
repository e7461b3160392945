#include "alloc_hooks.h"

#include <atomic>
#include <cstdlib>
#include <new>

// The replacements below pair malloc with free by design; GCC sees only that
// the replaced new and delete call them and warns about the pairing.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<bool> counting{false};
std::atomic<size_t> allocations{0};
std::atomic<size_t> fail_countdown{0};  // 0: disarmed
std::atomic<bool> has_fired{false};
}  // namespace

namespace alloc_hooks {

void start_counting() {
  allocations = 0;
  counting = true;
}
size_t stop_counting() {
  counting = false;
  return allocations.load();
}
void fail_nth(size_t n) {
  has_fired = false;
  fail_countdown = n;
}
bool fired() {
  return has_fired.load();
}

}  // namespace alloc_hooks

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  size_t left = fail_countdown.load(std::memory_order_relaxed);
  while (left > 0 && !fail_countdown.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) {
  }
  if (left == 1) {
    has_fired = true;
    throw std::bad_alloc();
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
