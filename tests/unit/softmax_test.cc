// Float Softmax runs its rows through full-width vectors
// (kernels/cpu/softmax.h, softmax_row_f32; simd_f32.h's exp). Checked against
// a double-precision softmax on rows of every length around the vector width
// (the tails), with masked (-inf) and very negative scores, a row of one
// value, NaN and +inf rows; and the same bytes on 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "kernels/cpu/simd_f32.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
// The library may be built wider than this test (-march=native): lengths
// run past the widest vector (AVX-512's 16 floats) and its tails.
constexpr int64_t kWidestLanes = 16;

Tensor run_softmax(const Tensor& x, int threads) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, x.shape());
  b.node("Softmax", {"x"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, x.shape());
  SessionOptions o;
  o.num_threads = threads;
  auto s = Session::open_from_bytes(b.bytes(), o);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run({{"x", x}});
  EXPECT_TRUE(out.is_ok()) << out.status().to_string();
  return (*out)[0];
}

TEST(Softmax, RowsOfEveryLengthMatchDoublePrecision) {
  std::mt19937 rng(11);
  std::normal_distribution<float> score(0.0f, 6.0f);
  for (int64_t len = 1; len <= 3 * kWidestLanes + 3; ++len) {
    const int64_t rows = 7;
    Tensor x = Tensor::allocate(DataType::kFloat32, {rows, len});
    float* xp = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) xp[i] = score(rng);
    for (int64_t c = 1; c < len; c += 3) xp[1 * len + c] = -kInf;    // masked positions
    for (int64_t c = 0; c < len; c += 2) xp[2 * len + c] = -200.0f;  // underflow to 0
    for (int64_t c = 0; c < len; ++c) xp[3 * len + c] = 4.0f;        // all equal
    Tensor y = run_softmax(x, 1);
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = xp + r * len;
      double m = -INFINITY, sum = 0.0;
      for (int64_t c = 0; c < len; ++c) m = std::max<double>(m, xr[c]);
      for (int64_t c = 0; c < len; ++c) sum += std::exp(double{xr[c]} - m);
      for (int64_t c = 0; c < len; ++c) {
        const double want = std::exp(double{xr[c]} - m) / sum;
        const float got = y.data<float>()[r * len + c];
        ASSERT_NEAR(got, want, 4e-6 * want + 1e-37) << "len " << len << " row " << r << " col " << c;
      }
    }
  }
}

TEST(Softmax, NaNAndInfinityRows) {
  const int64_t len = 2 * kWidestLanes + 1;
  Tensor x = Tensor::allocate(DataType::kFloat32, {2, len});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = 0.5f;
  x.data<float>()[3] = std::numeric_limits<float>::quiet_NaN();
  x.data<float>()[len + 5] = kInf;
  Tensor y = run_softmax(x, 1);
  for (int64_t c = 0; c < len; ++c) {
    EXPECT_TRUE(std::isnan(y.data<float>()[c])) << c;        // a NaN score makes its row NaN
    EXPECT_TRUE(std::isnan(y.data<float>()[len + c])) << c;  // inf - inf
  }
}

TEST(Softmax, SameBytesOnOneAndTwoThreads) {
  std::mt19937 rng(5);
  std::normal_distribution<float> score(0.0f, 3.0f);
  Tensor x = Tensor::allocate(DataType::kFloat32, {4, 300, 301});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = score(rng);
  Tensor a = run_softmax(x, 1), b = run_softmax(x, 2);
  ASSERT_EQ(a.numel(), b.numel());
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a.data<float>()[i], b.data<float>()[i]) << i;
}

TEST(SimdMath, ExpOfNonPositiveValues) {
  double worst = 0.0;
  for (float x = -87.0f; x <= 0.0f; x += 0.000731f) {
    simd::F32 v = simd::exp_nonpositive(simd::splat(x));
    const double want = std::exp(double{x});
    worst = std::max(worst, std::fabs(v[0] - want) / want);
  }
  EXPECT_LT(worst, 3e-7);
  EXPECT_EQ(simd::exp_nonpositive(simd::splat(0.0f))[0], 1.0f);
  EXPECT_EQ(simd::exp_nonpositive(simd::splat(-kInf))[0], 0.0f);
  EXPECT_EQ(simd::exp_nonpositive(simd::splat(-90.0f))[0], 0.0f);  // flushed, not denormal
  EXPECT_TRUE(std::isnan(simd::exp_nonpositive(simd::splat(std::numeric_limits<float>::quiet_NaN()))[0]));
}

}  // namespace
}  // namespace parallax
