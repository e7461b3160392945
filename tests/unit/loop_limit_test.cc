// SessionOptions::max_loop_iterations: a Loop whose trip count is absent or
// INT64_MAX and whose condition never turns false would run forever (a
// hostile model, issue 21); past the limit the run fails with an error that
// names the node and the limit. Loops within it, and every Loop when the
// limit is 0 (the default), run to the end.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

using testing::ModelBuilder;

// y = x + (number of iterations): a Loop carrying x, with a condition that
// stays true. The trip count M is a graph input, or absent.
std::string counting_loop(bool with_trip_count) {
  ModelBuilder b(13);
  if (with_trip_count) b.input("M", onnx::TensorProto::INT64, {});
  b.input("cond", onnx::TensorProto::BOOL, {});
  b.input("x", onnx::TensorProto::FLOAT, {1});
  onnx::NodeProto* loop = b.node("Loop", {with_trip_count ? "M" : "", "cond", "x"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {1});

  onnx::AttributeProto* attr = loop->add_attribute();
  attr->set_name("body");
  attr->set_type(onnx::AttributeProto::GRAPH);
  onnx::GraphProto* body = attr->mutable_g();
  body->set_name("body");
  auto add_value = [](google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list, const std::string& name,
                      int elem_type, bool scalar) {
    onnx::ValueInfoProto* v = list->Add();
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem_type);
    auto* shape = tt->mutable_shape();
    if (!scalar) shape->add_dim()->set_dim_value(1);
  };
  add_value(body->mutable_input(), "i", onnx::TensorProto::INT64, true);
  add_value(body->mutable_input(), "cond_in", onnx::TensorProto::BOOL, true);
  add_value(body->mutable_input(), "x_in", onnx::TensorProto::FLOAT, false);
  add_value(body->mutable_output(), "cond_out", onnx::TensorProto::BOOL, true);
  add_value(body->mutable_output(), "x_out", onnx::TensorProto::FLOAT, false);
  onnx::TensorProto* one = body->add_initializer();
  one->set_name("one");
  one->set_data_type(onnx::TensorProto::FLOAT);
  one->add_dims(1);
  one->add_float_data(1.0f);
  onnx::NodeProto* keep = body->add_node();
  keep->set_op_type("Identity");
  keep->add_input("cond_in");
  keep->add_output("cond_out");
  onnx::NodeProto* add = body->add_node();
  add->set_op_type("Add");
  add->add_input("x_in");
  add->add_input("one");
  add->add_output("x_out");
  return b.bytes();
}

Tensor scalar_int64(int64_t v) {
  Tensor t = Tensor::allocate(DataType::kInt64, {});
  *t.data<int64_t>() = v;
  return t;
}

Tensor scalar_true() {
  Tensor t = Tensor::allocate(DataType::kBool, {});
  *t.data<bool>() = true;
  return t;
}

Tensor zero_vector() {
  return Tensor::allocate(DataType::kFloat32, {1});
}

// Runs counting_loop with trip count `trips` (absent when negative).
Result<std::vector<Tensor>> run_loop(int64_t trips, uint64_t limit) {
  SessionOptions options;
  options.max_loop_iterations = limit;
  auto session = Session::open_from_bytes(counting_loop(trips >= 0), options);
  if (!session.is_ok()) return session.status();
  std::vector<NamedTensor> inputs;
  if (trips >= 0) inputs.push_back({"M", scalar_int64(trips)});
  inputs.push_back({"cond", scalar_true()});
  inputs.push_back({"x", zero_vector()});
  return (*session)->run(inputs);
}

void expect_limit_error(const Status& s, const std::string& limit) {
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.to_string();
  for (const std::string& fragment : {std::string("max_loop_iterations"), limit, std::string("(Loop)")})
    EXPECT_NE(s.message().find(fragment), std::string::npos) << fragment << " missing: " << s.to_string();
}

TEST(LoopLimit, EndlessLoopWithInt64MaxTripCountStopsAtTheLimit) {
  auto out = run_loop(INT64_MAX, 1000);
  expect_limit_error(out.status(), "1000");
  EXPECT_NE(out.status().message().find("trip count unbounded"), std::string::npos) << out.status().to_string();
}

TEST(LoopLimit, EndlessLoopWithoutTripCountStopsAtTheLimit) {
  expect_limit_error(run_loop(-1, 250).status(), "250");
}

TEST(LoopLimit, FiniteTripCountOverTheLimitFails) {
  auto out = run_loop(5000, 4999);
  expect_limit_error(out.status(), "4999");
  EXPECT_NE(out.status().message().find("trip count 5000"), std::string::npos) << out.status().to_string();
}

TEST(LoopLimit, LoopsWithinTheLimitRun) {
  for (int64_t trips : {int64_t{0}, int64_t{5}, int64_t{1000}}) {
    auto out = run_loop(trips, 1000);  // 1000 trips under a limit of 1000: exactly at it
    ASSERT_TRUE(out.is_ok()) << trips << ": " << out.status().to_string();
    EXPECT_EQ((*out)[0].data<float>()[0], static_cast<float>(trips));
  }
}

TEST(LoopLimit, UnlimitedByDefault) {
  EXPECT_EQ(SessionOptions{}.max_loop_iterations, 0u);
  auto out = run_loop(3000, 0);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].data<float>()[0], 3000.0f);
}

}  // namespace
}  // namespace parallax
