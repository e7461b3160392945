#include "kernels/weight_cache.h"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace parallax {

size_t WeightCache::bytes() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [key, entry] : entries_) n += entry->bytes();
  return n;
}

size_t WeightCache::entries() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

namespace {

// Two independent multiply-rotate lanes over 8-byte words. Written here, not
// taken from a library, because nothing in the dependency set hashes a buffer
// to 128 bits; it needs to tell weights apart, not to resist an attacker (a
// model that wanted wrong outputs could simply ship wrong weights).
struct Hash128 {
  uint64_t a = 0x243F6A8885A308D3ull, b = 0x13198A2E03707344ull;
  void word(uint64_t w) {
    a = std::rotl((a ^ w) * 0x9E3779B97F4A7C15ull, 29);
    b = std::rotl((b + w) * 0xC2B2AE3D27D4EB4Full, 31) ^ a;
  }
};

}  // namespace

std::string content_key(const Tensor& t) {
  Hash128 h;
  const auto* p = static_cast<const unsigned char*>(t.raw());
  size_t n = p ? t.nbytes() : 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h.word(w);
  }
  uint64_t tail = 0;
  if (i < n) std::memcpy(&tail, p + i, n - i);
  h.word(tail);
  h.word(n);
  std::string key = std::string(data_type_name(t.dtype())) + "[";
  for (int64_t d : t.shape()) key += std::to_string(d) + ",";
  char hex[40];
  std::snprintf(hex, sizeof hex, "]%016llx%016llx", static_cast<unsigned long long>(h.a),
                static_cast<unsigned long long>(h.b));
  return key + hex;
}

}  // namespace parallax
