// quantize_dynamic's int8 MatMul (DynamicQuantizeLinear -> MatMulInteger ->
// Cast -> Mul(x_scale * w_scale) -> Add(bias)) becomes one int8 GEMM node,
// computes what the op-by-op graph computes, gives the same bits on any
// thread count, and refuses bad quantization parameters naming the node.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/int8_dot.h"
#include "fused_vs_plain.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

constexpr int64_t kK = 24, kN = 40;

void int8_initializer(testing::ModelBuilder& b, const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<int8_t>& v) {
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT8);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size()));
}

// Within [-64, 64], which every CPU's int8 kernels compute exactly
// (core/int8_dot.h), or over the whole int8 range.
std::vector<int8_t> weights(int64_t n, int seed, bool full_range = false) {
  const int span = full_range ? 255 : 129;
  std::vector<int8_t> w(static_cast<size_t>(n));
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = static_cast<int8_t>(static_cast<int>((i * 37 + static_cast<size_t>(seed) * 11) % span) - span / 2);
  return w;
}

struct Options {
  int matmuls = 1;  // MatMuls reading one DynamicQuantizeLinear
  bool bias = true;
  float w_scale = 0.02f;
  bool per_column = false;  // w_scale of kN values
  bool uint8_w_zero_point = false;
  bool full_range = false;  // weights over all of int8 (see weights())
};

// x [2, 3, K] -> `matmuls` int8 MatMuls of [K, N] weights, summed.
std::string dynamic_int8_model(const Options& o) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3, kK});
  b.node("DynamicQuantizeLinear", {"x"}, {"xq", "xs", "xz"});
  for (int m = 0; m < o.matmuls; ++m) {
    // name("w") = "w<m>" (appended: GCC 12 warns falsely on "w" + std::string).
    auto name = [m](const char* base) { return std::string(base).append(std::to_string(m)); };
    int8_initializer(b, name("w"), {kK, kN}, weights(kK * kN, m, o.full_range));
    if (o.uint8_w_zero_point) {
      auto* t = b.proto().mutable_graph()->add_initializer();
      t->set_name(name("wz"));
      t->set_data_type(onnx::TensorProto::UINT8);
      t->set_raw_data(std::string(1, '\0'));
    } else {
      int8_initializer(b, name("wz"), {}, {0});
    }
    if (o.per_column) {
      std::vector<float> sc(kN);
      for (int64_t j = 0; j < kN; ++j) sc[static_cast<size_t>(j)] = o.w_scale * (1.0f + 0.01f * static_cast<float>(j));
      b.initializer(name("ws"), {kN}, sc);
    } else {
      b.initializer(name("ws"), {}, {o.w_scale});
    }
    b.node("MatMulInteger", {"xq", name("w"), "xz", name("wz")}, {name("acc")});
    b.node("Mul", {"xs", name("ws")}, {name("scale")});
    b.node("Cast", {name("acc")}, {name("accf")})->add_attribute()->CopyFrom([] {
      onnx::AttributeProto a;
      a.set_name("to");
      a.set_type(onnx::AttributeProto::INT);
      a.set_i(onnx::TensorProto::FLOAT);
      return a;
    }());
    const std::string y = o.bias ? name("mm") : name("y");
    b.node("Mul", {name("accf"), name("scale")}, {y});
    if (o.bias) {
      std::vector<float> bias(kN);
      for (int64_t j = 0; j < kN; ++j) bias[static_cast<size_t>(j)] = 0.1f * static_cast<float>(j % 7) - 0.3f;
      b.initializer(name("b"), {kN}, bias);
      b.node("Add", {name("b"), y}, {name("y")});
    }
  }
  std::string sum = "y0";
  for (int m = 1; m < o.matmuls; ++m) {
    const std::string next = std::string("sum").append(std::to_string(m));
    b.node("Add", {sum, std::string("y").append(std::to_string(m))}, {next});
    sum = next;
  }
  b.node("Identity", {sum}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {2, 3, kN});
  return b.bytes();
}

std::vector<NamedTensor> inputs() {
  return {{"x", testing::random_tensor({2, 3, kK}, 5, 2.0f)}};
}

TEST(FuseDynamicQuantMatMul, OneReaderQuantizesInsideTheGemm) {
  auto ops = testing::expect_fused_matches_plain(dynamic_int8_model({}), inputs());
  EXPECT_EQ(ops, (std::vector<std::string>{"DynamicQuantizeMatMul", "Identity"}));
}

// Weights past [-64, 64] would saturate the int8 products of a CPU without
// VNNI (core/int8_dot.h): with SessionOptions::exact_int8 they stay unfused
// there, elsewhere they fuse, and either way the result is the plain graph's.
TEST(FuseDynamicQuantMatMul, FullRangeWeightsMatchThePlainGraphOnAnyCpu) {
  Options o;
  o.full_range = true;
  SessionOptions exact;
  exact.exact_int8 = true;
  auto ops = testing::expect_fused_matches_plain(dynamic_int8_model(o), inputs(), 1e-4f, exact);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "DynamicQuantizeMatMul") == 1, int8_dot_is_exact())
      << ::testing::PrintToString(ops);
}

TEST(FuseDynamicQuantMatMul, PerColumnScaleWithoutBias) {
  Options o;
  o.bias = false;
  o.per_column = true;
  auto ops = testing::expect_fused_matches_plain(dynamic_int8_model(o), inputs());
  EXPECT_EQ(ops, (std::vector<std::string>{"DynamicQuantizeMatMul", "Identity"}));
}

TEST(FuseDynamicQuantMatMul, SharedQuantizationRunsOnce) {
  Options o;
  o.matmuls = 3;
  auto ops = testing::expect_fused_matches_plain(dynamic_int8_model(o), inputs());
  std::sort(ops.begin(), ops.end());
  EXPECT_EQ(ops, (std::vector<std::string>{"Add", "DynamicQuantizeLinear", "Identity", "MatMulIntegerToFloat"}));
}

Tensor run_with(const std::string& model, int threads, ExecutionMode mode) {
  SessionOptions opt;
  opt.num_threads = threads;
  opt.mode = mode;
  opt.adapt_schedule = false;
  auto s = Session::open_from_bytes(model, opt);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  auto y = (*s)->run(inputs());
  EXPECT_TRUE(y.is_ok()) << y.status().to_string();
  return (*y)[0];
}

TEST(FuseDynamicQuantMatMul, SameBitsOnAnyThreadCountAndSchedule) {
  Options o;
  o.matmuls = 3;
  const std::string model = dynamic_int8_model(o);
  Tensor ref = run_with(model, 1, ExecutionMode::kSequential);
  for (int threads : {2, 3})
    for (ExecutionMode mode : {ExecutionMode::kSequential, ExecutionMode::kDataflow}) {
      Tensor y = run_with(model, threads, mode);
      ASSERT_EQ(y.shape(), ref.shape());
      EXPECT_EQ(std::memcmp(y.raw(), ref.raw(), ref.nbytes()), 0) << "threads " << threads;
    }
}

std::string open_error(const std::string& model) {
  auto s = Session::open_from_bytes(model);
  return s.is_ok() ? std::string() : s.status().to_string();
}

TEST(FuseDynamicQuantMatMul, BadScalesAreRefusedNamingTheNode) {
  for (float bad : {0.0f, -1.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    Options o;
    o.w_scale = bad;
    const std::string err = open_error(dynamic_int8_model(o));
    EXPECT_NE(err.find("b_scale must be finite and positive"), std::string::npos) << err;
    EXPECT_NE(err.find("MatMulInteger_"), std::string::npos) << "names the node: " << err;
  }
}

TEST(FuseDynamicQuantMatMul, MicrosoftOpWithZeroPointOfTheWrongType) {
  testing::ModelBuilder b(13);
  auto* ms = b.proto().add_opset_import();
  ms->set_domain("com.microsoft");
  ms->set_version(1);
  b.input("x", onnx::TensorProto::FLOAT, {2, kK});
  int8_initializer(b, "w", {kK, kN}, weights(kK * kN, 1));
  b.initializer("ws", {}, {0.01f});
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name("wz");
  t->set_data_type(onnx::TensorProto::UINT8);
  t->set_raw_data(std::string(1, '\0'));
  b.node("DynamicQuantizeMatMul", {"x", "w", "ws", "wz"}, {"y"}, "com.microsoft");
  b.output("y", onnx::TensorProto::FLOAT, {2, kN});
  const std::string err = open_error(b.bytes());
  EXPECT_NE(err.find("b_zero_point is uint8 but B is int8"), std::string::npos) << err;
}

// com.microsoft.DynamicQuantizeMatMul as ORT's optimizer writes it gives
// what the unfused ONNX ops give.
TEST(FuseDynamicQuantMatMul, MicrosoftOpMatchesOnnxOps) {
  testing::ModelBuilder b(13);
  auto* ms = b.proto().add_opset_import();
  ms->set_domain("com.microsoft");
  ms->set_version(1);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3, kK});
  int8_initializer(b, "w0", {kK, kN}, weights(kK * kN, 0));
  b.initializer("ws0", {}, {0.02f});
  std::vector<float> bias(kN);
  for (int64_t j = 0; j < kN; ++j) bias[static_cast<size_t>(j)] = 0.1f * static_cast<float>(j % 7) - 0.3f;
  b.initializer("b0", {kN}, bias);
  b.node("DynamicQuantizeMatMul", {"x", "w0", "ws0", "", "b0"}, {"y"}, "com.microsoft");
  b.output("y", onnx::TensorProto::FLOAT, {2, 3, kN});
  SessionOptions plain;
  plain.optimize = false;
  auto a = Session::open_from_bytes(b.bytes());
  auto c = Session::open_from_bytes(dynamic_int8_model({}), plain);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  auto ya = (*a)->run(inputs());
  auto yc = (*c)->run(inputs());
  ASSERT_TRUE(ya.is_ok() && yc.is_ok());
  for (int64_t i = 0; i < (*yc)[0].numel(); ++i)
    EXPECT_NEAR((*ya)[0].data<float>()[i], (*yc)[0].data<float>()[i], 1e-4f) << i;
}

}  // namespace
}  // namespace parallax
