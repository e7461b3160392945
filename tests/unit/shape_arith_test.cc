// The checked shape arithmetic of core/shape_arith.h and its admission rule.
#include "core/shape_arith.h"

#include <gtest/gtest.h>

#include <limits>

namespace parallax {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(ShapeArith, CheckedMulAndAddRefuseOverflow) {
  EXPECT_EQ(checked_mul(int64_t{1} << 31, int64_t{1} << 31).value(), int64_t{1} << 62);
  EXPECT_FALSE(checked_mul(int64_t{1} << 32, int64_t{1} << 31).is_ok());
  EXPECT_FALSE(checked_mul(-1, std::numeric_limits<int64_t>::min()).is_ok());
  EXPECT_EQ(checked_add(kMax - 1, 1).value(), kMax);
  const auto over = checked_add(kMax, 1);
  ASSERT_FALSE(over.is_ok());
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);
}

TEST(ShapeArith, NumelAndProducts) {
  EXPECT_EQ(checked_numel({}).value(), 1);
  EXPECT_EQ(checked_numel({2, 3, 4}).value(), 24);
  EXPECT_EQ(checked_prod({2, 3, 4}, 1, 3).value(), 12);
  EXPECT_EQ(checked_prod({2, 3, 4}, 2, 9).value(), 4);  // end clamps to the rank
  // An empty tensor has no elements however large its other dims.
  EXPECT_EQ(checked_numel({0, kMax, kMax}).value(), 0);
  // ... but a product over the non-zero dims alone is still checked.
  EXPECT_FALSE(checked_prod({0, kMax, kMax}, 1, 3).is_ok());
  EXPECT_FALSE(checked_numel({int64_t{1} << 40, int64_t{1} << 40}).is_ok());
  EXPECT_FALSE(checked_numel({2, -1}).is_ok());
}

TEST(ShapeArith, ExtentRuleReadsZerosAsOne) {
  EXPECT_TRUE(check_shape_extent({}).is_ok());
  EXPECT_TRUE(check_shape_extent({1, 3, 1024, 1024}).is_ok());
  EXPECT_TRUE(check_shape_extent({kMaxShapeExtent}).is_ok());
  EXPECT_TRUE(check_shape_extent({0, kMaxShapeExtent}).is_ok());
  EXPECT_FALSE(check_shape_extent({kMaxShapeExtent + 1}).is_ok());
  EXPECT_FALSE(check_shape_extent({0, 50, 289359033639176448}).is_ok());
  EXPECT_FALSE(check_shape_extent({kMax, kMax, 0}).is_ok());
  EXPECT_FALSE(check_shape_extent({65536, 65536}).is_ok());
  EXPECT_FALSE(check_shape_extent({1, -3}).is_ok());
  // The point of the rule: a product of any two admitted extents fits int64.
  EXPECT_TRUE(checked_mul(kMaxShapeExtent, kMaxShapeExtent).is_ok());
}

}  // namespace
}  // namespace parallax
