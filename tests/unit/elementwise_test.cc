// Unit tests of the elementwise building blocks: the broadcast plan and
// iterator (against a naive per-element index computation, over random
// shapes, sub-ranges and thread counts) and the vectorised float math.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/elementwise_math.h"

namespace parallax {
namespace {

// Offset of output element `flat` in an input of shape `in` broadcast to `out`.
int64_t naive_offset(const Shape& out, const Shape& in, int64_t flat) {
  std::vector<int64_t> idx(out.size());
  for (size_t d = out.size(); d-- > 0;) {
    idx[d] = flat % out[d];
    flat /= out[d];
  }
  int64_t off = 0, stride = 1;
  for (size_t d = in.size(); d-- > 0;) {
    size_t od = d + out.size() - in.size();
    if (in[d] != 1) off += idx[od] * stride;
    stride *= in[d];
  }
  return off;
}

Shape random_input_shape(std::mt19937& rng, const Shape& out) {
  size_t rank = std::uniform_int_distribution<size_t>(0, out.size())(rng);
  Shape s(out.end() - static_cast<std::ptrdiff_t>(rank), out.end());
  for (int64_t& d : s)
    if (rng() % 3 == 0) d = 1;
  return s;
}

TEST(Broadcast, MatchesNaiveIndexing) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    Shape out(std::uniform_int_distribution<size_t>(0, 6)(rng));
    for (int64_t& d : out) d = std::uniform_int_distribution<int64_t>(1, 5)(rng);
    if (!out.empty() && trial % 2) out.back() = std::uniform_int_distribution<int64_t>(60, 150)(rng);  // long runs
    Shape a = random_input_shape(rng, out), b = random_input_shape(rng, out);
    auto plan = BroadcastPlan::make(out, {a, b});
    ASSERT_TRUE(plan.is_ok()) << plan.status().to_string();
    const int64_t n = shape_numel(out);
    std::vector<float> va(static_cast<size_t>(shape_numel(a))), vb(static_cast<size_t>(shape_numel(b)));
    for (size_t i = 0; i < va.size(); ++i) va[i] = static_cast<float>(i);
    for (size_t i = 0; i < vb.size(); ++i) vb[i] = static_cast<float>(i) * 1000.0f;
    for (int threads : {1, 3}) {
      std::vector<float> got(static_cast<size_t>(n), -1.0f);
      broadcast_binary(plan.value(), va.data(), vb.data(), got.data(), [](float x, float y) { return x + y; },
                       threads);
      for (int64_t i = 0; i < n; ++i) {
        float want = va[static_cast<size_t>(naive_offset(out, a, i))] + vb[static_cast<size_t>(naive_offset(out, b, i))];
        ASSERT_EQ(got[static_cast<size_t>(i)], want)
            << "out " << shape_to_string(out) << " a " << shape_to_string(a) << " b " << shape_to_string(b) << " at " << i;
      }
    }
    // Arbitrary sub-ranges visit exactly their elements with the right offsets.
    int64_t begin = n ? std::uniform_int_distribution<int64_t>(0, n - 1)(rng) : 0;
    int64_t end = n ? std::uniform_int_distribution<int64_t>(begin, n)(rng) : 0;
    int64_t next = begin;
    plan.value().for_each_segment<2>(begin, end, [&](int64_t o, const std::array<int64_t, 2>& off, int64_t len) {
      ASSERT_EQ(o, next);
      ASSERT_GT(len, 0);
      for (int64_t k = 0; k < len; ++k) {
        EXPECT_EQ(off[0] + k * plan.value().inner_step(0), naive_offset(out, a, o + k));
        EXPECT_EQ(off[1] + k * plan.value().inner_step(1), naive_offset(out, b, o + k));
      }
      next = o + len;
    });
    EXPECT_EQ(next, end);
    next = begin;
    const int64_t inner = plan.value().inner();
    plan.value().for_each_block<2>(begin, end, [&](int64_t o, const std::array<int64_t, 2>& off, int64_t rows,
                                                   int64_t len, const std::array<int64_t, 2>& rs) {
      ASSERT_EQ(o, next);
      ASSERT_GT(rows, 0);
      ASSERT_GT(len, 0);
      if (rows > 1) {
        ASSERT_EQ(len, inner);
      }
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t k = 0; k < len; ++k) {
          int64_t pos = o + r * inner + k;
          EXPECT_EQ(off[0] + r * rs[0] + k * plan.value().inner_step(0), naive_offset(out, a, pos));
          EXPECT_EQ(off[1] + r * rs[1] + k * plan.value().inner_step(1), naive_offset(out, b, pos));
        }
      }
      next = o + (rows - 1) * inner + len;
    });
    EXPECT_EQ(next, end);
  }
}

TEST(Broadcast, CopyMatchesNaiveIndexing) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    Shape out(std::uniform_int_distribution<size_t>(0, 5)(rng));
    for (int64_t& d : out) d = std::uniform_int_distribution<int64_t>(1, 6)(rng);
    if (!out.empty() && trial % 2) out.back() = std::uniform_int_distribution<int64_t>(60, 150)(rng);
    Shape a = random_input_shape(rng, out);
    auto plan = BroadcastPlan::make(out, {a});
    ASSERT_TRUE(plan.is_ok());
    std::vector<int32_t> va(static_cast<size_t>(shape_numel(a)));
    for (size_t i = 0; i < va.size(); ++i) va[i] = static_cast<int32_t>(i);
    std::vector<int32_t> got(static_cast<size_t>(shape_numel(out)), -1);
    broadcast_copy(plan.value(), va.data(), got.data(), 2);
    for (int64_t i = 0; i < shape_numel(out); ++i)
      ASSERT_EQ(got[static_cast<size_t>(i)], va[static_cast<size_t>(naive_offset(out, a, i))]);
  }
}

TEST(Broadcast, CollapsesDims) {
  auto p = BroadcastPlan::make({2, 64, 56, 56}, {{2, 64, 56, 56}, {1, 64, 1, 1}});
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p.value().inner(), 56 * 56);
  EXPECT_EQ(p.value().outer_rank(), 2u);
  EXPECT_EQ(p.value().inner_step(0), 1);
  EXPECT_EQ(p.value().inner_step(1), 0);

  auto same = BroadcastPlan::make({8, 128, 768}, {{8, 128, 768}, {8, 128, 768}});
  ASSERT_TRUE(same.is_ok());
  EXPECT_TRUE(same.value().all_contiguous());
  EXPECT_EQ(same.value().inner(), 8 * 128 * 768);

  auto scalar = BroadcastPlan::make({8, 128, 768}, {{8, 128, 768}, {}});
  ASSERT_TRUE(scalar.is_ok());
  EXPECT_EQ(scalar.value().outer_rank(), 0u);
  EXPECT_EQ(scalar.value().inner_step(1), 0);

  auto row = BroadcastPlan::make({8, 128, 768}, {{8, 128, 768}, {768}});
  ASSERT_TRUE(row.is_ok());
  EXPECT_EQ(row.value().outer_rank(), 1u);
  EXPECT_EQ(row.value().inner(), 768);
}

TEST(Broadcast, RejectsIncompatibleAndHandlesEmpty) {
  EXPECT_FALSE(BroadcastPlan::make({3, 4}, {{3, 5}}).is_ok());
  EXPECT_FALSE(BroadcastPlan::make({4}, {{2, 4}}).is_ok());
  auto empty = BroadcastPlan::make({5, 0, 3}, {{1, 3}, {5, 0, 1}});
  ASSERT_TRUE(empty.is_ok());
  EXPECT_EQ(empty.value().numel(), 0);
  int calls = 0;
  empty.value().for_each_segment<2>(0, 0, [&](int64_t, const std::array<int64_t, 2>&, int64_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(VectorMath, Accuracy) {
  double e_exp = 0, e_tanh = 0, e_erf = 0, e_sig = 0;
  for (float x = -100.0f; x < 100.0f; x += 0.00371f) {
    double d = x;
    double r = std::exp(d);
    if (r > 1e-37 && r < 3e38) e_exp = std::max(e_exp, std::fabs(vmath::exp_f32(x) - r) / r);
    r = std::tanh(d);
    if (r != 0) e_tanh = std::max(e_tanh, std::fabs(vmath::tanh_f32(x) - r) / std::fabs(r));
    r = std::erf(d);
    if (r != 0) e_erf = std::max(e_erf, std::fabs(vmath::erf_f32(x) - r) / std::fabs(r));
    r = 1.0 / (1.0 + std::exp(-d));
    if (r > 1e-37) e_sig = std::max(e_sig, std::fabs(vmath::sigmoid_f32(x) - r) / r);
  }
  for (float x = 1e-30f; x < 1.0f; x *= 1.05f) {
    e_tanh = std::max(e_tanh, std::fabs(vmath::tanh_f32(x) - std::tanh(double{x})) / std::tanh(double{x}));
    e_erf = std::max(e_erf, std::fabs(vmath::erf_f32(x) - std::erf(double{x})) / std::erf(double{x}));
  }
  EXPECT_LT(e_exp, 3e-7);
  EXPECT_LT(e_tanh, 3e-7);
  EXPECT_LT(e_erf, 3e-7);
  EXPECT_LT(e_sig, 3e-7);
}

TEST(VectorMath, SpecialValues) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(vmath::exp_f32(nan)));
  EXPECT_EQ(vmath::exp_f32(inf), inf);
  EXPECT_EQ(vmath::exp_f32(89.0f), inf);
  EXPECT_EQ(vmath::exp_f32(-inf), 0.0f);
  EXPECT_EQ(vmath::exp_f32(0.0f), 1.0f);
  EXPECT_GT(vmath::exp_f32(-100.0f), 0.0f);  // denormal, not flushed
  EXPECT_TRUE(std::isnan(vmath::tanh_f32(nan)));
  EXPECT_EQ(vmath::tanh_f32(inf), 1.0f);
  EXPECT_EQ(vmath::tanh_f32(-inf), -1.0f);
  EXPECT_TRUE(std::isnan(vmath::erf_f32(nan)));
  EXPECT_EQ(vmath::erf_f32(inf), 1.0f);
  EXPECT_EQ(vmath::erf_f32(-inf), -1.0f);
  EXPECT_EQ(vmath::sigmoid_f32(inf), 1.0f);
  EXPECT_EQ(vmath::sigmoid_f32(-inf), 0.0f);
  EXPECT_TRUE(std::isnan(vmath::sigmoid_f32(nan)));
}

}  // namespace
}  // namespace parallax
