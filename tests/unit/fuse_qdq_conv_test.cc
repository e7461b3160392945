// quantize_static's QDQ Conv and Add (DequantizeLinear -> Conv -> Relu ->
// QuantizeLinear; two DequantizeLinear -> Add -> Relu -> QuantizeLinear)
// run as int8 nodes (NhwcQLinearConv on oneDNN, QLinearAdd), give what the
// op-by-op graph gives up to one output quantization step (oneDNN rounds
// the requantisation in its own order), the same bits on any thread count,
// and refuse bad quantization parameters naming the node.
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

void raw_initializer(testing::ModelBuilder& b, const std::string& name, int type, const std::vector<int64_t>& dims,
                     const void* data, size_t bytes) {
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(std::string(static_cast<const char*>(data), bytes));
}

void u8_scalar(testing::ModelBuilder& b, const std::string& name, uint8_t v) {
  raw_initializer(b, name, onnx::TensorProto::UINT8, {}, &v, 1);
}

constexpr int64_t kC = 8, kM = 8, kHW = 10;
constexpr float kYScale = 0.1f;

struct Options {
  float y_scale = kYScale;
  int w_axis = 0;
  bool int8_x_zero_point = false;
  bool full_range = false;  // weights over all of int8, else within [-64, 64] (core/int8_dot.h)
};

// x -> Q -> DQ -> Conv(DQ w, DQ b) -> Relu -> Q -> DQ -> (+ the same for a
// second Conv) -> Add -> Relu -> Q -> DQ -> y.
std::string qdq_model(const Options& o) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, kC, kHW, kHW});
  b.initializer("xs", {}, {0.05f});
  if (o.int8_x_zero_point) {
    int8_t z = 0;
    raw_initializer(b, "xz", onnx::TensorProto::INT8, {}, &z, 1);
  } else {
    u8_scalar(b, "xz", 128);
  }
  b.node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  b.initializer("ys", {}, {o.y_scale});
  u8_scalar(b, "yz", 0);
  std::vector<std::string> branches;
  for (int k = 0; k < 2; ++k) {
    const std::string s = std::to_string(k);
    std::vector<int8_t> w(static_cast<size_t>(kM * kC * 9));
    const int span = o.full_range ? 255 : 129;
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = static_cast<int8_t>(static_cast<int>((i * 29 + 7 * static_cast<size_t>(k)) % span) - span / 2);
    raw_initializer(b, std::string("w").append(s), onnx::TensorProto::INT8, {kM, kC, 3, 3}, w.data(), w.size());
    std::vector<float> ws(kM);
    for (int64_t m = 0; m < kM; ++m) ws[static_cast<size_t>(m)] = 0.002f * static_cast<float>(1 + m % 3);
    b.initializer(std::string("ws").append(s), {kM}, ws);
    std::vector<int8_t> wz(kM, 0);
    raw_initializer(b, std::string("wz").append(s), onnx::TensorProto::INT8, {kM}, wz.data(), wz.size());
    auto* dq = b.node("DequantizeLinear",
                      {std::string("w").append(s), std::string("ws").append(s), std::string("wz").append(s)},
                      {std::string("wd").append(s)});
    auto* axis = dq->add_attribute();
    axis->set_name("axis");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(o.w_axis);
    std::vector<int32_t> bq(kM);
    std::vector<float> bs(kM);
    for (int64_t m = 0; m < kM; ++m) {
      bq[static_cast<size_t>(m)] = static_cast<int32_t>(m * 37) - 100;
      bs[static_cast<size_t>(m)] = 0.05f * ws[static_cast<size_t>(m)];
    }
    raw_initializer(b, std::string("b").append(s), onnx::TensorProto::INT32, {kM}, bq.data(), bq.size() * 4);
    b.initializer(std::string("bs").append(s), {kM}, bs);
    auto* bdq = b.node("DequantizeLinear", {std::string("b").append(s), std::string("bs").append(s)},
                       {std::string("bd").append(s)});
    auto* baxis = bdq->add_attribute();
    baxis->set_name("axis");
    baxis->set_type(onnx::AttributeProto::INT);
    baxis->set_i(0);
    auto* conv =
        b.node("Conv", {"xd", std::string("wd").append(s), std::string("bd").append(s)}, {std::string("c").append(s)});
    auto* pads = conv->add_attribute();
    pads->set_name("pads");
    pads->set_type(onnx::AttributeProto::INTS);
    for (int p = 0; p < 4; ++p) pads->add_ints(1);
    b.node("Relu", {std::string("c").append(s)}, {std::string("r").append(s)});
    b.node("QuantizeLinear", {std::string("r").append(s), "ys", "yz"}, {std::string("rq").append(s)});
    b.node("DequantizeLinear", {std::string("rq").append(s), "ys", "yz"}, {std::string("rd").append(s)});
    branches.push_back(std::string("rd").append(s));
  }
  b.node("Add", branches, {"sum"});
  b.node("Relu", {"sum"}, {"sr"});
  b.node("QuantizeLinear", {"sr", "ys", "yz"}, {"sq"});
  b.node("DequantizeLinear", {"sq", "ys", "yz"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {1, kM, kHW, kHW});
  return b.bytes();
}

std::vector<NamedTensor> inputs() {
  return {{"x", testing::random_tensor({1, kC, kHW, kHW}, 3, 2.0f)}};
}

TEST(FuseQdqConv, ConvAndAddRunAsInt8AndMatchThePlainGraph) {
  auto ops = testing::expect_fused_matches_plain(qdq_model({}), inputs(), kYScale * 1.001f);
  std::sort(ops.begin(), ops.end());
  EXPECT_TRUE(std::count(ops.begin(), ops.end(), "NhwcQLinearConv+Relu") == 1) << ::testing::PrintToString(ops);
  EXPECT_TRUE(std::count(ops.begin(), ops.end(), "QLinearAdd+Relu") == 1) << ::testing::PrintToString(ops);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Conv"), 0);
}

// Weights past [-64, 64] would saturate the int8 products of a CPU without
// VNNI (core/int8_dot.h): with SessionOptions::exact_int8 the Convs stay
// float there, elsewhere they fuse, and either way the result is the plain
// graph's.
TEST(FuseQdqConv, FullRangeWeightsMatchThePlainGraphOnAnyCpu) {
  Options o;
  o.full_range = true;
  SessionOptions exact;
  exact.exact_int8 = true;
  auto ops = testing::expect_fused_matches_plain(qdq_model(o), inputs(), kYScale * 1.001f, exact);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "NhwcQLinearConv+Relu") == 1, int8_dot_is_exact())
      << ::testing::PrintToString(ops);
}

TEST(FuseQdqConv, SameBitsOnAnyThreadCountAndSchedule) {
  const std::string model = qdq_model({});
  Tensor ref;
  for (int threads : {1, 2, 3})
    for (ExecutionMode mode : {ExecutionMode::kSequential, ExecutionMode::kDataflow}) {
      SessionOptions opt;
      opt.num_threads = threads;
      opt.mode = mode;
      opt.adapt_schedule = false;
      auto s = Session::open_from_bytes(model, opt);
      ASSERT_TRUE(s.is_ok()) << s.status().to_string();
      auto y = (*s)->run(inputs());
      ASSERT_TRUE(y.is_ok()) << y.status().to_string();
      if (ref.empty()) {
        ref = (*y)[0];
        continue;
      }
      ASSERT_EQ((*y)[0].shape(), ref.shape());
      EXPECT_EQ(std::memcmp((*y)[0].raw(), ref.raw(), ref.nbytes()), 0) << threads << " threads";
    }
}

std::string first_error(const std::string& model) {
  auto s = Session::open_from_bytes(model);
  if (!s.is_ok()) return s.status().to_string();
  auto y = (*s)->run(inputs());
  return y.is_ok() ? std::string() : y.status().to_string();
}

TEST(FuseQdqConv, BadQuantizationParametersAreRefusedNamingTheNode) {
  for (float bad : {0.0f, std::numeric_limits<float>::quiet_NaN()}) {
    Options o;
    o.y_scale = bad;
    const std::string err = first_error(qdq_model(o));
    EXPECT_NE(err.find("must be finite and positive"), std::string::npos) << err;
    EXPECT_NE(err.find("node '"), std::string::npos) << err;
  }
  Options axis;
  axis.w_axis = 5;
  std::string err = first_error(qdq_model(axis));
  EXPECT_NE(err.find("axis"), std::string::npos) << err;
  EXPECT_NE(err.find("node '"), std::string::npos) << err;
  Options zp;
  zp.int8_x_zero_point = true;  // x_zero_point int8, fine for QuantizeLinear; the fused conv checks it matches
  err = first_error(qdq_model(zp));
  EXPECT_TRUE(err.empty()) << "int8 activations are valid: " << err;
}

}  // namespace
}  // namespace parallax
