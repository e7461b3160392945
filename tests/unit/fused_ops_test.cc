// Fusions live in Parallax's own domain (graph/fused_ops.h): a pass that
// gives a standard op an epilogue moves it into com.parallax, and a model
// that writes the px_ attributes on a standard op is refused at load, so no
// model file reaches a kernel's fused path by naming them.
#include "graph/fused_ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "format/onnx_loader.h"
#include "graph/passes/passes.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

using testing::ModelBuilder;

void add_string(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

// x [1,2,4,4] -> Conv(w [2,2,1,1]) -> Relu -> y; with `px` the Conv also
// carries px_activation itself.
std::string conv_relu(bool px, const std::string& conv_domain = "") {
  ModelBuilder b(13);
  if (!conv_domain.empty()) {
    auto* import = b.proto().add_opset_import();
    import->set_domain(conv_domain);
    import->set_version(1);
  }
  b.input("x", onnx::TensorProto::FLOAT, {1, 2, 4, 4});
  b.initializer("w", {2, 2, 1, 1}, {1.0f, -1.0f, 0.5f, 2.0f});
  auto* conv = b.node("Conv", {"x", "w"}, {"c"}, conv_domain);
  if (px) add_string(conv, "px_activation", "Sigmoid");
  b.node("Relu", {"c"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {1, 2, 4, 4});
  return b.bytes();
}

TEST(FusedOps, StandardOpWithPxAttributeIsRefused) {
  auto session = Session::open_from_bytes(conv_relu(true));
  ASSERT_FALSE(session.is_ok());
  EXPECT_EQ(session.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(session.status().message().find("attribute 'px_activation' is reserved"), std::string::npos)
      << session.status().to_string();
  EXPECT_NE(session.status().message().find("Conv_1"), std::string::npos) << session.status().to_string();
  // The same attribute on an op of another domain (com.microsoft) is refused too.
  auto other = Session::open_from_bytes(conv_relu(true, "com.microsoft"));
  ASSERT_FALSE(other.is_ok());
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidModel);
}

TEST(FusedOps, FusedFormWrittenInAModelRuns) {
  // com.parallax.Conv with px_activation Sigmoid, then Relu: Relu(Sigmoid(conv)).
  auto session = Session::open_from_bytes(conv_relu(true, std::string(kParallaxDomain)));
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {1, 2, 4, 4});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i % 5) - 2.0f;
  auto y = (*session)->run({{"x", x}});
  ASSERT_TRUE(y.is_ok()) << y.status().to_string();
  for (int64_t i = 0; i < 16; ++i) {
    const float a = x.data<float>()[i], b = x.data<float>()[16 + i];
    EXPECT_NEAR((*y)[0].data<float>()[i], 1.0f / (1.0f + std::exp(-(a - b))), 1e-6f) << i;
  }
}

TEST(FusedOps, FusionMovesTheNodeIntoParallaxDomain) {
  auto model = load_model_from_bytes(conv_relu(false), {}, {});
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  Graph& g = *(*model)->graph;
  ASSERT_TRUE(prepare_graph(g).is_ok());
  OptimizeOptions options;
  options.channels_last = false;  // keep the Conv itself
  ASSERT_TRUE(optimize_graph(g, options).is_ok());
  ASSERT_EQ(g.nodes.size(), 1u);
  const Node& conv = g.nodes[0];
  EXPECT_EQ(conv.domain, kParallaxDomain);
  EXPECT_EQ(conv.op_type, "Conv");
  ASSERT_TRUE(conv.attrs.has("px_activation"));
  EXPECT_EQ(conv.attrs.get_string("px_activation").value(), "Relu");
  EXPECT_TRUE(is_op_or_fused(conv, "Conv"));
}

}  // namespace
}  // namespace parallax
