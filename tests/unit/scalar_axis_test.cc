// normalize_axis refuses every axis of a scalar (issue 21), so that no caller
// has to remember that dim(0) of a rank-0 tensor does not exist. An op given
// an axis of a scalar input fails cleanly, naming the node, the axis and the
// rank; the same ops on tensors of rank >= 1 run and give their results.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "kernels/kernel_util.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

using testing::ModelBuilder;

TEST(NormalizeAxis, RefusesEveryAxisOfAScalar) {
  for (int64_t axis : {0, -1, 1}) {
    auto r = normalize_axis(axis, 0);
    ASSERT_FALSE(r.is_ok()) << axis;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    const std::string expected = "axis " + std::to_string(axis) + " is out of range for rank 0";
    EXPECT_NE(r.status().message().find(expected), std::string::npos) << r.status().to_string();
  }
}

TEST(NormalizeAxis, MapsAxesOfTensors) {
  EXPECT_EQ(normalize_axis(0, 1).value(), 0);
  EXPECT_EQ(normalize_axis(-1, 1).value(), 0);
  EXPECT_EQ(normalize_axis(-1, 4).value(), 3);
  EXPECT_EQ(normalize_axis(2, 4).value(), 2);
  EXPECT_FALSE(normalize_axis(1, 1).is_ok());
  EXPECT_FALSE(normalize_axis(-2, 1).is_ok());
}

// One `op` node on x of shape `dims` (rank 0 or 1) with attribute axis = `axis`.
Status run_with_axis(const std::string& op, const std::vector<int64_t>& dims, int64_t axis) {
  const bool arg = op == "ArgMax" || op == "ArgMin";
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, dims);
  auto* n = b.node(op, {"x"}, {"y"});
  auto* a = n->add_attribute();
  a->set_name("axis");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(axis);
  // ArgMax / ArgMin keep the reduced axis (keepdims = 1).
  b.output("y", arg ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT,
           dims.empty() || !arg ? dims : std::vector<int64_t>{1});
  auto session = Session::open_from_bytes(b.bytes());
  if (!session.is_ok()) return session.status();
  return (*session)->run({{"x", Tensor::allocate(DataType::kFloat32, dims)}}).status();
}

TEST(NormalizeAxis, OpsRefuseAnAxisOfAScalarInput) {
  for (const char* op : {"Softmax", "LogSoftmax", "ArgMax", "ArgMin"}) {
    for (int64_t axis : {0, -1}) {
      Status s = run_with_axis(op, {}, axis);
      ASSERT_FALSE(s.is_ok()) << op << " axis " << axis;
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
      EXPECT_NE(s.message().find(std::string(op) + "_1"), std::string::npos) << s.to_string();
      EXPECT_NE(s.message().find("out of range for rank 0"), std::string::npos) << s.to_string();
    }
  }
}

TEST(NormalizeAxis, OpsOnTensorsStillRun) {
  for (const char* op : {"Softmax", "LogSoftmax", "ArgMax", "ArgMin"})
    for (int64_t axis : {0, -1}) EXPECT_TRUE(run_with_axis(op, {3}, axis).is_ok()) << op << " axis " << axis;
}

}  // namespace
}  // namespace parallax
