// MatMul -> [Div | Mul by a scalar] -> Softmax -> MatMul becomes one
// com.parallax.SoftmaxAttention (graph/passes/fuse_attention.cc), computed a
// block of rows at a time (kernels/cpu/softmax_attention.cc): same results
// as the plain graph, with several blocks and a tail, with broadcast batch
// dims, with a 1-D V (the plain-loop path), and the same bytes on 1 and 2
// threads. Probabilities that another node reads keep the graph unfused.
#include <gtest/gtest.h>

#include <algorithm>

#include "fused_vs_plain.h"
#include "model_builder.h"

namespace parallax {
namespace {

using testing::random_tensor;

std::string attention_model(const Shape& q, const Shape& kt, const Shape& v, const Shape& y, const char* scale_op,
                            bool probs_output = false) {
  testing::ModelBuilder b(13);
  b.input("q", onnx::TensorProto::FLOAT, q);
  b.input("kt", onnx::TensorProto::FLOAT, kt);
  b.input("v", onnx::TensorProto::FLOAT, v);
  b.initializer("s", {}, {2.8284271f});
  b.node("MatMul", {"q", "kt"}, {"scores"});
  std::string softmax_in = "scores";
  if (scale_op) {
    b.node(scale_op, {"scores", "s"}, {"scaled"});
    softmax_in = "scaled";
  }
  b.node("Softmax", {softmax_in}, {"p"});
  b.node("MatMul", {"p", "v"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, y);
  if (probs_output) {
    Shape ps = y;
    ps.back() = kt.back();
    b.output("p", onnx::TensorProto::FLOAT, ps);
  }
  return b.bytes();
}

// MatMul -> Add(bias) -> Softmax -> MatMul, the bias a graph input of shape `bias`.
std::string masked_attention_model(const Shape& q, const Shape& kt, const Shape& v, const Shape& bias, const Shape& y) {
  testing::ModelBuilder b(13);
  b.input("q", onnx::TensorProto::FLOAT, q);
  b.input("kt", onnx::TensorProto::FLOAT, kt);
  b.input("v", onnx::TensorProto::FLOAT, v);
  b.input("bias", onnx::TensorProto::FLOAT, bias);
  b.node("MatMul", {"q", "kt"}, {"scores"});
  b.node("Add", {"bias", "scores"}, {"masked"});
  b.node("Softmax", {"masked"}, {"p"});
  b.node("MatMul", {"p", "v"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, y);
  return b.bytes();
}

bool ran(const std::vector<std::string>& ops, const char* op) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

TEST(FuseAttention, SeveralBlocksAndATailMatchThePlainGraph) {
  // 4 x 700 scores per row of Q: a 2 MiB block holds 187 rows, so 400 rows
  // are two full blocks and a tail.
  const Shape q{1, 4, 400, 16}, kt{1, 4, 16, 700}, v{1, 4, 700, 8}, y{1, 4, 400, 8};
  auto ops = testing::expect_fused_matches_plain(
      attention_model(q, kt, v, y, "Div"),
      {{"q", random_tensor(q, 1)}, {"kt", random_tensor(kt, 2)}, {"v", random_tensor(v, 3)}});
  EXPECT_TRUE(ran(ops, "SoftmaxAttention"));
  EXPECT_FALSE(ran(ops, "Softmax"));
  EXPECT_FALSE(ran(ops, "MatMul"));
}

TEST(FuseAttention, BroadcastBatchDimsAndAMulScale) {
  const Shape q{2, 3, 20, 8}, kt{1, 3, 8, 30}, v{3, 30, 5}, y{2, 3, 20, 5};
  auto ops = testing::expect_fused_matches_plain(
      attention_model(q, kt, v, y, "Mul"),
      {{"q", random_tensor(q, 4)}, {"kt", random_tensor(kt, 5)}, {"v", random_tensor(v, 6)}});
  EXPECT_TRUE(ran(ops, "SoftmaxAttention"));
  // V with more batch entries than the scores.
  const Shape q2{3, 20, 8}, kt2{3, 8, 30}, v2{2, 3, 30, 5}, y2{2, 3, 20, 5};
  ops = testing::expect_fused_matches_plain(
      attention_model(q2, kt2, v2, y2, "Mul"),
      {{"q", random_tensor(q2, 4)}, {"kt", random_tensor(kt2, 5)}, {"v", random_tensor(v2, 6)}});
  EXPECT_TRUE(ran(ops, "SoftmaxAttention"));
}

TEST(FuseAttention, OneDimensionalValuesTakeThePlainLoops) {
  const Shape q{4, 8}, kt{8, 6}, v{6}, y{4};
  auto ops = testing::expect_fused_matches_plain(
      attention_model(q, kt, v, y, nullptr),
      {{"q", random_tensor(q, 7)}, {"kt", random_tensor(kt, 8)}, {"v", random_tensor(v, 9)}});
  EXPECT_TRUE(ran(ops, "SoftmaxAttention"));
}

TEST(FuseAttention, ProbabilitiesReadElsewhereStayUnfused) {
  const Shape q{1, 2, 5, 4}, kt{1, 2, 4, 6}, v{1, 2, 6, 3}, y{1, 2, 5, 3};
  auto ops = testing::expect_fused_matches_plain(
      attention_model(q, kt, v, y, "Div", /*probs_output=*/true),
      {{"q", random_tensor(q, 1)}, {"kt", random_tensor(kt, 2)}, {"v", random_tensor(v, 3)}});
  EXPECT_FALSE(ran(ops, "SoftmaxAttention"));
  EXPECT_TRUE(ran(ops, "Softmax"));
}

TEST(FuseAttention, BiasAlongRowsColumnsAndHeads) {
  // A causal-style [M, N] mask over several blocks, a per-key [1, 1, 1, N]
  // mask, a per-row [.., M, 1] bias, and a bias that widens the batch (the
  // plain loops).
  const Shape q{1, 4, 400, 16}, kt{1, 4, 16, 700}, v{1, 4, 700, 8}, y{1, 4, 400, 8};
  for (const Shape& bias : {Shape{400, 700}, Shape{1, 1, 1, 700}, Shape{4, 400, 1}}) {
    auto ops = testing::expect_fused_matches_plain(masked_attention_model(q, kt, v, bias, y),
                                                   {{"q", random_tensor(q, 1)},
                                                    {"kt", random_tensor(kt, 2)},
                                                    {"v", random_tensor(v, 3)},
                                                    {"bias", random_tensor(bias, 4, 3.0f)}});
    EXPECT_TRUE(ran(ops, "SoftmaxAttention")) << shape_to_string(bias);
  }
  const Shape q2{1, 2, 5, 4}, kt2{1, 2, 4, 6}, v2{1, 2, 6, 3}, bias2{3, 2, 5, 6}, y2{3, 2, 5, 3};
  auto ops = testing::expect_fused_matches_plain(masked_attention_model(q2, kt2, v2, bias2, y2),
                                                 {{"q", random_tensor(q2, 1)},
                                                  {"kt", random_tensor(kt2, 2)},
                                                  {"v", random_tensor(v2, 3)},
                                                  {"bias", random_tensor(bias2, 4)}});
  EXPECT_TRUE(ran(ops, "SoftmaxAttention"));
}

// quantize_static's layout: QuantizeLinear -> DequantizeLinear on the scores
// (int8) and on the probabilities (uint8), which join the attention.
std::string qdq_attention_model(const Shape& q, const Shape& kt, const Shape& v, const Shape& y) {
  testing::ModelBuilder b(13);
  b.input("q", onnx::TensorProto::FLOAT, q);
  b.input("kt", onnx::TensorProto::FLOAT, kt);
  b.input("v", onnx::TensorProto::FLOAT, v);
  b.initializer("s_scale", {}, {0.05f});
  b.initializer("p_scale", {}, {1.0f / 255.0f});
  auto* sz = b.proto().mutable_graph()->add_initializer();
  sz->set_name("s_zp");
  sz->set_data_type(onnx::TensorProto::INT8);
  sz->add_int32_data(3);
  auto* pz = b.proto().mutable_graph()->add_initializer();
  pz->set_name("p_zp");
  pz->set_data_type(onnx::TensorProto::UINT8);
  pz->add_int32_data(0);
  b.node("MatMul", {"q", "kt"}, {"scores"});
  b.node("QuantizeLinear", {"scores", "s_scale", "s_zp"}, {"sq"});
  b.node("DequantizeLinear", {"sq", "s_scale", "s_zp"}, {"sd"});
  b.node("Softmax", {"sd"}, {"p"});
  b.node("QuantizeLinear", {"p", "p_scale", "p_zp"}, {"pq"});
  b.node("DequantizeLinear", {"pq", "p_scale", "p_zp"}, {"pd"});
  b.node("MatMul", {"pd", "v"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, y);
  return b.bytes();
}

TEST(FuseAttention, QuantizeDequantizeRoundTripsJoin) {
  const Shape q{1, 4, 400, 16}, kt{1, 4, 16, 700}, v{1, 4, 700, 8}, y{1, 4, 400, 8};
  auto ops = testing::expect_fused_matches_plain(
      qdq_attention_model(q, kt, v, y),
      {{"q", random_tensor(q, 1)}, {"kt", random_tensor(kt, 2)}, {"v", random_tensor(v, 3)}});
  EXPECT_TRUE(ran(ops, "SoftmaxAttention"));
  EXPECT_FALSE(ran(ops, "QuantizeDequantize"));
  EXPECT_FALSE(ran(ops, "QuantizeLinear"));
}

TEST(FuseAttention, ScoresPastTheShapeLimitAreRefused) {
  // 70000 x 70000 scores: never stored by the fused kernel, but the unfused
  // graph would hold them, so the admission rule refuses them alike.
  const Shape q{1, 70000, 1}, kt{1, 1, 70000}, v{1, 70000, 1}, y{1, 70000, 1};
  auto s = Session::open_from_bytes(attention_model(q, kt, v, y, nullptr), SessionOptions{});
  if (!s.is_ok()) {
    EXPECT_NE(s.status().message().find("scores"), std::string::npos) << s.status().to_string();
    return;
  }
  auto out = (*s)->run({{"q", random_tensor(q, 1)}, {"kt", random_tensor(kt, 2)}, {"v", random_tensor(v, 3)}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("scores"), std::string::npos) << out.status().to_string();
}

TEST(FuseAttention, SameBytesOnOneAndTwoThreads) {
  const Shape q{1, 4, 400, 16}, kt{1, 4, 16, 700}, v{1, 4, 700, 8}, y{1, 4, 400, 8};
  const std::string model = attention_model(q, kt, v, y, "Div");
  const std::vector<NamedTensor> in = {
      {"q", random_tensor(q, 1)}, {"kt", random_tensor(kt, 2)}, {"v", random_tensor(v, 3)}};
  std::vector<Tensor> outs;
  for (int threads : {1, 2}) {
    SessionOptions o;
    o.num_threads = threads;
    auto s = Session::open_from_bytes(model, o);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    auto out = (*s)->run(in);
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    outs.push_back((*out)[0]);
  }
  for (int64_t i = 0; i < outs[0].numel(); ++i) ASSERT_EQ(outs[0].data<float>()[i], outs[1].data<float>()[i]) << i;
}

}  // namespace
}  // namespace parallax
