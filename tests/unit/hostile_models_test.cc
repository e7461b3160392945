// Hostile model files: truncated, corrupted, malformed or built to exhaust
// memory or stack. Every one must either load and run or give a clean error;
// none may crash, throw, or allocate beyond SessionOptions::max_tensor_bytes.
// (External-data paths that escape the model's folder: external_data_test.cc.)
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <sstream>

#include "format/onnx_loader.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

namespace fs = std::filesystem;
using testing::ModelBuilder;

const fs::path kTestData = "/usr/share/libonnx-testdata/data/node";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

fs::path real_model(const std::string& name) { return fs::path(PX_SOURCE_DIR) / "models" / name; }

// Opens `bytes` and, when that works, runs the model once on zero inputs of
// its declared shapes (symbolic dims = 1). Returns the first error, if any.
Status open_and_run(const std::string& bytes, const SessionOptions& options = {}) {
  auto session = Session::open_from_bytes(bytes, options);
  if (!session.is_ok()) return session.status();
  std::vector<NamedTensor> inputs;
  for (const TensorInfo& info : (*session)->inputs()) {
    if (!is_supported(info.dtype)) return error(StatusCode::kUnsupported, "input type");
    Shape shape;
    int64_t numel = 1;
    for (int64_t d : info.shape) {
      shape.push_back(d < 0 ? 1 : d);
      numel *= std::max<int64_t>(1, std::min<int64_t>(shape.back(), 1 << 24));
      if (numel > (1 << 24)) return error(StatusCode::kResourceExhausted, "input too big to try");
    }
    inputs.push_back({info.name, Tensor::allocate(info.dtype, shape)});
  }
  auto outputs = (*session)->run(inputs);
  return outputs.status();
}

void expect_clean_error(const Status& s, StatusCode code, const std::string& fragment) {
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), code) << s.to_string();
  EXPECT_NE(s.message().find(fragment), std::string::npos) << s.to_string();
  std::cout << "[hostile] " << s.to_string() << '\n';
}

Tensor int64_tensor(const std::vector<int64_t>& values) {
  Tensor t = Tensor::allocate(DataType::kInt64, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.data<int64_t>()[i] = values[i];
  return t;
}

// ---------------------------------------------------------------- truncation

void truncate_at_many_points(const fs::path& path, size_t max_cuts) {
  if (!fs::exists(path)) GTEST_SKIP() << path << " is absent";
  const std::string bytes = read_file(path);
  ASSERT_FALSE(bytes.empty());
  const size_t step = std::max<size_t>(1, bytes.size() / max_cuts);
  size_t loaded = 0, refused = 0;
  for (size_t cut = 0; cut < bytes.size(); cut += step) {
    Status s = open_and_run(bytes.substr(0, cut));
    (s.is_ok() ? loaded : refused)++;
    if (!s.is_ok()) {
      EXPECT_FALSE(s.message().empty());
    }
  }
  EXPECT_GT(refused, 0u);
  std::cout << "[hostile] " << path.filename() << ": " << refused << " cuts refused, " << loaded << " ran\n";
}

TEST(HostileModels, TruncatedConvModelAtEveryByte) {
  truncate_at_many_points(kTestData / "test_conv_with_strides_padding" / "model.onnx", 100000);
}

TEST(HostileModels, TruncatedMobileNetV2) { truncate_at_many_points(real_model("mobilenet_v2.onnx"), 150); }

// ---------------------------------------------------------------- byte flips

TEST(HostileModels, RandomByteFlips) {
  std::mt19937 rng(20261126);
  int variants = 0, ran = 0;
  for (const char* name : {"test_conv_with_strides_padding", "test_if", "test_gather_0", "test_reshape_extended_dims",
                           "test_loop11", "test_slice"}) {
    const fs::path path = kTestData / name / "model.onnx";
    if (!fs::exists(path)) continue;
    const std::string bytes = read_file(path);
    for (int v = 0; v < 150; ++v) {
      std::string mutated = bytes;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f)
        mutated[rng() % mutated.size()] ^= static_cast<char>(1 + rng() % 255);
      Status s = open_and_run(mutated);
      ++variants;
      if (s.is_ok()) {
        ++ran;
      } else {
        EXPECT_FALSE(s.message().empty());
      }
    }
  }
  if (variants == 0) GTEST_SKIP() << "no ONNX test data";
  std::cout << "[hostile] byte flips: " << variants << " variants, " << ran << " loaded and ran, "
            << variants - ran << " clean errors\n";
}

// ---------------------------------------------------------------- malformed protobuf

TEST(HostileModels, WrongWireTypeForGraph) {
  // Field 7 (graph, a message) sent as a varint: protobuf keeps it as an
  // unknown field, so the model has no graph.
  expect_clean_error(open_and_run(std::string("\x08\x08\x38\x01", 4)), StatusCode::kInvalidModel, "no graph");
}

TEST(HostileModels, WrongWireTypeInsideGraph) {
  // A graph (field 7) whose node field (1) is a fixed32 instead of a message:
  // protobuf keeps it as an unknown field, leaving an empty graph that runs.
  EXPECT_TRUE(open_and_run(std::string("\x3a\x05\x0d\x01\x02\x03\x04", 7)).is_ok());
  // A graph whose length runs past the end of the file.
  expect_clean_error(open_and_run(std::string("\x3a\x7f\x0a\x02", 4)), StatusCode::kInvalidModel,
                     "not a valid ONNX model");
}

TEST(HostileModels, AttributeWithWrongTypeTag) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2, 3});
  auto* n = b.node("Transpose", {"x"}, {"y"});
  auto* a = n->add_attribute();
  a->set_name("perm");
  a->set_type(onnx::AttributeProto::FLOAT);  // perm must be INTS
  a->set_f(1.5f);
  b.output("y", onnx::TensorProto::FLOAT, {3, 2});
  Status s = open_and_run(b.bytes());
  EXPECT_FALSE(s.is_ok());
  std::cout << "[hostile] " << s.to_string() << '\n';
  // An unknown type tag: protobuf parses it as an unknown field, leaving UNDEFINED (0).
  a->set_type(static_cast<onnx::AttributeProto::AttributeType>(77));
  expect_clean_error(open_and_run(b.bytes()), StatusCode::kUnsupported, "has an unsupported type (0)");
}

// ---------------------------------------------------------------- dims

TEST(HostileModels, NegativeDeclaredInputDim) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)
      ->set_dim_value(-7);
  b.node("Relu", {"x"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4});
  expect_clean_error(open_and_run(b.bytes()), StatusCode::kInvalidModel, "negative dimension");
}

TEST(HostileModels, HugeDeclaredInputDim) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1000000000000000, 1000000000000000});
  b.node("Relu", {"x"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {-1, -1});
  auto s = Session::open_from_bytes(b.bytes());
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();  // declaring is fine; nothing is allocated
  auto out = (*s)->run({{"x", Tensor::allocate(DataType::kFloat32, {2, 2})}});
  expect_clean_error(out.status(), StatusCode::kInvalidArgument, "must have shape");
}

onnx::TensorProto* add_initializer(ModelBuilder& b, const std::string& name, const std::vector<int64_t>& dims) {
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  return t;
}

std::string add_model_with(const std::function<void(ModelBuilder&)>& make_w) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  make_w(b);
  b.node("Add", {"x", "w"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4});
  return b.bytes();
}

TEST(HostileModels, NegativeInitializerDim) {
  auto bytes = add_model_with([](ModelBuilder& b) { add_initializer(b, "w", {-4}); });
  expect_clean_error(open_and_run(bytes), StatusCode::kInvalidModel, "negative dimension");
}

TEST(HostileModels, InitializerAsksFor1e15Bytes) {
  // 2.5e14 floats = 1e15 bytes, with no data: refused before any allocation.
  auto bytes = add_model_with([](ModelBuilder& b) { add_initializer(b, "w", {250000000000000}); });
  expect_clean_error(open_and_run(bytes), StatusCode::kResourceExhausted, "exceeds the size limit");
}

TEST(HostileModels, InitializerDimsOverflowInt64) {
  auto bytes = add_model_with([](ModelBuilder& b) {
    add_initializer(b, "w", {int64_t{1} << 40, int64_t{1} << 40, int64_t{1} << 40});
  });
  expect_clean_error(open_and_run(bytes), StatusCode::kResourceExhausted, "exceeds the size limit");
}

TEST(HostileModels, InitializerOverAConfiguredLimit) {
  auto bytes = add_model_with([](ModelBuilder& b) {
    auto* t = add_initializer(b, "w", {4});
    t->set_raw_data(std::string(16, '\0'));
  });
  SessionOptions small;
  small.max_tensor_bytes = 8;
  expect_clean_error(open_and_run(bytes, small), StatusCode::kResourceExhausted, "over the limit of 8");
  EXPECT_TRUE(open_and_run(bytes).is_ok());
}

TEST(HostileModels, InitializerRawBytesDisagreeWithShape) {
  auto bytes = add_model_with([](ModelBuilder& b) { add_initializer(b, "w", {4})->set_raw_data(std::string(3, 'x')); });
  expect_clean_error(open_and_run(bytes), StatusCode::kInvalidModel, "has 3 bytes of data but shape [4] needs 16");
}

TEST(HostileModels, InitializerElementCountDisagreesWithShape) {
  auto bytes = add_model_with([](ModelBuilder& b) {
    auto* t = add_initializer(b, "w", {4});
    for (int i = 0; i < 3; ++i) t->add_float_data(1.0f);
  });
  expect_clean_error(open_and_run(bytes), StatusCode::kInvalidModel, "has 3 elements but shape [4] needs 4");
}

TEST(HostileModels, InitializerDataInTheWrongField) {
  auto bytes = add_model_with([](ModelBuilder& b) {
    auto* t = add_initializer(b, "w", {4});
    for (int i = 0; i < 4; ++i) t->add_int64_data(1);  // floats belong in float_data
  });
  expect_clean_error(open_and_run(bytes), StatusCode::kInvalidModel, "has 0 elements but shape [4] needs 4");
}

TEST(HostileModels, ExternalDataWithBadOffsetAndLength) {
  for (const char* value : {"abc", "99999999999999999999999", "-5"}) {
    for (const char* key : {"offset", "length"}) {
      auto bytes = add_model_with([&](ModelBuilder& b) {
        auto* t = add_initializer(b, "w", {4});
        t->set_data_location(onnx::TensorProto::EXTERNAL);
        auto* kv = t->add_external_data();
        kv->set_key("location");
        kv->set_value("w.bin");
        kv = t->add_external_data();
        kv->set_key(key);
        kv->set_value(value);
      });
      expect_clean_error(open_and_run(bytes), StatusCode::kInvalidModel, "external data");
    }
  }
}

// ---------------------------------------------------------------- graph structure

TEST(HostileModels, CyclicGraph) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.node("Add", {"x", "c"}, {"a"});
  b.node("Relu", {"a"}, {"b"});
  b.node("Relu", {"b"}, {"c"});
  b.output("c", onnx::TensorProto::FLOAT, {4});
  expect_clean_error(open_and_run(b.bytes()), StatusCode::kInvalidModel, "cycle");
}

TEST(HostileModels, NodeReadsItsOwnOutput) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.node("Add", {"x", "y"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4});
  expect_clean_error(open_and_run(b.bytes()), StatusCode::kInvalidModel, "cycle");
}

TEST(HostileModels, DanglingGraphOutput) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.node("Relu", {"x"}, {"y"});
  b.output("nowhere", onnx::TensorProto::FLOAT, {4});
  expect_clean_error(open_and_run(b.bytes()), StatusCode::kInvalidModel, "'nowhere', which nothing defines");
}

TEST(HostileModels, ValueDefinedTwice) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  b.node("Relu", {"x"}, {"y"});
  b.node("Neg", {"x"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4});
  expect_clean_error(open_and_run(b.bytes()), StatusCode::kInvalidModel, "more than once");
}

TEST(HostileModels, ConstantWithEmptyOutputName) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {4});
  auto* c = b.node("Constant", {}, {""});
  auto* a = c->add_attribute();
  a->set_name("value_float");
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(1.0f);
  b.node("Relu", {"x"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {4});
  expect_clean_error(open_and_run(b.bytes()), StatusCode::kInvalidModel, "Constant");
}

// ---------------------------------------------------------------- recursion bombs

// A model whose If nests `depth` levels deep: each then-branch holds the next
// If, the innermost returns x.
std::string nested_if_model(int depth) {
  onnx::GraphProto body;
  body.set_name("leaf");
  auto* leaf = body.add_node();
  leaf->set_op_type("Identity");
  leaf->add_input("x");
  leaf->add_output("o0");
  body.add_output()->set_name("o0");
  for (int k = 1; k <= depth; ++k) {
    onnx::GraphProto next;
    next.set_name("level" + std::to_string(k));
    auto* n = next.add_node();
    n->set_op_type("If");
    n->add_input("cond");
    n->add_output("o" + std::to_string(k));
    auto* then_branch = n->add_attribute();
    then_branch->set_name("then_branch");
    then_branch->set_type(onnx::AttributeProto::GRAPH);
    then_branch->mutable_g()->Swap(&body);
    auto* else_branch = n->add_attribute();
    else_branch->set_name("else_branch");
    else_branch->set_type(onnx::AttributeProto::GRAPH);
    auto* e = else_branch->mutable_g();
    e->set_name("else" + std::to_string(k));
    auto* id = e->add_node();
    id->set_op_type("Identity");
    id->add_input("x");
    id->add_output("e" + std::to_string(k));
    e->add_output()->set_name("e" + std::to_string(k));
    next.add_output()->set_name("o" + std::to_string(k));
    body.Swap(&next);
  }
  ModelBuilder b(13);
  b.input("cond", onnx::TensorProto::BOOL, {});
  b.input("x", onnx::TensorProto::FLOAT, {1});
  auto* g = b.proto().mutable_graph();
  for (const auto& n : body.node()) *g->add_node() = n;
  b.output("o" + std::to_string(depth), onnx::TensorProto::FLOAT, {1});
  return b.bytes();
}

TEST(HostileModels, NestedIfsWithinTheLimitRun) {
  auto s = Session::open_from_bytes(nested_if_model(8));
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor cond = Tensor::allocate(DataType::kBool, {});
  *cond.data<bool>() = true;
  Tensor x = Tensor::allocate(DataType::kFloat32, {1});
  x.data<float>()[0] = 3.5f;
  auto out = (*s)->run({{"cond", cond}, {"x", x}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].data<float>()[0], 3.5f);
}

TEST(HostileModels, NestedIfRecursionBomb) {
  // From 33 levels on, protobuf's nesting limit (100 messages) refuses the file
  // before the loader's own limit (LoadOptions::max_subgraph_depth) is reached.
  EXPECT_TRUE(Session::open_from_bytes(nested_if_model(32)).is_ok());
  for (int depth : {33, 40, 1000}) {
    Status s = Session::open_from_bytes(nested_if_model(depth)).status();
    ASSERT_FALSE(s.is_ok()) << "depth " << depth;
    EXPECT_EQ(s.code(), StatusCode::kInvalidModel) << s.to_string();
    std::cout << "[hostile] If nested " << depth << " deep: " << s.to_string() << '\n';
  }
}

TEST(HostileModels, SubgraphDepthLimitOfTheLoader) {
  LoadOptions options;
  options.max_subgraph_depth = 4;
  EXPECT_TRUE(load_model_from_bytes(nested_if_model(4), {}, options).is_ok());
  auto model = load_model_from_bytes(nested_if_model(5), {}, options);
  expect_clean_error(model.status(), StatusCode::kInvalidModel, "subgraphs are nested deeper than 4 levels");
}

// ---------------------------------------------------------------- run-time allocation bombs

// One op whose output shape comes from the int64 input "shape" at run time.
Result<std::vector<Tensor>> run_shape_op(const std::string& op, const std::vector<int64_t>& shape_value,
                                         const SessionOptions& options = {}) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 1, 1});
  b.input("shape", onnx::TensorProto::INT64, {static_cast<int64_t>(shape_value.size())});
  if (op == "ConstantOfShape") b.node(op, {"shape"}, {"y"});
  else b.node(op, {"x", "shape"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {-1, -1, -1});
  auto s = Session::open_from_bytes(b.bytes(), options);
  if (!s.is_ok()) return s.status();
  return (*s)->run({{"x", Tensor::allocate(DataType::kFloat32, {1, 1, 1})}, {"shape", int64_tensor(shape_value)}});
}

TEST(HostileModels, RunTimeAllocationBombs) {
  const std::vector<int64_t> quadrillion = {1000000, 1000000, 1000};  // 1e15 elements
  for (const char* op : {"Expand", "ConstantOfShape", "Tile"}) {
    auto out = run_shape_op(op, quadrillion);
    expect_clean_error(out.status(), StatusCode::kResourceExhausted, "exceeds the tensor size limit");
  }
}

TEST(HostileModels, RunTimeShapeOverflowsInt64) {
  const std::vector<int64_t> overflow = {int64_t{1} << 40, int64_t{1} << 40, int64_t{1} << 40};
  for (const char* op : {"Expand", "ConstantOfShape", "Tile"}) {
    auto out = run_shape_op(op, overflow);
    ASSERT_FALSE(out.is_ok()) << op;
    std::cout << "[hostile] " << op << " to 2^120 elements: " << out.status().to_string() << '\n';
  }
}

TEST(HostileModels, RunTimeLimitIsConfigurable) {
  SessionOptions small;
  small.max_tensor_bytes = 1 << 20;
  auto under = run_shape_op("Expand", {1, 256, 1024}, small);  // exactly 1 MiB
  ASSERT_TRUE(under.is_ok()) << under.status().to_string();
  EXPECT_EQ((*under)[0].shape(), (Shape{1, 256, 1024}));
  auto over = run_shape_op("Expand", {1, 257, 1024}, small);
  expect_clean_error(over.status(), StatusCode::kResourceExhausted, "limit of 1048576 bytes");
}

TEST(HostileModels, PlanTimeAllocationBomb) {
  // The shape is a constant, so the bomb is caught while planning.
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1});
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name("shape");
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(3);
  for (int64_t d : {1000000, 1000000, 1000}) t->add_int64_data(d);
  b.node("ConstantOfShape", {"shape"}, {"big"});
  b.node("Add", {"x", "big"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {-1, -1, -1});
  expect_clean_error(open_and_run(b.bytes()), StatusCode::kResourceExhausted, "exceeds the tensor size limit");
}

// ---------------------------------------------------------------- hostile attributes and indices

void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void set_int(onnx::NodeProto* n, const std::string& name, int64_t value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

struct OpCase {
  std::string label;
  std::string op;
  std::vector<NamedTensor> inputs;  // all graph inputs, in node-input order
  std::function<void(onnx::NodeProto*)> attrs;
};

Tensor floats(Shape shape) {
  Tensor t = Tensor::allocate(DataType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i % 7) - 3.0f;
  return t;
}

Status run_op_case(const OpCase& c) {
  ModelBuilder b(14);
  std::vector<std::string> names;
  for (const NamedTensor& in : c.inputs) {
    const int type = in.tensor.dtype() == DataType::kInt64 ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT;
    b.input(in.name, type, std::vector<int64_t>(in.tensor.shape().begin(), in.tensor.shape().end()));
    names.push_back(in.name);
  }
  auto* n = b.node(c.op, names, {"y"});
  if (c.attrs) c.attrs(n);
  auto* out = b.proto().mutable_graph()->add_output();
  out->set_name("y");
  auto session = Session::open_from_bytes(b.bytes());
  if (!session.is_ok()) return session.status();
  return (*session)->run(c.inputs).status();
}

TEST(HostileModels, HostileAttributesAndIndices) {
  const std::vector<OpCase> cases = {
      {"Conv stride 0", "Conv", {{"x", floats({1, 1, 5, 5})}, {"w", floats({1, 1, 3, 3})}},
       [](onnx::NodeProto* n) { set_ints(n, "strides", {0, 0}); }},
      {"Conv dilation 0", "Conv", {{"x", floats({1, 1, 5, 5})}, {"w", floats({1, 1, 3, 3})}},
       [](onnx::NodeProto* n) { set_ints(n, "dilations", {0, 0}); }},
      {"Conv negative pads", "Conv", {{"x", floats({1, 1, 5, 5})}, {"w", floats({1, 1, 3, 3})}},
       [](onnx::NodeProto* n) { set_ints(n, "pads", {-9, -9, -9, -9}); }},
      {"Conv kernel larger than input", "Conv", {{"x", floats({1, 1, 2, 2})}, {"w", floats({1, 1, 3, 3})}}, nullptr},
      {"Conv group 0", "Conv", {{"x", floats({1, 2, 5, 5})}, {"w", floats({2, 1, 3, 3})}},
       [](onnx::NodeProto* n) { set_int(n, "group", 0); }},
      {"Conv channels disagree", "Conv", {{"x", floats({1, 3, 5, 5})}, {"w", floats({1, 2, 3, 3})}}, nullptr},
      {"MaxPool stride 0", "MaxPool", {{"x", floats({1, 1, 5, 5})}},
       [](onnx::NodeProto* n) { set_ints(n, "kernel_shape", {2, 2}); set_ints(n, "strides", {0, 0}); }},
      {"MaxPool kernel 0", "MaxPool", {{"x", floats({1, 1, 5, 5})}},
       [](onnx::NodeProto* n) { set_ints(n, "kernel_shape", {0, 0}); }},
      {"AveragePool huge pads", "AveragePool", {{"x", floats({1, 1, 5, 5})}},
       [](onnx::NodeProto* n) { set_ints(n, "kernel_shape", {2, 2}); set_ints(n, "pads", {1 << 30, 0, 0, 0}); }},
      {"Gather index out of range", "Gather", {{"x", floats({4, 3})}, {"i", int64_tensor({0, 100})}}, nullptr},
      {"Gather axis out of range", "Gather", {{"x", floats({4, 3})}, {"i", int64_tensor({0})}},
       [](onnx::NodeProto* n) { set_int(n, "axis", 5); }},
      {"GatherElements index out of range", "GatherElements", {{"x", floats({4})}, {"i", int64_tensor({-99})}}, nullptr},
      {"ScatterElements index out of range", "ScatterElements",
       {{"x", floats({4})}, {"i", int64_tensor({7})}, {"u", floats({1})}}, nullptr},
      {"Transpose perm out of range", "Transpose", {{"x", floats({2, 3})}},
       [](onnx::NodeProto* n) { set_ints(n, "perm", {0, 9}); }},
      {"Transpose perm repeats an axis", "Transpose", {{"x", floats({2, 3})}},
       [](onnx::NodeProto* n) { set_ints(n, "perm", {1, 1}); }},
      {"Reshape two -1", "Reshape", {{"x", floats({2, 3})}, {"s", int64_tensor({-1, -1})}}, nullptr},
      {"Reshape wrong count", "Reshape", {{"x", floats({2, 3})}, {"s", int64_tensor({4, 4})}}, nullptr},
      {"Reshape 0 copies a missing dim", "Reshape", {{"x", floats({6})}, {"s", int64_tensor({0, 0, 0})}}, nullptr},
      {"Concat axis out of range", "Concat", {{"x", floats({2, 3})}, {"z", floats({2, 3})}},
       [](onnx::NodeProto* n) { set_int(n, "axis", 7); }},
      {"Softmax axis out of range", "Softmax", {{"x", floats({2, 3})}},
       [](onnx::NodeProto* n) { set_int(n, "axis", -7); }},
      {"Flatten axis out of range", "Flatten", {{"x", floats({2, 3})}},
       [](onnx::NodeProto* n) { set_int(n, "axis", 9); }},
      {"Split sizes do not add up", "Split", {{"x", floats({6})}, {"s", int64_tensor({2, 9})}}, nullptr},
      {"Slice step 0", "Slice",
       {{"x", floats({6})}, {"b", int64_tensor({0})}, {"e", int64_tensor({6})}, {"a", int64_tensor({0})},
        {"st", int64_tensor({0})}},
       nullptr},
      {"Slice extreme bounds", "Slice",
       {{"x", floats({6})}, {"b", int64_tensor({INT64_MIN})}, {"e", int64_tensor({INT64_MAX})},
        {"a", int64_tensor({0})}, {"st", int64_tensor({INT64_MIN})}},
       nullptr},
      {"Unsqueeze repeated axis", "Unsqueeze", {{"x", floats({2})}, {"a", int64_tensor({0, 0})}}, nullptr},
      {"Squeeze non-1 axis", "Squeeze", {{"x", floats({2})}, {"a", int64_tensor({0})}}, nullptr},
      {"TopK k too large", "TopK", {{"x", floats({4})}, {"k", int64_tensor({99})}}, nullptr},
      {"TopK k negative", "TopK", {{"x", floats({4})}, {"k", int64_tensor({-1})}}, nullptr},
      {"Pad to a huge size", "Pad", {{"x", floats({2})}, {"p", int64_tensor({0, int64_t{1} << 50})}}, nullptr},
      {"Pad negative past the input", "Pad", {{"x", floats({2})}, {"p", int64_tensor({-5, 0})}}, nullptr},
      {"Range with delta 0", "Range",
       {{"s", int64_tensor({0})}, {"l", int64_tensor({10})}, {"d", int64_tensor({0})}}, nullptr},
      {"Range with 9.2e18 elements", "Range",
       {{"s", int64_tensor({INT64_MIN / 2})}, {"l", int64_tensor({INT64_MAX / 2})}, {"d", int64_tensor({1})}}, nullptr},
      {"Expand incompatible", "Expand", {{"x", floats({3})}, {"s", int64_tensor({4})}}, nullptr},
      {"Tile negative repeats", "Tile", {{"x", floats({3})}, {"r", int64_tensor({-2})}}, nullptr},
      {"MatMul mismatched", "MatMul", {{"x", floats({2, 3})}, {"z", floats({4, 2})}}, nullptr},
      {"Add not broadcastable", "Add", {{"x", floats({2, 3})}, {"z", floats({4})}}, nullptr},
      {"DepthToSpace blocksize 0", "DepthToSpace", {{"x", floats({1, 4, 2, 2})}},
       [](onnx::NodeProto* n) { set_int(n, "blocksize", 0); }},
      {"SpaceToDepth blocksize 3 on 2x2", "SpaceToDepth", {{"x", floats({1, 1, 2, 2})}},
       [](onnx::NodeProto* n) { set_int(n, "blocksize", 3); }},
      {"OneHot huge depth", "OneHot",
       {{"i", int64_tensor({1, 2})}, {"d", int64_tensor({int64_t{1} << 50})}, {"v", floats({2})}}, nullptr},
      {"OneHot negative depth", "OneHot", {{"i", int64_tensor({1})}, {"d", int64_tensor({-3})}, {"v", floats({2})}},
       nullptr},
      {"ConstantOfShape negative dim", "ConstantOfShape", {{"s", int64_tensor({2, -3})}}, nullptr},
      {"ReduceSum axis out of range", "ReduceSum", {{"x", floats({2, 3})}, {"a", int64_tensor({5})}}, nullptr},
      {"ArgMax axis out of range", "ArgMax", {{"x", floats({2, 3})}},
       [](onnx::NodeProto* n) { set_int(n, "axis", -9); }},
      {"CumSum axis out of range", "CumSum", {{"x", floats({2, 3})}, {"a", int64_tensor({4})}}, nullptr},
      {"Trilu extreme k", "Trilu", {{"x", floats({3, 3})}, {"k", int64_tensor({INT64_MIN})}}, nullptr},
      {"Compress condition too long", "Compress", {{"x", floats({3})}, {"c", int64_tensor({1, 1, 1, 1, 1})}}, nullptr},
      {"Gemm mismatched", "Gemm", {{"x", floats({2, 3})}, {"z", floats({2, 3})}}, nullptr},
      {"ConvTranspose huge output_padding", "ConvTranspose", {{"x", floats({1, 1, 3, 3})}, {"w", floats({1, 1, 2, 2})}},
       [](onnx::NodeProto* n) { set_ints(n, "output_padding", {1 << 30, 1 << 30}); }},
      {"Resize to a huge size", "Resize",
       {{"x", floats({1, 1, 2, 2})}, {"r", floats({0})}, {"sc", floats({0})}, {"sz", int64_tensor({1, 1, 1 << 28, 1 << 28})}},
       nullptr},
      {"Einsum bad equation", "Einsum", {{"x", floats({2, 3})}},
       [](onnx::NodeProto* n) {
         auto* a = n->add_attribute();
         a->set_name("equation");
         a->set_type(onnx::AttributeProto::STRING);
         a->set_s("ij,jk->ik");
       }},
      {"Unique axis out of range", "Unique", {{"x", floats({2, 3})}},
       [](onnx::NodeProto* n) { set_int(n, "axis", 4); }},
      {"MaxUnpool huge output_shape", "MaxUnpool",
       {{"x", floats({1, 1, 2, 2})}, {"i", int64_tensor({0, 1, 2, 3}).reshaped({1, 1, 2, 2})},
        {"o", int64_tensor({1, 1, 1 << 30, 1 << 30})}},
       [](onnx::NodeProto* n) { set_ints(n, "kernel_shape", {2, 2}); }},
      {"GatherND index out of range", "GatherND", {{"x", floats({2, 3})}, {"i", int64_tensor({9})}}, nullptr},
      {"ScatterND index out of range", "ScatterND",
       {{"x", floats({4})}, {"i", int64_tensor({-40})}, {"u", floats({})}}, nullptr},
  };
  for (const OpCase& c : cases) {
    Status s = run_op_case(c);
    if (!s.is_ok()) {
      EXPECT_FALSE(s.message().empty()) << c.label;
    }
    std::cout << "[hostile] " << c.label << ": " << (s.is_ok() ? std::string("ran") : s.to_string()) << std::endl;
  }
}

}  // namespace
}  // namespace parallax
