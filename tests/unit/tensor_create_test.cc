// Tensor::create is the checked allocation of the public API: bad requests
// come back as a Status, never as an exception.
#include <gtest/gtest.h>

#include "parallax/tensor.h"

namespace parallax {
namespace {

TEST(TensorCreate, GivesAZeroedTensor) {
  auto t = Tensor::create(DataType::kFloat32, {2, 3});
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(t->shape(), (Shape{2, 3}));
  for (int64_t i = 0; i < t->numel(); ++i) EXPECT_EQ(t->data<float>()[i], 0.0f);
  auto empty = Tensor::create(DataType::kInt64, {0, 5});
  ASSERT_TRUE(empty.is_ok()) << empty.status().to_string();
  EXPECT_EQ(empty->numel(), 0);
}

TEST(TensorCreate, RefusesWhatCannotBeAllocated) {
  auto negative = Tensor::create(DataType::kFloat32, {2, -3});
  ASSERT_FALSE(negative.is_ok());
  EXPECT_EQ(negative.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(negative.status().message().find("[2,-3]"), std::string::npos) << negative.status().message();

  auto huge = Tensor::create(DataType::kFloat32, {int64_t{1} << 40, int64_t{1} << 40});
  ASSERT_FALSE(huge.is_ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kInvalidArgument);

  auto text = Tensor::create(DataType::kString, {4});
  ASSERT_FALSE(text.is_ok());
  EXPECT_NE(text.status().message().find("string"), std::string::npos) << text.status().message();
}

}  // namespace
}  // namespace parallax
