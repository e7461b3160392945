// A map that keeps at most `capacity` entries, dropping the one used longest
// ago to make room. For the per-shape plan caches of a Program.
//
//   LruCache<std::string, Plan> cache(128);
//   if (Plan* p = cache.find(key)) use(*p);              // marks it used
//   Plan& fresh = cache.insert(key, make_plan());        // may drop the oldest
//
// Why a bound: a model whose shapes change from run to run (Mask R-CNN's
// loop bodies see one shape per detection) would otherwise keep a plan, and
// the frame and statistics that come with it, for every shape it ever saw.
// A model that alternates between fewer shapes than the capacity plans each
// once, as with an unbounded map.
//
// Pointers returned stay valid until their entry is dropped (a later insert).
#pragma once

#include <cstddef>
#include <iterator>
#include <list>
#include <unordered_map>
#include <utility>

namespace parallax {

template <typename Key, typename Value>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The entry for `key`, now the most recently used; null if absent.
  Value* find(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->second;
  }

  // Adds (or replaces) the entry for `key` as the most recently used.
  Value& insert(const Key& key, Value value) {
    if (auto it = index_.find(key); it != index_.end()) {
      entries_.erase(it->second);
      index_.erase(it);
    }
    while (entries_.size() >= capacity_) {
      index_.erase(entries_.back().first);
      entries_.pop_back();
    }
    entries_.emplace_front(key, std::move(value));
    index_.emplace(key, entries_.begin());
    return entries_.front().second;
  }

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  using Entries = std::list<std::pair<Key, Value>>;
  size_t capacity_;
  Entries entries_;  // most recently used first
  std::unordered_map<Key, typename Entries::iterator> index_;
};

}  // namespace parallax
