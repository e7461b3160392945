// quantize_static's QDQ MatMul and Gemm (DequantizeLinear(x), DequantizeLinear(W)
// [, DequantizeLinear(bias)] -> MatMul / Gemm [-> Relu] [-> QuantizeLinear])
// run as int8 GEMMs (QLinearMatMul on oneDNN, com.parallax's with the bias
// and Relu; MatMulIntegerToFloat where the result stays float), give what
// the op-by-op graph gives up to one output quantization step (oneDNN sums
// in int32 where the plain graph sums floats), and the same bits on any
// thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "core/int8_dot.h"
#include "fused_vs_plain.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

constexpr int64_t kK = 40, kN = 24;
constexpr float kYScale = 0.05f;

void raw_initializer(testing::ModelBuilder& b, const std::string& name, int type, const std::vector<int64_t>& dims,
                     const void* data, size_t bytes) {
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(std::string(static_cast<const char*>(data), bytes));
}

void int_attr(onnx::NodeProto* n, const char* name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

struct Options {
  bool gemm = false;       // Gemm(transB = 1) with an int32 bias, else MatMul
  bool relu = false;       // a Relu before the output QuantizeLinear
  bool requantize = true;  // else the GEMM's float result is the output
  bool per_column = true;  // W's scale per output column, else per tensor
  bool int8_x = false;     // x quantized to int8 (zero point 0), else uint8 (128)
  std::vector<int64_t> x_shape = {2, 5, kK};
  bool full_range = false;  // W over all of int8, else within [-64, 64] (core/int8_dot.h)
};

std::vector<int64_t> out_shape(const Options& o) {
  std::vector<int64_t> s = o.x_shape;
  s.back() = kN;
  return s;
}

// x -> Q -> DQ -> MatMul/Gemm(DQ W [, DQ bias]) [-> Relu] [-> Q -> DQ] -> y.
std::string qdq_model(const Options& o) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, o.x_shape);
  b.initializer("xs", {}, {0.02f});
  if (o.int8_x) {
    int8_t z = 0;
    raw_initializer(b, "xz", onnx::TensorProto::INT8, {}, &z, 1);
  } else {
    uint8_t z = 128;
    raw_initializer(b, "xz", onnx::TensorProto::UINT8, {}, &z, 1);
  }
  b.node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  // W as [K, N] for MatMul, [N, K] for Gemm(transB).
  std::vector<int8_t> w(static_cast<size_t>(kK * kN));
  const int span = o.full_range ? 255 : 129;
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>((i * 37 + 11) % span) - span / 2);
  const std::vector<int64_t> w_dims = o.gemm ? std::vector<int64_t>{kN, kK} : std::vector<int64_t>{kK, kN};
  raw_initializer(b, "w", onnx::TensorProto::INT8, w_dims, w.data(), w.size());
  std::vector<float> ws(o.per_column ? kN : 1);
  for (size_t n = 0; n < ws.size(); ++n) ws[n] = 0.001f * static_cast<float>(1 + n % 4);
  std::vector<int8_t> wz(ws.size(), 0);
  const std::vector<int64_t> s_dims = o.per_column ? std::vector<int64_t>{kN} : std::vector<int64_t>{};
  b.initializer("ws", s_dims, ws);
  raw_initializer(b, "wz", onnx::TensorProto::INT8, s_dims, wz.data(), wz.size());
  int_attr(b.node("DequantizeLinear", {"w", "ws", "wz"}, {"wd"}), "axis", o.gemm ? 0 : 1);
  const std::string mm = o.relu || o.requantize ? "mm" : "y";
  if (o.gemm) {
    std::vector<int32_t> bq(kN);
    std::vector<float> bs(kN);
    for (int64_t n = 0; n < kN; ++n) {
      bq[static_cast<size_t>(n)] = static_cast<int32_t>(n * 2003) - 20000;  // ~ +-1.0: many output steps
      bs[static_cast<size_t>(n)] = 0.02f * ws[o.per_column ? static_cast<size_t>(n) : 0];
    }
    raw_initializer(b, "bq", onnx::TensorProto::INT32, {kN}, bq.data(), bq.size() * 4);
    b.initializer("bs", {kN}, bs);
    int_attr(b.node("DequantizeLinear", {"bq", "bs"}, {"bd"}), "axis", 0);
    int_attr(b.node("Gemm", {"xd", "wd", "bd"}, {mm}), "transB", 1);
  } else {
    b.node("MatMul", {"xd", "wd"}, {mm});
  }
  std::string last = mm;
  if (o.relu) {
    const std::string r = o.requantize ? "r" : "y";
    b.node("Relu", {mm}, {r});
    last = r;
  }
  if (o.requantize) {
    b.initializer("ys", {}, {kYScale});
    uint8_t z = o.relu ? 0 : 100;
    raw_initializer(b, "yz", onnx::TensorProto::UINT8, {}, &z, 1);
    b.node("QuantizeLinear", {last, "ys", "yz"}, {"yq"});
    b.node("DequantizeLinear", {"yq", "ys", "yz"}, {"y"});
  }
  b.output("y", onnx::TensorProto::FLOAT, out_shape(o));
  return b.bytes();
}

std::vector<NamedTensor> inputs(const Options& o) {
  return {{"x", testing::random_tensor(o.x_shape, 5, 1.0f)}};
}

size_t count(const std::vector<std::string>& ops, const std::string& op) {
  return static_cast<size_t>(std::count(ops.begin(), ops.end(), op));
}

TEST(FuseQdqMatMul, BatchedMatMulRunsAsQLinearMatMul) {
  for (bool per_column : {true, false})
    for (bool int8_x : {false, true}) {
      Options o;
      o.per_column = per_column;
      o.int8_x = int8_x;
      auto ops = testing::expect_fused_matches_plain(qdq_model(o), inputs(o), kYScale * 1.001f);
      EXPECT_EQ(count(ops, "QLinearMatMul"), 1u) << ::testing::PrintToString(ops);
      EXPECT_EQ(count(ops, "MatMul"), 0u) << ::testing::PrintToString(ops);
    }
}

// W past [-64, 64] would saturate the int8 products of a CPU without VNNI
// (core/int8_dot.h): with SessionOptions::exact_int8 the MatMul stays float
// there, elsewhere it fuses, and either way the result is the plain graph's.
TEST(FuseQdqMatMul, FullRangeWeightsMatchThePlainGraphOnAnyCpu) {
  Options o;
  o.full_range = true;
  SessionOptions exact;
  exact.exact_int8 = true;
  auto ops = testing::expect_fused_matches_plain(qdq_model(o), inputs(o), kYScale * 1.001f, exact);
  EXPECT_EQ(count(ops, "QLinearMatMul") == 1, int8_dot_is_exact()) << ::testing::PrintToString(ops);
}

TEST(FuseQdqMatMul, GemmWithBiasAndReluRunsAsOneNode) {
  Options o;
  o.gemm = true;
  o.relu = true;
  o.x_shape = {7, kK};
  auto ops = testing::expect_fused_matches_plain(qdq_model(o), inputs(o), kYScale * 1.001f);
  EXPECT_EQ(count(ops, "QLinearMatMul+Relu"), 1u) << ::testing::PrintToString(ops);
  EXPECT_EQ(ops.size(), 3u) << "Q, the GEMM, DQ: " << ::testing::PrintToString(ops);
}

TEST(FuseQdqMatMul, FloatResultRunsAsMatMulIntegerToFloat) {
  for (bool gemm : {false, true}) {
    Options o;
    o.gemm = gemm;
    o.requantize = false;
    if (gemm) o.x_shape = {6, kK};
    // Float sums of the same products: well inside a thousandth of the output's ~0.5 range.
    auto ops = testing::expect_fused_matches_plain(qdq_model(o), inputs(o), 2e-4f);
    EXPECT_EQ(count(ops, "MatMulIntegerToFloat"), 1u) << ::testing::PrintToString(ops);
  }
}

TEST(FuseQdqMatMul, SameBitsOnAnyThreadCount) {
  for (bool gemm : {false, true}) {
    Options o;
    o.gemm = gemm;
    o.relu = gemm;
    o.x_shape = {3, 33, kK};
    if (gemm) o.x_shape = {97, kK};
    const std::string model = qdq_model(o);
    Tensor ref;
    for (int threads : {1, 2, 3}) {
      SessionOptions opt;
      opt.num_threads = threads;
      auto s = Session::open_from_bytes(model, opt);
      ASSERT_TRUE(s.is_ok()) << s.status().to_string();
      auto y = (*s)->run(inputs(o));
      ASSERT_TRUE(y.is_ok()) << y.status().to_string();
      if (ref.empty()) {
        ref = (*y)[0];
        continue;
      }
      ASSERT_EQ((*y)[0].shape(), ref.shape());
      EXPECT_EQ(std::memcmp((*y)[0].raw(), ref.raw(), ref.nbytes()), 0) << threads << " threads";
    }
  }
}

}  // namespace
}  // namespace parallax
