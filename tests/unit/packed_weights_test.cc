// Weights held once: kernels keep constant weights packed (one copy per
// layout), the session drops the originals they hold, and results stay those
// of the same model fed its weights as inputs (which nothing may pack or drop).
#include "kernels/cpu/packed_weights.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "kernels/cpu/dnnl_util.h"
#include "kernels/weight_cache.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

std::vector<float> random_values(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

Tensor tensor_of(const Shape& shape, const std::vector<float>& values) {
  Tensor t = Tensor::allocate(DataType::kFloat32, shape);
  std::memcpy(t.raw(), values.data(), values.size() * sizeof(float));
  return t;
}

TEST(PackedWeights, KeepsOneCopyPerLayoutAndUnpacksTheOriginal) {
  using dnnl::memory;
  const std::vector<float> values = random_values(64 * 48, 1);
  dnnl_util::PackedWeights w;
  w.hold(tensor_of({64, 48}, values), dnnl_util::plain_f32({64, 48}));
  const size_t plain_bytes = values.size() * sizeof(float);
  EXPECT_EQ(w.bytes(), plain_bytes);

  // Another layout: reordered once, and the plain copy is let go.
  memory::desc transposed({64, 48}, memory::data_type::f32, memory::format_tag::ba);
  memory a = w.in_layout(transposed);
  EXPECT_EQ(a.get_data_handle(), w.in_layout(transposed).get_data_handle());
  EXPECT_EQ(w.bytes(), plain_bytes);

  // The plain layout again: rebuilt from the packed copy, bit for bit.
  auto plain = w.plain();
  ASSERT_TRUE(plain.is_ok()) << plain.status().to_string();
  EXPECT_EQ(plain->shape(), (Shape{64, 48}));
  EXPECT_EQ(std::memcmp(plain->raw(), values.data(), plain_bytes), 0);
  memory p = w.in_layout(dnnl_util::plain_f32({64, 48}));
  EXPECT_EQ(std::memcmp(p.get_data_handle(), values.data(), plain_bytes), 0);
  EXPECT_EQ(w.bytes(), 2 * plain_bytes);
}

// A weight nobody else holds is packed in slices that give the source pages
// back as they go; one still held elsewhere is packed whole. Both must give
// the same packed bytes. 1100 x 600 floats is several 1 MiB slices and a tail
// that is not a whole block.
TEST(PackedWeights, PackingInSlicesGivesTheSameBytes) {
  using dnnl::memory;
  const int64_t k = 1100, n = 600;
  const std::vector<float> values = random_values(static_cast<size_t>(k * n), 8);
  memory::desc src({8, k}, memory::data_type::f32, memory::format_tag::ab);
  memory::desc any({k, n}, memory::data_type::f32, memory::format_tag::any);
  memory::desc dst({8, n}, memory::data_type::f32, memory::format_tag::ab);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, any, dst), dnnl_util::cpu_engine());
  const memory::desc layout = pd.weights_desc();
  // x86 oneDNN blocks these weights; oneDNN 2.6 on aarch64 keeps them plain,
  // and a plain layout is one copy with nothing to slice.
  if (layout == dnnl_util::plain_f32({k, n})) GTEST_SKIP() << "oneDNN picked the plain layout: nothing to test";

  dnnl_util::PackedWeights sliced, whole;
  sliced.hold(tensor_of({k, n}, values), dnnl_util::plain_f32({k, n}));
  Tensor kept = tensor_of({k, n}, values);
  whole.hold(kept, dnnl_util::plain_f32({k, n}));
  memory a = sliced.in_layout(layout), b = whole.in_layout(layout);
  ASSERT_EQ(layout.get_size(), b.get_desc().get_size());
  EXPECT_EQ(std::memcmp(a.get_data_handle(), b.get_data_handle(), layout.get_size()), 0);
  auto plain = sliced.plain();
  ASSERT_TRUE(plain.is_ok()) << plain.status().to_string();
  EXPECT_EQ(std::memcmp(plain->raw(), values.data(), values.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(kept.raw(), values.data(), values.size() * sizeof(float)), 0);
}

TEST(PackedWeights, PlainLayoutIsSharedNotCopied) {
  const std::vector<float> values = random_values(8 * 4, 2);
  Tensor t = tensor_of({8, 4}, values);
  dnnl_util::PackedWeights w;
  w.hold(t, dnnl_util::plain_f32({8, 4}));
  dnnl::memory m = w.in_layout(dnnl_util::plain_f32({8, 4}));
  EXPECT_EQ(m.get_data_handle(), t.raw());
  EXPECT_EQ(w.bytes(), values.size() * sizeof(float));
}

// x[N,256] -> MatMul(w1[256,384]) -> Gemm(transB, w2[128,384], c[128]) -> Relu
// -> Conv over [N,8,4,4] with w3[16,8,3,3] -> y. Dims are multiples of 64 so
// that packed layouts need no padding. `as_inputs`: the weights are graph
// inputs instead of initializers. `w1_also_added`: an Add reads w1 too (and
// input z), so w1 must stay in the graph.
std::string model(bool as_inputs, bool w1_also_added) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {-1, 256});
  const std::vector<float> w1 = random_values(256 * 384, 3), w2 = random_values(128 * 384, 4),
                           c = random_values(128, 5), w3 = random_values(16 * 8 * 3 * 3, 6);
  if (as_inputs) {
    b.input("w1", onnx::TensorProto::FLOAT, {256, 384});
    b.input("w2", onnx::TensorProto::FLOAT, {128, 384});
    b.input("w3", onnx::TensorProto::FLOAT, {16, 8, 3, 3});
  } else {
    b.initializer("w1", {256, 384}, w1);
    b.initializer("w2", {128, 384}, w2);
    b.initializer("w3", {16, 8, 3, 3}, w3);
  }
  b.initializer("c", {128}, c);
  b.initializer("shape", {4}, {});
  auto& shape = *b.proto().mutable_graph()->mutable_initializer(b.proto().graph().initializer_size() - 1);
  shape.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : {-1, 8, 4, 4}) shape.add_int64_data(d);
  b.node("MatMul", {"x", "w1"}, {"h"});
  auto* gemm = b.node("Gemm", {"h", "w2", "c"}, {"g"});
  auto* tb = gemm->add_attribute();
  tb->set_name("transB");
  tb->set_type(onnx::AttributeProto::INT);
  tb->set_i(1);
  b.node("Relu", {"g"}, {"r"});
  b.node("Reshape", {"r", "shape"}, {"image"});
  b.node("Conv", {"image", "w3"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {-1, 16, 2, 2});
  if (w1_also_added) {
    b.input("z", onnx::TensorProto::FLOAT, {1, 384});
    b.node("Add", {"w1", "z"}, {"w1z"});
    b.output("w1z", onnx::TensorProto::FLOAT, {256, 384});
  }
  return b.bytes();
}

std::vector<NamedTensor> weights_as_inputs() {
  return {{"w1", tensor_of({256, 384}, random_values(256 * 384, 3))},
          {"w2", tensor_of({128, 384}, random_values(128 * 384, 4))},
          {"w3", tensor_of({16, 8, 3, 3}, random_values(16 * 8 * 3 * 3, 6))}};
}

void expect_same_as_fed_weights(bool w1_also_added) {
  SessionOptions options;
  options.num_threads = 2;
  auto held = Session::open_from_bytes(model(false, w1_also_added), options);
  auto fed = Session::open_from_bytes(model(true, w1_also_added), options);
  ASSERT_TRUE(held.is_ok()) << held.status().to_string();
  ASSERT_TRUE(fed.is_ok()) << fed.status().to_string();
  // Several batch sizes: new primitives after the originals were dropped.
  for (int64_t n : {3, 1, 7, 3}) {
    Tensor x = tensor_of({n, 256}, random_values(static_cast<size_t>(n) * 256, 10 + static_cast<unsigned>(n)));
    std::vector<NamedTensor> common = {{"x", x}};
    if (w1_also_added) common.push_back({"z", tensor_of({1, 384}, random_values(384, 7))});
    std::vector<NamedTensor> feeds = weights_as_inputs();
    feeds.insert(feeds.end(), common.begin(), common.end());
    auto a = (*held)->run(common);
    auto b = (*fed)->run(feeds);
    ASSERT_TRUE(a.is_ok()) << a.status().to_string();
    ASSERT_TRUE(b.is_ok()) << b.status().to_string();
    ASSERT_EQ(a->size(), b->size());
    for (size_t o = 0; o < a->size(); ++o) {
      ASSERT_EQ((*a)[o].shape(), (*b)[o].shape());
      // Packed and plain weights may take different kernels (which ones
      // depends on the CPU): the same sums in another order, so relative.
      for (int64_t i = 0; i < (*a)[o].numel(); ++i) {
        const float want = (*b)[o].data<float>()[i];
        ASSERT_NEAR((*a)[o].data<float>()[i], want, 1e-4f * std::max(1.0f, std::fabs(want)))
            << "output " << o << " batch " << n << " element " << i;
      }
    }
  }
  if (w1_also_added) return;  // w1 is in the graph and packed: two copies by design
  // Each weight once: packed copies replaced the originals (an original kept
  // beside its packed copy would make this about 2x).
  const size_t weights = (*held)->model_info().weight_bytes;
  EXPECT_GE((*held)->resident_weight_bytes(), weights);
  EXPECT_LT((*held)->resident_weight_bytes(), weights + weights / 10)
      << "weights " << weights << " resident " << (*held)->resident_weight_bytes();
}

TEST(PackedWeights, SessionResultsMatchWeightsFedAsInputs) {
  expect_same_as_fed_weights(false);
}

TEST(PackedWeights, WeightReadByAnotherOpStaysInTheGraph) {
  expect_same_as_fed_weights(true);
}

// Two MatMuls read one weight (a detector's head runs one conv on every
// pyramid level the same way).
std::string model_with_shared_weight(bool as_input) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {-1, 256});
  b.input("y", onnx::TensorProto::FLOAT, {-1, 256});
  if (as_input)
    b.input("w", onnx::TensorProto::FLOAT, {256, 384});
  else
    b.initializer("w", {256, 384}, random_values(256 * 384, 3));
  b.node("MatMul", {"x", "w"}, {"xw"});
  b.node("MatMul", {"y", "w"}, {"yw"});
  b.output("xw", onnx::TensorProto::FLOAT, {-1, 384});
  b.output("yw", onnx::TensorProto::FLOAT, {-1, 384});
  return b.bytes();
}

void expect_near(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t o = 0; o < a.size(); ++o) {
    ASSERT_EQ(a[o].shape(), b[o].shape());
    for (int64_t i = 0; i < a[o].numel(); ++i)
      ASSERT_NEAR(a[o].data<float>()[i], b[o].data<float>()[i], 1e-4f) << "output " << o << " element " << i;
  }
}

TEST(PackedWeights, WeightReadByTwoNodesIsPackedOnce) {
  SessionOptions options;
  options.num_threads = 2;
  auto held = Session::open_from_bytes(model_with_shared_weight(false), options);
  auto fed = Session::open_from_bytes(model_with_shared_weight(true), options);
  ASSERT_TRUE(held.is_ok()) << held.status().to_string();
  ASSERT_TRUE(fed.is_ok()) << fed.status().to_string();
  std::vector<NamedTensor> feeds = {{"x", tensor_of({5, 256}, random_values(5 * 256, 11))},
                                    {"y", tensor_of({2, 256}, random_values(2 * 256, 12))}};
  auto a = (*held)->run(feeds);
  feeds.push_back({"w", tensor_of({256, 384}, random_values(256 * 384, 3))});
  auto b = (*fed)->run(feeds);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  expect_near(*a, *b);
  const size_t weights = (*held)->model_info().weight_bytes;
  EXPECT_GE((*held)->resident_weight_bytes(), weights);
  EXPECT_LT((*held)->resident_weight_bytes(), weights + weights / 10)
      << "weights " << weights << " resident " << (*held)->resident_weight_bytes();
}

TEST(PackedWeights, SessionsGivenOneCacheShareTheirPackedWeights) {
  SessionOptions options;
  options.num_threads = 2;
  options.weight_cache = make_weight_cache();
  const std::string bytes = model(false, false);
  auto first = Session::open_from_bytes(bytes, options);
  auto second = Session::open_from_bytes(bytes, options);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  std::vector<NamedTensor> feeds = {{"x", tensor_of({3, 256}, random_values(3 * 256, 13))}};
  auto a = (*first)->run(feeds);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  const WeightCache& shared = *options.weight_cache;
  const size_t packed_bytes = shared.bytes(), packed_entries = shared.entries();
  EXPECT_GT(packed_entries, 0u);
  // The second session packs nothing: it finds every weight in the cache.
  auto b = (*second)->run(feeds);
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(shared.bytes(), packed_bytes);
  EXPECT_EQ(shared.entries(), packed_entries);
  expect_near(*a, *b);
  // Both sessions count the one shared cache: one copy of each weight, not two.
  const size_t weights = (*first)->model_info().weight_bytes;
  EXPECT_LT((*first)->resident_weight_bytes(), weights + weights / 10);
  EXPECT_EQ((*first)->resident_weight_bytes(), (*second)->resident_weight_bytes());
  // A session without the cache packs its own.
  SessionOptions own = options;
  own.weight_cache = nullptr;
  auto third = Session::open_from_bytes(bytes, own);
  ASSERT_TRUE(third.is_ok()) << third.status().to_string();
  auto c = (*third)->run(feeds);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  expect_near(*a, *c);
  EXPECT_EQ(shared.entries(), packed_entries);
  EXPECT_EQ((*first)->resident_weight_bytes(), (*second)->resident_weight_bytes());
}

}  // namespace
}  // namespace parallax
