// LruCache (the Program's per-shape plan caches): bounded, drops the entry
// used longest ago, and a hit counts as a use.
#include "runtime/lru_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace parallax {
namespace {

TEST(LruCache, KeepsAtMostCapacityAndDropsTheLeastRecentlyUsed) {
  LruCache<std::string, int> cache(2);
  cache.insert("a", 1);
  cache.insert("b", 2);
  ASSERT_NE(cache.find("a"), nullptr);  // "a" is now newer than "b"
  cache.insert("c", 3);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find("b"), nullptr);
  ASSERT_NE(cache.find("a"), nullptr);
  EXPECT_EQ(*cache.find("a"), 1);
  EXPECT_EQ(*cache.find("c"), 3);
}

TEST(LruCache, InsertReplacesAnExistingKey) {
  LruCache<std::string, int> cache(2);
  cache.insert("a", 1);
  cache.insert("a", 5);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(*cache.find("a"), 5);
}

TEST(LruCache, PointersStayValidUntilTheirEntryIsDropped) {
  LruCache<int, std::string> cache(3);
  std::string& first = cache.insert(1, "one");
  for (int k = 2; k <= 3; ++k) cache.insert(k, std::to_string(k));
  EXPECT_EQ(first, "one");
  cache.find(1);
  cache.insert(4, "4");  // drops 2, not 1
  EXPECT_EQ(first, "one");
  EXPECT_EQ(cache.find(2), nullptr);
}

}  // namespace
}  // namespace parallax
