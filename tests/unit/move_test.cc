// Unit tests of the data-movement building blocks (kernels/cpu/move_util.h):
// the coalescing / tiled N-D transpose and the strided copy behind Slice,
// against naive per-element index arithmetic over random shapes,
// permutations, element sizes and thread counts; plus run-time errors of the
// movement kernels (bad indices, bad shapes) surfacing as Status.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "kernels/cpu/move_util.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

// Element `flat` of a row-major `shape`, as a multi-index.
std::vector<int64_t> unflatten(int64_t flat, const Shape& shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  return idx;
}

template <typename T>
void check_transpose(std::mt19937& rng, const Shape& shape, const std::vector<int64_t>& perm, int threads) {
  const int64_t n = shape_numel(shape);
  std::vector<T> in(static_cast<size_t>(n)), out(static_cast<size_t>(n), T(0));
  for (int64_t i = 0; i < n; ++i) in[static_cast<size_t>(i)] = static_cast<T>(rng());
  ASSERT_TRUE(move::transpose(in.data(), out.data(), sizeof(T), shape, perm, threads).is_ok());
  Shape oshape(shape.size());
  for (size_t j = 0; j < shape.size(); ++j) oshape[j] = shape[static_cast<size_t>(perm[j])];
  const std::vector<int64_t> istr = strides_of(shape);
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int64_t> oi = unflatten(i, oshape);
    int64_t off = 0;
    for (size_t j = 0; j < oi.size(); ++j) off += oi[j] * istr[static_cast<size_t>(perm[j])];
    ASSERT_EQ(out[static_cast<size_t>(i)], in[static_cast<size_t>(off)])
        << "shape " << shape_to_string(shape) << " perm " << shape_to_string(perm) << " element " << i;
  }
}

TEST(MoveTranspose, MatchesNaiveIndexing) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 400; ++trial) {
    Shape shape(std::uniform_int_distribution<size_t>(0, 5)(rng));
    for (int64_t& d : shape) d = std::uniform_int_distribution<int64_t>(rng() % 4 == 0 ? 1 : 0, 13)(rng);
    if (rng() % 5 == 0 && !shape.empty()) shape.back() = 37;  // full micro tiles plus edges
    std::vector<int64_t> perm(shape.size());
    std::iota(perm.begin(), perm.end(), int64_t{0});
    std::shuffle(perm.begin(), perm.end(), rng);
    const int threads = 1 + static_cast<int>(rng() % 3);
    switch (rng() % 4) {
      case 0: check_transpose<uint8_t>(rng, shape, perm, threads); break;
      case 1: check_transpose<uint16_t>(rng, shape, perm, threads); break;
      case 2: check_transpose<uint32_t>(rng, shape, perm, threads); break;
      default: check_transpose<uint64_t>(rng, shape, perm, threads); break;
    }
  }
}

TEST(MoveTranspose, LayoutSwapsOfRealisticSizes) {
  std::mt19937 rng(3);
  check_transpose<uint32_t>(rng, {1, 64, 56, 56}, {0, 2, 3, 1}, 2);
  check_transpose<uint32_t>(rng, {2, 28, 28, 32}, {0, 3, 1, 2}, 2);
  check_transpose<uint32_t>(rng, {1, 12, 77, 64}, {0, 2, 1, 3}, 2);
  check_transpose<uint32_t>(rng, {131, 67}, {1, 0}, 1);
  check_transpose<uint64_t>(rng, {3, 45, 29}, {2, 0, 1}, 2);
  check_transpose<uint8_t>(rng, {1, 3, 64, 64}, {0, 2, 3, 1}, 1);
  // An image going channels-last: 1-4 channels take the narrow path.
  check_transpose<uint32_t>(rng, {1, 3, 224, 224}, {0, 2, 3, 1}, 2);
  check_transpose<uint32_t>(rng, {2, 4, 33, 35}, {0, 2, 3, 1}, 1);
  check_transpose<uint16_t>(rng, {1, 2, 37, 41}, {0, 2, 3, 1}, 2);
}

TEST(MoveStridedCopy, MatchesNaiveSlicing) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 300; ++trial) {
    Shape in_shape(std::uniform_int_distribution<size_t>(1, 4)(rng));
    for (int64_t& d : in_shape) d = std::uniform_int_distribution<int64_t>(1, 9)(rng);
    const std::vector<int64_t> istr = strides_of(in_shape);
    // Random start and step (possibly negative) per dim; length that stays in range.
    Shape out_shape(in_shape.size());
    std::vector<int64_t> start(in_shape.size()), step(in_shape.size()), strides(in_shape.size());
    int64_t base = 0;
    for (size_t d = 0; d < in_shape.size(); ++d) {
      step[d] = std::uniform_int_distribution<int64_t>(1, 3)(rng) * (rng() % 2 ? 1 : -1);
      start[d] = std::uniform_int_distribution<int64_t>(0, in_shape[d] - 1)(rng);
      const int64_t room = step[d] > 0 ? (in_shape[d] - 1 - start[d]) / step[d] : start[d] / -step[d];
      out_shape[d] = std::uniform_int_distribution<int64_t>(0, room + 1)(rng);
      base += start[d] * istr[d];
      strides[d] = step[d] * istr[d];
    }
    std::vector<float> in(static_cast<size_t>(shape_numel(in_shape)));
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i);
    std::vector<float> out(static_cast<size_t>(shape_numel(out_shape)), -1.0f);
    ASSERT_TRUE(move::strided_copy(in.data(), base, strides, out.data(), out_shape, sizeof(float),
                                   1 + static_cast<int>(rng() % 2))
                    .is_ok());
    for (int64_t i = 0; i < shape_numel(out_shape); ++i) {
      std::vector<int64_t> oi = unflatten(i, out_shape);
      int64_t off = 0;
      for (size_t d = 0; d < oi.size(); ++d) off += (start[d] + oi[d] * step[d]) * istr[d];
      ASSERT_EQ(out[static_cast<size_t>(i)], in[static_cast<size_t>(off)]) << "element " << i;
    }
  }
}

// A Gather node whose indices are a constant; running it must fail cleanly.
TEST(MoveKernels, OutOfRangeGatherIndexIsAnError) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {3, 2});
  b.input("i", onnx::TensorProto::INT64, {2});
  b.node("Gather", {"x", "i"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {2, 2});
  auto session = Session::open_from_bytes(b.bytes());
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {3, 2});
  Tensor i = Tensor::allocate(DataType::kInt64, {2});
  i.data<int64_t>()[0] = 1;
  i.data<int64_t>()[1] = 3;
  auto out = (*session)->run({{"x", x}, {"i", i}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("out of range"), std::string::npos) << out.status().to_string();
  i.data<int64_t>()[1] = -3;  // wraps to 0
  auto ok = (*session)->run({{"x", x}, {"i", i}});
  EXPECT_TRUE(ok.is_ok()) << ok.status().to_string();
}

TEST(MoveKernels, ReshapeToWrongSizeIsAnError) {
  testing::ModelBuilder b(14);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3});
  b.input("s", onnx::TensorProto::INT64, {2});
  b.node("Reshape", {"x", "s"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {-1, -1});
  auto session = Session::open_from_bytes(b.bytes());
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {2, 3});
  Tensor s = Tensor::allocate(DataType::kInt64, {2});
  s.data<int64_t>()[0] = 4;
  s.data<int64_t>()[1] = -1;
  EXPECT_FALSE((*session)->run({{"x", x}, {"s", s}}).is_ok());
  s.data<int64_t>()[0] = 3;
  auto ok = (*session)->run({{"x", x}, {"s", s}});
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_EQ((*ok)[0].shape(), (Shape{3, 2}));
}

}  // namespace
}  // namespace parallax
