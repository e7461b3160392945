// Runs a model optimised (fusions on, profiled) and unoptimised on the same
// inputs, expects the first outputs to agree, and returns the optimised
// session's op names: the fusion tests check what was fused and that it
// computes what the plain graph computes.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "parallax/session.h"

namespace parallax::testing {

inline Tensor random_tensor(const Shape& shape, unsigned seed, float stddev = 1.0f) {
  Tensor t = Tensor::allocate(DataType::kFloat32, shape);
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, stddev);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

// `base`: the options both sessions start from.
inline std::vector<std::string> expect_fused_matches_plain(const std::string& model,
                                                           const std::vector<NamedTensor>& inputs,
                                                           float tolerance = 1e-4f, const SessionOptions& base = {}) {
  SessionOptions fused = base, plain = base;
  fused.profile = true;
  plain.optimize = false;
  auto a = Session::open_from_bytes(model, fused);
  auto b = Session::open_from_bytes(model, plain);
  EXPECT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_TRUE(b.is_ok()) << b.status().to_string();
  if (!a.is_ok() || !b.is_ok()) return {};
  auto ya = (*a)->run(inputs);
  auto yb = (*b)->run(inputs);
  EXPECT_TRUE(ya.is_ok()) << ya.status().to_string();
  EXPECT_TRUE(yb.is_ok()) << yb.status().to_string();
  if (!ya.is_ok() || !yb.is_ok()) return {};
  EXPECT_EQ((*ya)[0].shape(), (*yb)[0].shape());
  if ((*ya)[0].shape() != (*yb)[0].shape()) return {};
  for (int64_t i = 0; i < (*yb)[0].numel(); ++i)
    EXPECT_NEAR((*ya)[0].data<float>()[i], (*yb)[0].data<float>()[i], tolerance) << "element " << i;
  std::vector<std::string> ops;
  for (const auto& e : (*a)->op_profile()) ops.push_back(e.op);
  return ops;
}

}  // namespace parallax::testing
