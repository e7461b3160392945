// Sequences of tensors (ONNX seq(tensor(T)), what PyTorch exports a Python
// list as): the sequence ops against values worked out by hand, sequences as
// graph inputs and outputs, and the errors a model that mixes up sequences
// and tensors gets. The ONNX conformance cases (test_sequence_*,
// test_loop13_seq, test_if_seq, simple/test_sequence_model*) run in the
// conformance suite.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

using testing::ModelBuilder;

Tensor floats(const Shape& shape, std::vector<float> values) {
  Tensor t = Tensor::allocate(DataType::kFloat32, shape);
  for (size_t i = 0; i < values.size(); ++i) t.data<float>()[i] = values[i];
  return t;
}

Tensor int64_scalar(int64_t v) {
  Tensor t = Tensor::allocate(DataType::kInt64, {});
  *t.data<int64_t>() = v;
  return t;
}

std::vector<float> values_of(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

std::unique_ptr<Session> open(const ModelBuilder& b, ExecutionMode mode = ExecutionMode::kDataflow, int threads = 2) {
  SessionOptions options;
  options.mode = mode;
  options.adapt_schedule = false;  // dataflow runs dataflow, not the trial's sequential arm first
  options.num_threads = threads;
  auto session = Session::open_from_bytes(b.bytes(), options);
  EXPECT_TRUE(session.is_ok()) << session.status().to_string();
  return session.is_ok() ? std::move(session).value() : nullptr;
}

void set_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

// x [3, 2] -> SplitToSequence (pieces of 2 and 1 rows) -> the last piece,
// and the pieces joined again along the columns.
TEST(SequenceOps, SplitPickAndJoin) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {3, 2});
  b.initializer_int64("two", {}, {2});
  b.initializer_int64("last", {}, {-1});
  b.node("SplitToSequence", {"x", "two"}, {"pieces"});
  b.node("SequenceAt", {"pieces", "last"}, {"tail"});
  set_int(b.node("ConcatFromSequence", {"pieces"}, {"joined"}), "axis", 0);
  b.node("SequenceLength", {"pieces"}, {"count"});
  b.output("tail", onnx::TensorProto::FLOAT, {1, 2});
  b.output("joined", onnx::TensorProto::FLOAT, {3, 2});
  b.output("count", onnx::TensorProto::INT64, {});
  for (ExecutionMode mode : {ExecutionMode::kSequential, ExecutionMode::kDataflow}) {
    auto session = open(b, mode);
    ASSERT_NE(session, nullptr);
    auto out = session->run({{"x", floats({3, 2}, {1, 2, 3, 4, 5, 6})}});
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (Shape{1, 2}));
    EXPECT_EQ(values_of((*out)[0]), (std::vector<float>{5, 6}));
    EXPECT_EQ(values_of((*out)[1]), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(*(*out)[2].data<int64_t>(), 2);
  }
}

// A list built from two tensors, stacked on a new middle axis.
TEST(SequenceOps, ConstructAndStack) {
  ModelBuilder b(13);
  b.input("a", onnx::TensorProto::FLOAT, {2, 2});
  b.input("b", onnx::TensorProto::FLOAT, {2, 2});
  b.node("SequenceConstruct", {"a", "b"}, {"list"});
  auto* stack = b.node("ConcatFromSequence", {"list"}, {"y"});
  set_int(stack, "axis", 1);
  set_int(stack, "new_axis", 1);
  b.output("y", onnx::TensorProto::FLOAT, {2, 2, 2});
  auto session = open(b);
  ASSERT_NE(session, nullptr);
  auto out = session->run({{"a", floats({2, 2}, {1, 2, 3, 4})}, {"b", floats({2, 2}, {5, 6, 7, 8})}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(values_of((*out)[0]), (std::vector<float>{1, 2, 5, 6, 3, 4, 7, 8}));
}

// A sequence in and a sequence out: insert at the front, erase the last.
// The caller's sequence is not changed.
TEST(SequenceOps, SequenceInputAndOutput) {
  ModelBuilder b(13);
  b.sequence_input("list", onnx::TensorProto::FLOAT);
  b.input("t", onnx::TensorProto::FLOAT, {1});
  b.initializer_int64("front", {}, {0});
  b.node("SequenceInsert", {"list", "t", "front"}, {"longer"});
  b.node("SequenceErase", {"longer"}, {"y"});
  b.sequence_output("y", onnx::TensorProto::FLOAT);
  auto session = open(b);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->inputs()[0].dtype, DataType::kSequence);
  EXPECT_EQ(session->inputs()[0].element_type, DataType::kFloat32);
  Tensor list = Tensor::sequence(DataType::kFloat32, {floats({2}, {1, 2}), floats({1}, {3})});
  auto out = session->run({{"list", list}, {"t", floats({1}, {9})}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const Tensor& y = (*out)[0];
  ASSERT_TRUE(y.is_sequence());
  EXPECT_EQ(y.element_type(), DataType::kFloat32);
  ASSERT_EQ(y.items().size(), 2u);
  EXPECT_EQ(values_of(y.items()[0]), (std::vector<float>{9}));
  EXPECT_EQ(values_of(y.items()[1]), (std::vector<float>{1, 2}));
  ASSERT_EQ(list.items().size(), 2u);
  EXPECT_EQ(values_of(list.items()[1]), (std::vector<float>{3}));
}

// SequenceAt hands out a copy: writing to one run's output does not change
// the sequence (here a constant the planner folded) the next run reads.
TEST(SequenceOps, OutputsAreTheCallersToChange) {
  ModelBuilder b(13);
  b.initializer("c", {2}, {1, 2});
  b.initializer_int64("zero", {}, {0});
  b.node("SequenceConstruct", {"c"}, {"list"});
  b.node("SequenceAt", {"list", "zero"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {2});
  auto session = open(b);
  ASSERT_NE(session, nullptr);
  auto first = session->run({});
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  (*first)[0].data<float>()[0] = 100;
  auto second = session->run({});
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_EQ(values_of((*second)[0]), (std::vector<float>{1, 2}));
}

// The items of an input sequence are the caller's views; a sequence output
// that passes them on (SequenceInsert shares items) must not keep viewing
// them: the Python binding's temporary arrays behind such items were freed
// under the outputs it returned (found by fuzz/fuzz_python.py).
TEST(SequenceOps, OutputsOwnTheItemsTheyPassOn) {
  ModelBuilder b(13);
  b.sequence_input("list", onnx::TensorProto::FLOAT);
  b.input("t", onnx::TensorProto::FLOAT, {1});
  b.node("SequenceInsert", {"list", "t"}, {"y"});
  b.sequence_output("y", onnx::TensorProto::FLOAT);
  auto session = open(b);
  ASSERT_NE(session, nullptr);
  std::vector<float> callers = {1, 2, 3};
  Tensor list = Tensor::sequence(DataType::kFloat32, {Tensor::view(DataType::kFloat32, {3}, callers.data())});
  auto out = session->run({{"list", list}, {"t", floats({1}, {9})}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  callers = {-1, -1, -1};  // the caller reuses its buffer
  const Tensor& y = (*out)[0];
  ASSERT_EQ(y.items().size(), 2u);
  EXPECT_EQ(values_of(y.items()[0]), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(values_of(y.items()[1]), (std::vector<float>{9}));
}

// A sequence where a tensor op expects a tensor: an error naming the node,
// whether the sequence is known when the session opens (a graph input) or
// only at run time (made by a node).
TEST(SequenceOps, TensorOpRefusesASequence) {
  {
    ModelBuilder b(13);
    b.sequence_input("list", onnx::TensorProto::FLOAT);
    b.node("Relu", {"list"}, {"y"});
    b.output("y", onnx::TensorProto::FLOAT, {2});
    auto session = open(b);
    ASSERT_NE(session, nullptr);
    auto out = session->run({{"list", Tensor::sequence(DataType::kFloat32, {floats({2}, {1, 2})})}});
    ASSERT_FALSE(out.is_ok());
    EXPECT_NE(out.status().message().find("is a sequence"), std::string::npos) << out.status().to_string();
    EXPECT_NE(out.status().message().find("Relu"), std::string::npos) << out.status().to_string();
  }
  {
    ModelBuilder b(13);
    b.input("x", onnx::TensorProto::FLOAT, {2});
    b.node("SequenceConstruct", {"x"}, {"list"});
    b.node("Relu", {"list"}, {"y"});
    b.output("y", onnx::TensorProto::FLOAT, {2});
    auto session = open(b);
    ASSERT_NE(session, nullptr);
    auto out = session->run({{"x", floats({2}, {1, 2})}});
    ASSERT_FALSE(out.is_ok());
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidModel) << out.status().to_string();
    EXPECT_NE(out.status().message().find("is a sequence"), std::string::npos) << out.status().to_string();
  }
}

// A tensor where a sequence belongs, and a sequence where a tensor belongs.
TEST(SequenceOps, WrongKindOfInput) {
  ModelBuilder b(13);
  b.sequence_input("list", onnx::TensorProto::FLOAT);
  b.node("SequenceLength", {"list"}, {"n"});
  b.output("n", onnx::TensorProto::INT64, {});
  auto session = open(b);
  ASSERT_NE(session, nullptr);
  auto out = session->run({{"list", floats({2}, {1, 2})}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("must be a sequence"), std::string::npos) << out.status().to_string();
  Tensor ints = Tensor::sequence(DataType::kInt64, {int64_scalar(1)});
  out = session->run({{"list", ints}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("sequence of float32"), std::string::npos) << out.status().to_string();

  ModelBuilder t(13);
  t.input("x", onnx::TensorProto::FLOAT, {2});
  t.node("Relu", {"x"}, {"y"});
  t.output("y", onnx::TensorProto::FLOAT, {2});
  auto plain = open(t);
  ASSERT_NE(plain, nullptr);
  out = plain->run({{"x", Tensor::sequence(DataType::kFloat32, {floats({2}, {1, 2})})}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << out.status().to_string();
}

// Positions out of range, an empty sequence where items are needed, items
// of another type, and a split into more pieces than a sequence may hold.
TEST(SequenceOps, BadPositionsAndContents) {
  auto run_at = [](int64_t position) {
    ModelBuilder b(13);
    b.sequence_input("list", onnx::TensorProto::FLOAT);
    b.input("p", onnx::TensorProto::INT64, {});
    b.node("SequenceAt", {"list", "p"}, {"y"});
    b.output("y", onnx::TensorProto::FLOAT, {1});
    auto session = open(b);
    Tensor list = Tensor::sequence(DataType::kFloat32, {floats({1}, {1}), floats({1}, {2})});
    return session->run({{"list", list}, {"p", int64_scalar(position)}});
  };
  EXPECT_TRUE(run_at(-2).is_ok());
  EXPECT_TRUE(run_at(1).is_ok());
  for (int64_t bad : {int64_t{2}, int64_t{-3}, INT64_MIN, INT64_MAX}) {
    auto out = run_at(bad);
    ASSERT_FALSE(out.is_ok()) << bad;
    EXPECT_NE(out.status().message().find("out of range"), std::string::npos) << out.status().to_string();
  }

  {
    ModelBuilder b(13);
    b.node("SequenceEmpty", {}, {"none"});
    set_int(b.node("ConcatFromSequence", {"none"}, {"y"}), "axis", 0);
    b.node("SequenceErase", {"none"}, {"z"});
    b.output("y", onnx::TensorProto::FLOAT, {1});
    b.sequence_output("z", onnx::TensorProto::FLOAT);
    auto session = Session::open_from_bytes(b.bytes());
    // Folded when the session opens (every input is a constant), or refused at run time.
    if (session.is_ok()) {
      auto out = (*session)->run({});
      ASSERT_FALSE(out.is_ok());
      EXPECT_NE(out.status().message().find("empty sequence"), std::string::npos) << out.status().to_string();
    } else {
      EXPECT_NE(session.status().message().find("empty sequence"), std::string::npos) << session.status().to_string();
    }
  }
  {
    ModelBuilder b(13);
    b.input("x", onnx::TensorProto::FLOAT, {2});
    b.input("i", onnx::TensorProto::INT64, {1});
    b.node("SequenceConstruct", {"x"}, {"list"});
    b.node("SequenceInsert", {"list", "i"}, {"y"});
    b.sequence_output("y", onnx::TensorProto::FLOAT);
    auto session = open(b);
    ASSERT_NE(session, nullptr);
    Tensor i = Tensor::allocate(DataType::kInt64, {1});
    auto out = session->run({{"x", floats({2}, {1, 2})}, {"i", i}});
    ASSERT_FALSE(out.is_ok());
    EXPECT_NE(out.status().message().find("cannot take a int64 tensor"), std::string::npos) << out.status().to_string();
  }
  {
    ModelBuilder b(13);
    b.input("x", onnx::TensorProto::FLOAT, {-1, 0});
    b.node("SplitToSequence", {"x"}, {"pieces"});
    b.sequence_output("pieces", onnx::TensorProto::FLOAT);
    auto session = open(b);
    ASSERT_NE(session, nullptr);
    auto out = session->run({{"x", Tensor::allocate(DataType::kFloat32, {int64_t{1} << 21, 0})}});
    ASSERT_FALSE(out.is_ok());
    EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted) << out.status().to_string();
  }
}

// The numbers Parallax gives sequences and empty optionals are not element
// types a model may declare for a tensor.
TEST(SequenceOps, ModelCannotDeclareTheInternalTypes) {
  for (int internal : {static_cast<int>(DataType::kSequence), static_cast<int>(DataType::kNone)}) {
    ModelBuilder b(13);
    b.input("x", internal, {2});
    b.node("Relu", {"x"}, {"y"});
    b.output("y", onnx::TensorProto::FLOAT, {2});
    auto session = Session::open_from_bytes(b.bytes());
    ASSERT_FALSE(session.is_ok()) << internal;
    EXPECT_EQ(session.status().code(), StatusCode::kInvalidModel) << session.status().to_string();
    EXPECT_NE(session.status().message().find("which ONNX does not define"), std::string::npos)
        << session.status().to_string();
  }
}

// SequenceMap runs its body on each item, with a tensor input passed whole.
TEST(SequenceOps, SequenceMapAddsToEachItem) {
  ModelBuilder b(17);
  b.sequence_input("list", onnx::TensorProto::FLOAT);
  b.input("bias", onnx::TensorProto::FLOAT, {1});
  onnx::NodeProto* map = b.node("SequenceMap", {"list", "bias"}, {"shifted"});
  b.sequence_output("shifted", onnx::TensorProto::FLOAT);
  auto* attr = map->add_attribute();
  attr->set_name("body");
  attr->set_type(onnx::AttributeProto::GRAPH);
  onnx::GraphProto* body = attr->mutable_g();
  body->set_name("body");
  for (const char* name : {"item", "b"}) {
    auto* v = body->add_input();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  auto* add = body->add_node();
  add->set_op_type("Add");
  add->add_input("item");
  add->add_input("b");
  add->add_output("out");
  body->add_output()->set_name("out");
  auto session = open(b);
  ASSERT_NE(session, nullptr);
  Tensor list = Tensor::sequence(DataType::kFloat32, {floats({2}, {1, 2}), floats({3}, {3, 4, 5})});
  auto out = session->run({{"list", list}, {"bias", floats({1}, {10})}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ((*out)[0].items().size(), 2u);
  EXPECT_EQ(values_of((*out)[0].items()[0]), (std::vector<float>{11, 12}));
  EXPECT_EQ(values_of((*out)[0].items()[1]), (std::vector<float>{13, 14, 15}));
}

}  // namespace
}  // namespace parallax
