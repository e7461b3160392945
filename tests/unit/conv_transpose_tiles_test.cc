// ConvTranspose whose kernel equals its stride runs as one matrix product and
// a tile copy (kernels/cpu/conv_transpose.cc, compute_tiles): checked against
// the operator's definition, with a bias, a fused Relu and a batch big enough
// to pass through in two chunks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

struct Case {
  int64_t n, ic, oc, h, w, k;
};

void check(const Case& c, int threads) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> wv(static_cast<size_t>(c.ic * c.oc * c.k * c.k)), bv(static_cast<size_t>(c.oc));
  for (float& v : wv) v = u(rng);
  for (float& v : bv) v = u(rng);
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {c.n, c.ic, c.h, c.w});
  b.initializer("W", {c.ic, c.oc, c.k, c.k}, wv);
  b.initializer("B", {c.oc}, bv);
  auto* node = b.node("ConvTranspose", {"x", "W", "B"}, {"t"});
  for (const char* name : {"strides", "kernel_shape"}) {
    auto* a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    a->add_ints(c.k);
    a->add_ints(c.k);
  }
  b.node("Relu", {"t"}, {"y"});  // fused into the ConvTranspose
  const int64_t oh = c.h * c.k, ow = c.w * c.k;
  b.output("y", onnx::TensorProto::FLOAT, {c.n, c.oc, oh, ow});

  Tensor x = Tensor::allocate(DataType::kFloat32, {c.n, c.ic, c.h, c.w});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = u(rng);
  SessionOptions o;
  o.num_threads = threads;
  auto s = Session::open_from_bytes(b.bytes(), o);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run({{"x", x}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const Tensor& y = (*out)[0];
  ASSERT_EQ(y.shape(), (Shape{c.n, c.oc, oh, ow}));

  // y[n, o, h*k + i, w*k + j] = relu(B[o] + sum_c x[n, c, h, w] W[c, o, i, j])
  const float* xp = x.data<float>();
  int64_t bad = 0;
  for (int64_t n = 0; n < c.n; ++n)
    for (int64_t o2 = 0; o2 < c.oc; ++o2)
      for (int64_t r = 0; r < oh; ++r)
        for (int64_t q = 0; q < ow; ++q) {
          const int64_t h = r / c.k, i = r % c.k, w = q / c.k, j = q % c.k;
          double acc = bv[static_cast<size_t>(o2)];
          for (int64_t ci = 0; ci < c.ic; ++ci)
            acc += static_cast<double>(xp[((n * c.ic + ci) * c.h + h) * c.w + w]) *
                   wv[static_cast<size_t>(((ci * c.oc + o2) * c.k + i) * c.k + j)];
          const float want = static_cast<float>(std::max(0.0, acc));
          const float got = y.data<float>()[((n * c.oc + o2) * oh + r) * ow + q];
          if (std::fabs(got - want) > 1e-4f * (1.0f + std::fabs(want)) && bad++ < 5)
            ADD_FAILURE() << "y[" << n << "," << o2 << "," << r << "," << q << "] = " << got << ", want " << want;
        }
  EXPECT_EQ(bad, 0);
}

TEST(ConvTransposeTiles, TwoByTwoStrideTwoMatchesTheDefinition) {
  check({2, 8, 6, 5, 7, 2}, 1);
}

TEST(ConvTransposeTiles, ThreeByThreeStrideThreeOnTwoThreads) {
  check({1, 4, 3, 4, 4, 3}, 2);
}

TEST(ConvTransposeTiles, BatchPassesThroughInChunks) {
  // 64 x 2 x 2 tile rows of 32 x 32: 1 MiB per image, so ten images take two 8 MiB chunks.
  check({10, 16, 64, 32, 32, 2}, 2);
}

}  // namespace
}  // namespace parallax
