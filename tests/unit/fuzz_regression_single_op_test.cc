// Single-node models that once crashed the per-op fuzzer (fuzz/fuzz_single_op.cc),
// rebuilt by hand so that the tests do not depend on how the fuzzer decodes
// its bytes (which changes whenever a kernel is registered). Each must give a
// clean InvalidArgument that names the node, in sequential and dataflow mode,
// where it used to read or write out of bounds or hit undefined behaviour.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

using testing::ModelBuilder;

void add_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

// An int64 initializer.
void int64_init(ModelBuilder& b, const std::string& name, const std::vector<int64_t>& dims,
                const std::vector<int64_t>& values) {
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t v : values) t->add_int64_data(v);
}

// Runs `b` in both modes with `inputs`; each run must fail with
// InvalidArgument naming `node` (or fail to open with it).
void expect_refused(const ModelBuilder& b, const std::vector<NamedTensor>& inputs, const std::string& node) {
  for (ExecutionMode mode : {ExecutionMode::kSequential, ExecutionMode::kDataflow}) {
    SessionOptions options;
    options.mode = mode;
    options.num_threads = mode == ExecutionMode::kSequential ? 1 : 2;
    auto session = Session::open_from_bytes(b.bytes(), options);
    Status s = session.is_ok() ? (*session)->run(inputs).status() : session.status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
    EXPECT_NE(s.message().find(node), std::string::npos) << s.to_string();
  }
}

Tensor scalar_float(float v) {
  Tensor t = Tensor::allocate(DataType::kFloat32, {});
  *t.data<float>() = v;
  return t;
}

// QuantizeLinear / DequantizeLinear with a per-axis scale (more than one
// value) on a scalar x: normalize_axis accepts axis 0 of a rank-0 tensor and
// the kernel read x.dim(0) past the end of an empty shape
// (quantize_linear.cc, dequantize_linear.cc compute).
TEST(FuzzRegressionSingleOp, QuantizeLinearPerAxisScaleOnScalarIsRefused) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {});
  b.initializer("scale", {2}, {0.5f, 0.25f});
  auto* n = b.node("QuantizeLinear", {"x", "scale"}, {"y"});
  add_int(n, "axis", 0);
  b.output("y", onnx::TensorProto::UINT8, {});
  expect_refused(b, {{"x", scalar_float(1.0f)}}, "QuantizeLinear_1");
}

TEST(FuzzRegressionSingleOp, DequantizeLinearPerAxisScaleOnScalarIsRefused) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::UINT8, {});
  b.initializer("scale", {3}, {0.5f, 0.25f, 1.0f});
  auto* n = b.node("DequantizeLinear", {"x", "scale"}, {"y"});
  add_int(n, "axis", -1);
  b.output("y", onnx::TensorProto::FLOAT, {});
  Tensor x = Tensor::allocate(DataType::kUInt8, {});
  expect_refused(b, {{"x", x}}, "DequantizeLinear_1");
}

// Pad (opset 18) with an `axes` input on a scalar: full pads had 2 * 0
// entries and the kernel wrote pads[0] past them (pad.cc full_pads).
TEST(FuzzRegressionSingleOp, PadAxesOfScalarAreRefused) {
  ModelBuilder b(18);
  b.input("x", onnx::TensorProto::FLOAT, {});
  int64_init(b, "pads", {2}, {1, 1});
  b.initializer("value", {}, {0.0f});
  int64_init(b, "axes", {1}, {0});
  b.node("Pad", {"x", "pads", "value", "axes"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {});
  expect_refused(b, {{"x", scalar_float(1.0f)}}, "Pad_1");
}

}  // namespace
}  // namespace parallax
