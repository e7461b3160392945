// libFuzzer target: valid models, hostile input shapes and values.
//
// A handful of small models with symbolic input dims are built in memory
// once. The fuzzer's bytes pick a model and an execution mode, every
// symbolic dim (0..64), and the input values, including the shape-like int64
// inputs (Reshape targets, Gather indices, Expand shapes, Slice starts/ends/
// steps, Pad pads, Tile repeats, TopK's k, Range bounds) that decide the
// output shapes at run time. Any Status is fine; a crash, a hang or a
// sanitizer report is a bug.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "model_builder.h"
#include "parallax/session.h"

namespace {

using parallax::testing::ModelBuilder;

// ------------------------------------------------------------ model building

// dims: a number is a static dim, anything else names a symbolic one.
void describe(onnx::ValueInfoProto* v, const std::string& name, int elem_type, const std::vector<std::string>& dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  for (const std::string& d : dims) {
    auto* dim = shape->add_dim();
    if (!d.empty() && d.find_first_not_of("0123456789") == std::string::npos) {
      dim->set_dim_value(std::stoll(d));
    } else {
      dim->set_dim_param(d);
    }
  }
}

struct Builder {
  explicit Builder(int opset) : b(opset) {}
  void in(const std::string& name, int type, const std::vector<std::string>& dims) {
    describe(b.proto().mutable_graph()->add_input(), name, type, dims);
  }
  // Outputs have no declared shape: what the run infers is what gets fuzzed.
  void out(const std::string& name, int type) {
    auto* v = b.proto().mutable_graph()->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(type);
  }
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& ins,
                        const std::vector<std::string>& outs) {
    return b.node(op, ins, outs);
  }
  ModelBuilder b;
};

void attr_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void attr_int(onnx::NodeProto* n, const std::string& name, int64_t value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void attr_string(onnx::NodeProto* n, const std::string& name, const std::string& value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

std::vector<float> ramp(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.25f;
  return v;
}

constexpr int kFloat = onnx::TensorProto::FLOAT;
constexpr int kInt64 = onnx::TensorProto::INT64;

// Conv (padded, then strided and dilated), Relu, MaxPool, GlobalAveragePool, Concat.
std::string conv_model() {
  Builder m(13);
  m.in("x", kFloat, {"N", "C", "H", "W"});
  m.b.initializer("w1", {4, 3, 3, 3}, ramp(4 * 3 * 3 * 3));
  m.b.initializer("b1", {4}, ramp(4));
  m.b.initializer("w2", {4, 4, 3, 3}, ramp(4 * 4 * 3 * 3));
  auto* c1 = m.node("Conv", {"x", "w1", "b1"}, {"c1"});
  attr_ints(c1, "pads", {1, 1, 1, 1});
  m.node("Relu", {"c1"}, {"r1"});
  auto* c2 = m.node("Conv", {"r1", "w2"}, {"c2"});
  attr_ints(c2, "strides", {2, 2});
  attr_ints(c2, "dilations", {2, 2});
  auto* mp = m.node("MaxPool", {"c2"}, {"mp"});
  attr_ints(mp, "kernel_shape", {2, 2});
  attr_ints(mp, "strides", {2, 2});
  attr_int(mp, "ceil_mode", 1);
  m.node("GlobalAveragePool", {"r1"}, {"gap"});
  auto* cat = m.node("Concat", {"r1", "x"}, {"cat"});
  attr_int(cat, "axis", 1);
  m.out("mp", kFloat);
  m.out("gap", kFloat);
  m.out("cat", kFloat);
  return m.b.bytes();
}

// Reshape to a run-time target, Gather run-time indices (both axes), Expand to a run-time shape.
std::string reshape_model() {
  Builder m(13);
  m.in("d", kFloat, {"A", "B"});
  m.in("target", kInt64, {"T"});
  m.in("idx", kInt64, {"K"});
  m.in("eshape", kInt64, {"R"});
  m.node("Reshape", {"d", "target"}, {"f"});
  auto* g0 = m.node("Gather", {"f", "idx"}, {"g0"});
  attr_int(g0, "axis", 0);
  auto* g1 = m.node("Gather", {"f", "idx"}, {"g1"});
  attr_int(g1, "axis", -1);
  m.node("Expand", {"g0", "eshape"}, {"e"});
  m.out("e", kFloat);
  m.out("g1", kFloat);
  return m.b.bytes();
}

// Concat, Slice with run-time starts/ends/axes/steps, Softmax, Transpose, MatMul.
std::string slice_model() {
  Builder m(13);
  m.in("a", kFloat, {"M", "P"});
  m.in("b", kFloat, {"Q", "P"});
  m.in("starts", kInt64, {"S"});
  m.in("ends", kInt64, {"S"});
  m.in("axes", kInt64, {"S"});
  m.in("steps", kInt64, {"S"});
  auto* cat = m.node("Concat", {"a", "b"}, {"cat"});
  attr_int(cat, "axis", 0);
  m.node("Slice", {"cat", "starts", "ends", "axes", "steps"}, {"sl"});
  auto* sm = m.node("Softmax", {"sl"}, {"sm"});
  attr_int(sm, "axis", -1);
  m.node("Transpose", {"b"}, {"bt"});
  m.node("MatMul", {"a", "bt"}, {"mm"});
  m.out("sm", kFloat);
  m.out("mm", kFloat);
  return m.b.bytes();
}

// Pad, Resize and Tile, whose output sizes come from run-time pads, scales and repeats.
std::string pad_model() {
  Builder m(13);
  m.in("x", kFloat, {"N", "C", "H", "W"});
  m.in("pads", kInt64, {"P"});
  m.in("scales", kFloat, {"S"});
  m.in("repeats", kInt64, {"R"});
  auto* pad = m.node("Pad", {"x", "pads"}, {"pd"});
  attr_string(pad, "mode", "reflect");
  m.node("Pad", {"x", "pads"}, {"pc"});
  auto* rs = m.node("Resize", {"x", "", "scales"}, {"rs"});
  attr_string(rs, "mode", "linear");
  m.node("Tile", {"x", "repeats"}, {"tl"});
  m.out("pd", kFloat);
  m.out("pc", kFloat);
  m.out("rs", kFloat);
  m.out("tl", kFloat);
  return m.b.bytes();
}

// TopK with a run-time k, Range from run-time scalars, ConstantOfShape, Split by run-time sizes.
std::string misc_model() {
  Builder m(13);
  m.in("y", kFloat, {"M", "P"});
  m.in("k", kInt64, {"1"});
  m.in("start", kInt64, {});
  m.in("limit", kInt64, {});
  m.in("delta", kInt64, {});
  m.in("shp", kInt64, {"R"});
  m.in("split", kInt64, {"2"});
  m.node("TopK", {"y", "k"}, {"tv", "ti"});
  m.node("Range", {"start", "limit", "delta"}, {"rg"});
  m.node("ConstantOfShape", {"shp"}, {"cs"});
  auto* sp = m.node("Split", {"y", "split"}, {"s0", "s1"});
  attr_int(sp, "axis", 1);
  m.out("tv", kFloat);
  m.out("ti", kInt64);
  m.out("rg", kInt64);
  m.out("cs", kFloat);
  m.out("s0", kFloat);
  m.out("s1", kFloat);
  return m.b.bytes();
}

// ------------------------------------------------------------ input decoding

// Reads the fuzzer's bytes front to back; zeros once they run out, so every
// input decodes to something.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint64_t next64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | next();
    return v;
  }
  // Mostly small values around the valid range of shapes and indices; rarely
  // any int64 at all (overflow, INT64_MIN, huge sizes).
  int64_t next_int64() {
    const uint8_t b = next();
    if (b < 0xF0) return static_cast<int64_t>(b % 80) - 8;
    return static_cast<int64_t>(next64());
  }
  float next_float() {
    const uint8_t b = next();
    if (b < 0xF8) return static_cast<float>(static_cast<int>(b) - 124) / 8.0f;
    switch (b) {
      case 0xF8: return std::numeric_limits<float>::quiet_NaN();
      case 0xF9: return std::numeric_limits<float>::infinity();
      case 0xFA: return -std::numeric_limits<float>::infinity();
      case 0xFB: return std::numeric_limits<float>::denorm_min();
      case 0xFC: return 1e30f;
      case 0xFD: return -0.0f;
      default: {
        const uint32_t bits = static_cast<uint32_t>(next64());
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
      }
    }
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

constexpr int64_t kMaxDim = 64;
constexpr int64_t kMaxInputElements = int64_t{1} << 14;  // keeps one run in the milliseconds under ASan
constexpr int kRunsPerSession = 4096;

struct Slot {
  std::string bytes;
  parallax::ExecutionMode mode;
  int threads;
  std::unique_ptr<parallax::Session> session;
  int runs = 0;
};

std::vector<Slot>& slots() {
  static std::vector<Slot> all = [] {
    std::vector<Slot> s;
    for (const std::string& bytes : {conv_model(), reshape_model(), slice_model(), pad_model(), misc_model()}) {
      s.push_back({bytes, parallax::ExecutionMode::kSequential, 1, nullptr});
      s.push_back({bytes, parallax::ExecutionMode::kDataflow, 2, nullptr});
    }
    return s;
  }();
  return all;
}

parallax::Session* session_for(Slot& slot) {
  // Sessions cache one plan per input-shape signature without a bound; a new
  // session now and then keeps millions of fuzzed shapes from reading as a leak.
  if (slot.session && slot.runs < kRunsPerSession) return slot.session.get();
  parallax::SessionOptions options;
  options.num_threads = slot.threads;
  options.mode = slot.mode;
  // 1 MiB tensors: larger outputs (a Pad or Tile of fuzzed sizes) are refused,
  // which keeps runs in the milliseconds. At 16 MiB, Pad's per-element loops
  // under coverage instrumentation took most of the time and a campaign
  // slowed to 41 runs/s.
  options.max_tensor_bytes = size_t{1} << 20;
  options.max_loop_iterations = 10000;  // a fuzzed while-loop may never end
  auto opened = parallax::Session::open_from_bytes(slot.bytes, options);
  if (!opened.is_ok()) __builtin_trap();  // the models are valid: failing to open them is a bug
  slot.session = std::move(*opened);
  slot.runs = 0;
  return slot.session.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  std::vector<Slot>& all = slots();
  Slot& slot = all[in.next() % all.size()];
  parallax::Session* session = session_for(slot);
  ++slot.runs;

  std::vector<parallax::NamedTensor> inputs;
  for (const parallax::TensorInfo& info : session->inputs()) {
    parallax::Shape shape;
    int64_t numel = 1;
    for (int64_t d : info.shape) {
      shape.push_back(d >= 0 ? d : static_cast<int64_t>(in.next() % (kMaxDim + 1)));
      numel *= shape.back();
      if (numel > kMaxInputElements) return 0;
    }
    parallax::Tensor t = parallax::Tensor::allocate(info.dtype, shape);
    for (int64_t i = 0; i < numel; ++i) {
      if (info.dtype == parallax::DataType::kFloat32) {
        t.data<float>()[i] = in.next_float();
      } else {
        t.data<int64_t>()[i] = in.next_int64();
      }
    }
    inputs.push_back({info.name, t});
  }
  auto outputs = session->run(inputs);
  (void)outputs;  // any Status is fine; only crashes and sanitizer reports count
  return 0;
}
