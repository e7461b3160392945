// Constant weights that kernels keep in their own form (packed for a
// primitive), shared by every kernel that reads the same bytes.
//
//   auto w = cache.get_or_make<MyPacked>(content_key(t) + "|oihw", [&] {
//     return std::make_shared<MyPacked>(t);
//   });
//
// A session makes one cache, so an initializer read by several nodes (the
// heads of a detector run one conv on every pyramid level) is packed once.
// A user may hand one cache to several sessions of the same model
// (SessionOptions::weight_cache), which then share their packed weights in
// the manner of ONNX Runtime's PrepackedWeightsContainer.
//
// Entries are keyed by content, not by pointer: two sessions load their own
// copies of a weight, and a buffer's address may be reused once its
// initializer is dropped. Entries live as long as the cache.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "parallax/tensor.h"

namespace parallax {

class CachedWeight {
 public:
  virtual ~CachedWeight() = default;
  // Bytes it keeps alive now (it may shrink once a packed copy replaces the plain one).
  virtual size_t bytes() const = 0;
};

class WeightCache {
 public:
  // The entry under `key`, made by `make` on first request. Thread-safe.
  template <class T>
  std::shared_ptr<T> get_or_make(const std::string& key, const std::function<std::shared_ptr<T>()>& make) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) return std::static_pointer_cast<T>(it->second);
    std::shared_ptr<T> made = make();
    entries_.emplace(key, made);
    return made;
  }
  size_t bytes() const;
  size_t entries() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<CachedWeight>> entries_;
};

// Identifies a constant by dtype, shape and a 128-bit hash of its bytes.
std::string content_key(const Tensor& t);

}  // namespace parallax
