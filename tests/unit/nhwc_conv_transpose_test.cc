// A 2x2 stride-2 ConvTranspose between convolutions (Mask R-CNN's mask head:
// Conv -> ConvTranspose -> Relu -> Conv) stays channels-last: the layout
// pass makes it com.parallax.NhwcConvTranspose, and the transposes around it
// cancel. The result is the plain graph's, with and without a bias, with
// square and non-square tiles, and for more than one image.
#include <gtest/gtest.h>

#include <algorithm>

#include "fused_vs_plain.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

// The profile names a fused node by its op and activation ("...+Relu").
bool has_op(const std::vector<std::string>& ops, const std::string& op) {
  return std::any_of(ops.begin(), ops.end(), [&](const std::string& o) { return o.rfind(op, 0) == 0; });
}

std::vector<float> weights(size_t n, size_t salt) {
  std::vector<float> w(n);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.05f * static_cast<float>(static_cast<int>((i * 7 + salt) % 11) - 5);
  return w;
}

// x [n,4,5,6] -> Conv 3x3 (8) -> ConvTranspose kh x kw, stride kh x kw (6) ->
// Relu -> Conv 1x1 (3) -> y.
std::string mask_head(int64_t n, int64_t kh, int64_t kw, bool bias) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {n, 4, 5, 6});
  b.initializer("w1", {8, 4, 3, 3}, weights(8 * 4 * 9, 1));
  testing::set_ints(b.node("Conv", {"x", "w1"}, {"c1"}), "pads", {1, 1, 1, 1});
  b.initializer("wt", {8, 6, kh, kw}, weights(static_cast<size_t>(8 * 6 * kh * kw), 2));
  std::vector<std::string> ins = {"c1", "wt"};
  if (bias) {
    b.initializer("bt", {6}, {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f});
    ins.push_back("bt");
  }
  onnx::NodeProto* up = b.node("ConvTranspose", ins, {"u"});
  testing::set_ints(up, "strides", {kh, kw});
  testing::set_ints(up, "kernel_shape", {kh, kw});
  b.node("Relu", {"u"}, {"r"});
  b.initializer("w2", {3, 6, 1, 1}, weights(3 * 6, 3));
  b.node("Conv", {"r", "w2"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {});
  return b.bytes();
}

TEST(NhwcConvTranspose, MaskHeadStaysNhwcAndMatchesThePlainGraph) {
  struct Case {
    int64_t n, kh, kw;
    bool bias;
  };
  for (const Case& c : {Case{1, 2, 2, true}, Case{3, 2, 2, false}, Case{2, 3, 2, true}}) {
    const std::string model = mask_head(c.n, c.kh, c.kw, c.bias);
    const Tensor x = testing::random_tensor({c.n, 4, 5, 6}, 11);
    const auto ops = testing::expect_fused_matches_plain(model, {{"x", x}}, 1e-4f);
    EXPECT_TRUE(has_op(ops, "NhwcConvTranspose")) << ::testing::PrintToString(ops);
    // Only the transposes at the input and the output are left.
    SessionOptions o;
    o.profile = true;
    auto s = Session::open_from_bytes(model, o);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    ASSERT_TRUE((*s)->run({{"x", x}}).is_ok());
    for (const auto& e : (*s)->op_profile()) {
      if (e.op == "Transpose") {
        EXPECT_EQ(e.calls, 2) << c.n << " " << c.kh << "x" << c.kw;
      }
    }
  }
}

// Padding breaks the tiling: such a ConvTranspose stays NCHW, and correct.
TEST(NhwcConvTranspose, PaddedConvTransposeStaysNchw) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 8, 5, 6});
  b.initializer("wt", {8, 6, 2, 2}, weights(8 * 6 * 4, 2));
  onnx::NodeProto* up = b.node("ConvTranspose", {"x", "wt"}, {"y"});
  testing::set_ints(up, "strides", {2, 2});
  testing::set_ints(up, "pads", {1, 0, 0, 0});
  b.output("y", onnx::TensorProto::FLOAT, {});
  const auto ops =
      testing::expect_fused_matches_plain(b.bytes(), {{"x", testing::random_tensor({1, 8, 5, 6}, 5)}}, 1e-4f);
  EXPECT_FALSE(has_op(ops, "NhwcConvTranspose")) << ::testing::PrintToString(ops);
}

// The op written in a model by hand: an X that is not float32, or a window
// that does not tile, is an error naming what is wrong, not a misread.
TEST(NhwcConvTranspose, WrittenInAModelChecksItsInputs) {
  auto model = [](int elem_type, int64_t stride) {
    testing::ModelBuilder b(13);
    auto* import = b.proto().add_opset_import();
    import->set_domain("com.parallax");
    import->set_version(1);
    b.input("x", elem_type, {1, 2, 3, 8});
    b.initializer("wt", {8, 6, 2, 2}, weights(8 * 6 * 4, 2));
    testing::set_ints(b.node("NhwcConvTranspose", {"x", "wt"}, {"y"}, "com.parallax"), "strides", {stride, stride});
    b.output("y", elem_type, {});
    return b.bytes();
  };
  Tensor x64 = Tensor::allocate(DataType::kFloat64, {1, 2, 3, 8});
  auto s = Session::open_from_bytes(model(onnx::TensorProto::DOUBLE, 2));
  Status st = s.is_ok() ? (*s)->run({{"x", x64}}).status() : s.status();
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("must be float32"), std::string::npos) << st.to_string();
  auto t = Session::open_from_bytes(model(onnx::TensorProto::FLOAT, 1));
  ASSERT_FALSE(t.is_ok());
  EXPECT_NE(t.status().message().find("strides equal to the kernel"), std::string::npos) << t.status().to_string();
}

}  // namespace
}  // namespace parallax
