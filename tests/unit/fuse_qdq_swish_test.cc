// SiLU between quantized tensors (DequantizeLinear -> Sigmoid [-> Q/DQ] ->
// Mul -> QuantizeLinear [-> DequantizeLinear]) becomes one table lookup,
// com.parallax.QLinearSwish (graph/passes/fuse_qdq_swish.cc): the same bytes
// as the unfused graph, uint8 and int8, with and without the round trip on
// the sigmoid, ending quantized or in float.
#include <gtest/gtest.h>

#include <cstring>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

void add_zero_point(testing::ModelBuilder& b, const std::string& name, bool int8, int value) {
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(int8 ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8);
  t->add_int32_data(value);
}

const Shape kShape{2, 3, 16, 16};  // 1536 bytes: every value occurs

std::string swish_model(bool int8, bool sigmoid_round_trip, bool float_end) {
  testing::ModelBuilder b(13);
  const Shape s = kShape;
  b.input("xq", int8 ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8, s);
  b.initializer("xs", {}, {0.04f});
  add_zero_point(b, "xz", int8, int8 ? -5 : 120);
  b.initializer("ss", {}, {1.0f / 255.0f});
  add_zero_point(b, "sz", false, 0);
  b.initializer("ys", {}, {0.03f});
  add_zero_point(b, "yz", int8, int8 ? 3 : 10);
  b.node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  b.node("Sigmoid", {"xd"}, {"sig"});
  std::string gate = "sig";
  if (sigmoid_round_trip) {
    b.node("QuantizeLinear", {"sig", "ss", "sz"}, {"sigq"});
    b.node("DequantizeLinear", {"sigq", "ss", "sz"}, {"sigd"});
    gate = "sigd";
  }
  b.node("Mul", {"xd", gate}, {"m"});
  b.node("QuantizeLinear", {"m", "ys", "yz"}, {"yq"});
  if (float_end) {
    b.node("DequantizeLinear", {"yq", "ys", "yz"}, {"yd"});
    b.node("Relu", {"yd"}, {"y"});  // a float op after the round trip
    b.output("y", onnx::TensorProto::FLOAT, s);
  } else {
    b.output("yq", int8 ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8, s);
  }
  return b.bytes();
}

// Runs the model fused and plain on every byte value; expects equal bytes
// and returns whether the fused session ran QLinearSwish.
bool same_bytes_fused_and_plain(const std::string& model, bool int8) {
  Tensor x = Tensor::allocate(int8 ? DataType::kInt8 : DataType::kUInt8, kShape);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<uint8_t>()[i] = static_cast<uint8_t>(i * 7);
  SessionOptions fused, plain;
  fused.profile = true;
  plain.optimize = false;
  auto a = Session::open_from_bytes(model, fused);
  auto b = Session::open_from_bytes(model, plain);
  EXPECT_TRUE(a.is_ok() && b.is_ok());
  if (!a.is_ok() || !b.is_ok()) return false;
  auto ya = (*a)->run({{"xq", x}});
  auto yb = (*b)->run({{"xq", x}});
  EXPECT_TRUE(ya.is_ok() && yb.is_ok());
  if (!ya.is_ok() || !yb.is_ok()) return false;
  const Tensor &ta = (*ya)[0], &tb = (*yb)[0];
  EXPECT_EQ(ta.dtype(), tb.dtype());
  EXPECT_EQ(ta.nbytes(), tb.nbytes());
  if (ta.nbytes() != tb.nbytes()) return false;
  EXPECT_EQ(0, std::memcmp(ta.data<uint8_t>(), tb.data<uint8_t>(), ta.nbytes()));
  bool swish = false;
  for (const auto& e : (*a)->op_profile()) swish |= e.op == "QLinearSwish";
  return swish;
}

TEST(FuseQdqSwish, SameBytesAsThePlainGraph) {
  for (bool int8 : {false, true})
    for (bool rt : {false, true})
      for (bool float_end : {false, true})
        EXPECT_TRUE(same_bytes_fused_and_plain(swish_model(int8, rt, float_end), int8))
            << "int8 " << int8 << " round trip " << rt << " float end " << float_end;
}

}  // namespace
}  // namespace parallax
