// DynamicQuantizeLinear quantizes in full-width vectors with a scalar tail
// (kernels/cpu/dynamic_quant.h). Checked against the operator's definition
// computed here element by element, on lengths around the vector width, with
// ties (x / scale = k + 0.5 rounds to even), NaN and infinities.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

struct Quantized {
  std::vector<uint8_t> q;
  float scale;
  uint8_t zp;
};

Quantized run_dql(const std::vector<float>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {n});
  b.node("DynamicQuantizeLinear", {"x"}, {"q", "s", "z"});
  b.output("q", onnx::TensorProto::UINT8, {n});
  b.output("s", onnx::TensorProto::FLOAT, {});
  b.output("z", onnx::TensorProto::UINT8, {});
  auto s = Session::open_from_bytes(b.bytes(), SessionOptions{});
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor t = Tensor::allocate(DataType::kFloat32, {n});
  std::copy(x.begin(), x.end(), t.data<float>());
  auto out = (*s)->run({{"x", t}});
  EXPECT_TRUE(out.is_ok()) << out.status().to_string();
  const Tensor& q = (*out)[0];
  return {std::vector<uint8_t>(q.data<uint8_t>(), q.data<uint8_t>() + n), (*out)[1].data<float>()[0],
          (*out)[2].data<uint8_t>()[0]};
}

// The definition, with std::nearbyint's round half to even.
uint8_t reference(float x, float scale, uint8_t zp) {
  if (std::isnan(x)) return 0;
  float v = std::clamp(x / scale, -512.0f, 512.0f);
  return static_cast<uint8_t>(std::clamp(std::nearbyint(v) + static_cast<float>(zp), 0.0f, 255.0f));
}

TEST(DynamicQuantizeLinear, VectorBodyAndTailMatchTheDefinition) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-3.0f, 5.0f);
  for (int64_t n = 1; n <= 70; ++n) {
    std::vector<float> x(static_cast<size_t>(n));
    for (float& v : x) v = u(rng);
    Quantized got = run_dql(x);
    ASSERT_GT(got.scale, 0.0f);
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(got.q[static_cast<size_t>(i)], reference(x[static_cast<size_t>(i)], got.scale, got.zp))
          << "n " << n << " i " << i;
  }
}

TEST(DynamicQuantizeLinear, TiesNaNAndInfinities) {
  // Range [-2.55, 0] -> scale 0.01, zero point 255: x = -0.005 * (2k + 1)
  // lands on ties.
  std::vector<float> x(40);
  for (size_t i = 0; i < x.size(); ++i) x[i] = -0.005f * static_cast<float>(2 * i + 1);
  x[0] = -2.55f;
  x[7] = std::numeric_limits<float>::quiet_NaN();
  x[21] = 0.0f;
  Quantized got = run_dql(x);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(got.q[i], reference(x[i], got.scale, got.zp)) << i;
  EXPECT_EQ(got.q[7], 0);  // NaN, as ONNX Runtime on x86
}

}  // namespace
}  // namespace parallax
