// libFuzzer target: one node of any registered kernel, hostile everything.
//
// The model-level fuzzers mostly die in the loader; this one reaches the
// kernels' create and compute. Its bytes decode, front to back, in a fixed
// structure (so that a mutation of one field leaves the others in place):
//
//   2 bytes   which entry of the op table (single_op_table.h): every
//             registered kernel at every ONNX schema version of its range
//   1 byte    how to run: bit 0 symbolic graph-input dims, bit 1 which of
//             sequential / dataflow runs first
//   per formal input: present (optional ones), how many (variadic ones),
//             the dtype of its type constraint (chosen once per constraint),
//             its shape (the first input's, a fresh one, or a 1-D tensor as
//             long as the first input's rank, or twice that: pads, axes),
//             graph input or initializer, then one value per element
//             (indices: mostly small, negative and out of range; rarely any
//             int64; floats include NaN, inf, denormals)
//   per output: present (optional ones), how many (variadic ones)
//   per attribute of the schema: present, then its value
//   If / Loop / Scan: the body graphs are built to match the node's arity
//
// The model runs sequentially and in dataflow mode. Any Status is fine; a
// crash, a hang, a leak or a sanitizer report is a bug.
#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "parallax/session.h"
#include "single_op_table.h"

namespace {

using parallax::DataType;
using parallax::fuzz::AttrSpec;
using parallax::fuzz::FormalSpec;
using parallax::fuzz::OpSpec;
using A = onnx::AttributeProto;

// Keeps one execution in the milliseconds under ASan.
constexpr int64_t kMaxInputElements = 4096;
constexpr int kMaxVariadic = 4;

// Reads the fuzzer's bytes front to back; zeros once they run out, so every
// input decodes to something.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }
  bool bit() { return (next() & 1) != 0; }
  uint64_t next64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | next();
    return v;
  }
  // Values of indices, sizes and shape inputs: mostly small around the valid
  // range, with negatives; rarely a boundary value or any int64 at all.
  int64_t value_int() {
    const uint8_t b = next();
    if (b < 0xE8) return static_cast<int64_t>(b % 40) - 8;
    return special_int(b);
  }
  // Attribute ints (axes, kernel sizes, strides, dtype codes, flags): a
  // smaller range, so that most models pass create.
  int64_t attr_int() {
    const uint8_t b = next();
    if (b < 0xE8) return static_cast<int64_t>(b % 20) - 4;
    return special_int(b);
  }
  float value_float() {
    const uint8_t b = next();
    if (b < 0xF8) return static_cast<float>(static_cast<int>(b) - 124) / 8.0f;
    switch (b) {
      case 0xF8: return std::numeric_limits<float>::quiet_NaN();
      case 0xF9: return std::numeric_limits<float>::infinity();
      case 0xFA: return -std::numeric_limits<float>::infinity();
      case 0xFB: return std::numeric_limits<float>::denorm_min();
      case 0xFC: return 1e30f;
      case 0xFD: return -3e9f;
      case 0xFE: return 9.3e18f;  // past INT64_MAX as an index or size
      default: {
        const uint32_t bits = static_cast<uint32_t>(next64());
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
      }
    }
  }

 private:
  int64_t special_int(uint8_t b) {
    static const int64_t kSpecial[] = {-1,
                                       0,
                                       1,
                                       int64_t{1} << 31,
                                       -(int64_t{1} << 31),
                                       (int64_t{1} << 31) - 1,
                                       int64_t{1} << 32,
                                       int64_t{1} << 40,
                                       int64_t{1} << 62,
                                       std::numeric_limits<int64_t>::max(),
                                       std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::min() + 1,
                                       std::numeric_limits<int32_t>::max(),
                                       std::numeric_limits<int32_t>::min(),
                                       65536,
                                       1000};
    const int i = b - 0xE8;
    if (i < static_cast<int>(std::size(kSpecial))) return kSpecial[i];
    return static_cast<int64_t>(next64());
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// prefix + n. (Appending rather than operator+ also keeps gcc 12's -Wrestrict
// false positive on string concatenation quiet.)
std::string numbered(std::string prefix, int n) {
  prefix += std::to_string(n);
  return prefix;
}

// ------------------------------------------------------------ tensors

onnx::TensorProto::DataType onnx_type(DataType d) {
  return static_cast<onnx::TensorProto::DataType>(d);
}

// The bytes of `n` elements of `d`, decoded one per element.
std::string element_bytes(Bytes& in, DataType d, int64_t n) {
  const size_t width = parallax::element_size(d);
  std::string out(static_cast<size_t>(n) * width, '\0');
  for (int64_t i = 0; i < n; ++i) {
    char* p = out.data() + static_cast<size_t>(i) * width;
    switch (d) {
      case DataType::kFloat32: {
        const float f = in.value_float();
        std::memcpy(p, &f, 4);
        break;
      }
      case DataType::kFloat64: {
        const double f = in.value_float();
        std::memcpy(p, &f, 8);
        break;
      }
      case DataType::kFloat16:
      case DataType::kBFloat16: {
        // Any 16-bit pattern: NaNs, infinities and subnormals included.
        p[0] = static_cast<char>(in.next());
        p[1] = static_cast<char>(in.next());
        break;
      }
      case DataType::kBool: *p = static_cast<char>(in.next() & 1); break;
      default: {
        // Integers: the low bytes of the value (little-endian host).
        const int64_t v = in.value_int();
        std::memcpy(p, &v, width);
      }
    }
  }
  return out;
}

// rank 0..5; dims mostly 0..5, rarely huge (legal only when another dim is
// 0, which the size cap below enforces).
parallax::Shape fresh_shape(Bytes& in) {
  parallax::Shape shape(in.next() % 6);
  for (int64_t& d : shape) {
    const uint8_t b = in.next();
    if (b < 0xF0) {
      d = b % 6;
    } else if (b < 0xFF) {
      d = int64_t{1} << (16 + 3 * (b - 0xF0));  // 2^16 .. 2^58
    } else {
      d = static_cast<int64_t>(in.next64() & static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
    }
  }
  return shape;
}

bool small_enough(const parallax::Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d == 0) return true;
  }
  for (int64_t d : shape) {
    if (d > kMaxInputElements) return false;
    n *= d;
    if (n > kMaxInputElements) return false;
  }
  return true;
}

void fill_tensor_proto(onnx::TensorProto* t, const std::string& name, DataType d, const parallax::Shape& shape,
                       std::string bytes) {
  t->set_name(name);
  t->set_data_type(onnx_type(d));
  for (int64_t dim : shape) t->add_dims(dim);
  t->set_raw_data(std::move(bytes));
}

void describe(onnx::ValueInfoProto* v, const std::string& name, DataType d, const parallax::Shape& shape,
              bool symbolic) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx_type(d));
  auto* s = tt->mutable_shape();
  for (size_t i = 0; i < shape.size(); ++i) {
    if (symbolic) {
      s->add_dim()->set_dim_param(numbered(name + "_", static_cast<int>(i)));
    } else {
      s->add_dim()->set_dim_value(shape[i]);
    }
  }
}

// ------------------------------------------------------------ attributes

const char* const kStrings[] = {"",
                                "NOTSET",
                                "SAME_UPPER",
                                "SAME_LOWER",
                                "VALID",
                                "constant",
                                "reflect",
                                "edge",
                                "wrap",
                                "nearest",
                                "linear",
                                "cubic",
                                "bilinear",
                                "bicubic",
                                "half_pixel",
                                "pytorch_half_pixel",
                                "align_corners",
                                "asymmetric",
                                "tf_crop_and_resize",
                                "round_prefer_floor",
                                "round_prefer_ceil",
                                "floor",
                                "ceil",
                                "none",
                                "tanh",
                                "mean",
                                "sum",
                                "max",
                                "min",
                                "add",
                                "mul",
                                "forward",
                                "reverse",
                                "bidirectional",
                                "Relu",
                                "Tanh",
                                "Sigmoid",
                                "LeakyRelu",
                                "HardSigmoid",
                                "Clip",
                                "HardSwish",
                                "Swish",
                                "Gelu",
                                "DCR",
                                "CRD",
                                "LEFT",
                                "RIGHT",
                                "zeros",
                                "border",
                                "reflection",
                                "avg",
                                "output_half_pixel",
                                "not_larger",
                                "not_smaller",
                                "stretch",
                                "ij,jk->ik",
                                "i,i->",
                                "ii->i",
                                "...ii->...i",
                                "bij,bjk->bik",
                                "ij->ji",
                                "i->",
                                "ab,ab->ab",
                                "a...,...b->ab",
                                "ij,jk",
                                "i,j->ij",
                                "iij->",
                                "->",
                                "i->ii",
                                "ab->c",
                                "A,a->Aa",
                                "\xff\x00"};
const char* const kActivations[] = {"Sigmoid",    "Tanh",        "Relu", "Affine",   "LeakyRelu", "ThresholdedRelu",
                                    "ScaledTanh", "HardSigmoid", "Elu",  "Softsign", "Softplus",  "bogus"};

void small_tensor(Bytes& in, onnx::TensorProto* t) {
  static const DataType kTypes[] = {DataType::kFloat32, DataType::kInt64, DataType::kInt32,   DataType::kUInt8,
                                    DataType::kInt8,    DataType::kBool,  DataType::kFloat64, DataType::kFloat16};
  const DataType d = kTypes[in.next() % std::size(kTypes)];
  parallax::Shape shape;
  const uint8_t r = in.next() % 4;
  if (r == 1) shape = {in.next() % 4};
  if (r == 2) shape = {in.next() % 3, in.next() % 3};
  fill_tensor_proto(t, "", d, shape, element_bytes(in, d, parallax::shape_numel(shape)));
}

void set_attribute(Bytes& in, const AttrSpec& spec, onnx::NodeProto* node) {
  auto* a = node->add_attribute();
  a->set_name(spec.name);
  a->set_type(spec.type);
  switch (spec.type) {
    case A::INT: a->set_i(in.attr_int()); break;
    case A::FLOAT: a->set_f(in.value_float()); break;
    case A::STRING: a->set_s(kStrings[in.next() % std::size(kStrings)]); break;
    case A::INTS:
      for (int n = in.next() % 9; n > 0; --n) a->add_ints(in.attr_int());
      break;
    case A::FLOATS:
      for (int n = in.next() % 9; n > 0; --n) a->add_floats(in.value_float());
      break;
    case A::STRINGS:
      for (int n = in.next() % 7; n > 0; --n) a->add_strings(kActivations[in.next() % std::size(kActivations)]);
      break;
    case A::TENSOR: small_tensor(in, a->mutable_t()); break;
    default:
      // Graphs are built by the control-flow builders; other kinds the
      // runtime does not take.
      node->mutable_attribute()->RemoveLast();
  }
}

// ------------------------------------------------------------ control flow

onnx::ValueInfoProto* body_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                                 const std::string& name) {
  auto* v = list->Add();
  v->set_name(name);
  return v;
}

void scalar_type(onnx::ValueInfoProto* v, DataType d) {
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx_type(d));
  tt->mutable_shape();
}

onnx::NodeProto* body_node(onnx::GraphProto* g, const std::string& op, const std::vector<std::string>& ins,
                           const std::string& out) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(op + "_" + out);
  for (const std::string& i : ins) n->add_input(i);
  n->add_output(out);
  return n;
}

// If: each branch outputs `outputs` constants of fuzzed dtype and shape (the
// two branches may disagree, as a hostile model's would).
void if_branch(Bytes& in, const char* attr, int outputs, onnx::NodeProto* node) {
  auto* a = node->add_attribute();
  a->set_name(attr);
  a->set_type(A::GRAPH);
  onnx::GraphProto* g = a->mutable_g();
  g->set_name(attr);
  for (int j = 0; j < outputs; ++j) {
    const std::string c = numbered(std::string(attr) + "_c", j);
    auto* k = body_node(g, "Constant", {}, c);
    auto* v = k->add_attribute();
    v->set_name("value");
    v->set_type(A::TENSOR);
    small_tensor(in, v->mutable_t());
    const std::string o = numbered(std::string(attr) + "_o", j);
    body_node(g, "Identity", {c}, o);
    body_value(g->mutable_output(), o);
  }
}

// Loop: body(iter, cond, v...) -> (cond', v'..., scan outputs...). cond' is
// iter < limit (0..63, or the incoming cond as well); each v' is v or v + v.
// The body always ends the loop: with M = INT64_MAX and cond always true the
// runtime loops as long as the model says, which is the model's right (ONNX
// sets no bound) and would read as a timeout here.
void loop_body(Bytes& in, int carried, int outputs, onnx::NodeProto* node) {
  auto* a = node->add_attribute();
  a->set_name("body");
  a->set_type(A::GRAPH);
  onnx::GraphProto* g = a->mutable_g();
  g->set_name("body");
  scalar_type(body_value(g->mutable_input(), "iter"), DataType::kInt64);
  scalar_type(body_value(g->mutable_input(), "cond_in"), DataType::kBool);
  for (int j = 0; j < carried; ++j) body_value(g->mutable_input(), numbered("v", j));
  auto* k = body_node(g, "Constant", {}, "limit");
  auto* v = k->add_attribute();
  v->set_name("value");
  v->set_type(A::TENSOR);
  const int64_t limit = in.next() % 64;
  fill_tensor_proto(v->mutable_t(), "", DataType::kInt64, {}, std::string(reinterpret_cast<const char*>(&limit), 8));
  if (in.bit()) {
    body_node(g, "Less", {"iter", "limit"}, "cond_out");
  } else {
    body_node(g, "Less", {"iter", "limit"}, "below");
    body_node(g, "And", {"below", "cond_in"}, "cond_out");
  }
  body_value(g->mutable_output(), "cond_out");
  for (int j = 0; j < carried; ++j) {
    const std::string v = numbered("v", j), o = numbered("v_out", j);
    if (in.bit()) {
      body_node(g, "Add", {v, v}, o);
    } else {
      body_node(g, "Identity", {v}, o);
    }
    body_value(g->mutable_output(), o);
  }
  for (int k = 0; k < outputs - carried; ++k) {
    const std::string o = numbered("scan", k);
    body_node(g, "Identity", {carried > 0 && in.bit() ? "v0" : "iter"}, o);
    body_value(g->mutable_output(), o);
  }
}

// Scan: body(inputs...) -> outputs, each output the identity of an input.
void scan_body(Bytes& in, int inputs, int outputs, onnx::NodeProto* node) {
  auto* a = node->add_attribute();
  a->set_name("body");
  a->set_type(A::GRAPH);
  onnx::GraphProto* g = a->mutable_g();
  g->set_name("body");
  for (int j = 0; j < inputs; ++j) body_value(g->mutable_input(), numbered("s", j));
  for (int j = 0; j < outputs; ++j) {
    const std::string o = numbered("so", j);
    const int from = inputs > 0 ? in.next() % inputs : 0;
    body_node(g, "Identity", {numbered("s", from)}, o);
    body_value(g->mutable_output(), o);
  }
}

// A graph input that is a sequence of up to three tensors of `d`, each
// shaped like the first input or afresh. False: a shape too large to feed.
bool sequence_feed(Bytes& in, const std::string& name, DataType d, parallax::Shape& first, bool& have_first,
                   onnx::GraphProto* g, std::vector<parallax::NamedTensor>& feeds) {
  std::vector<parallax::Tensor> items;
  const int n = in.next() % 4;
  for (int k = 0; k < n; ++k) {
    parallax::Shape shape = have_first && in.bit() ? first : fresh_shape(in);
    if (!small_enough(shape)) return false;
    if (!have_first) {
      first = shape;
      have_first = true;
    }
    const std::string bytes = element_bytes(in, d, parallax::shape_numel(shape));
    parallax::Tensor t = parallax::Tensor::allocate(d, shape);
    if (!bytes.empty()) std::memcpy(t.raw(), bytes.data(), bytes.size());
    items.push_back(std::move(t));
  }
  auto* v = g->add_input();
  v->set_name(name);
  v->mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(onnx_type(d));
  feeds.push_back({name, parallax::Tensor::sequence(d, std::move(items))});
  return true;
}

// ------------------------------------------------------------ the model

struct Built {
  std::string op;  // domain:op_type@opset, for traces
  std::string model;
  std::vector<parallax::NamedTensor> feeds;
  bool ok = false;
};

Built build(Bytes& in) {
  Built b;
  const auto& specs = parallax::fuzz::single_op_specs();
  const size_t pick = static_cast<size_t>(in.next()) << 8 | in.next();
  const OpSpec& spec = specs[pick % specs.size()];
  b.op = spec.domain + ":" + spec.op_type + "@" + std::to_string(spec.opset);
  const uint8_t how = in.next();
  const bool symbolic = (how & 1) != 0;

  onnx::ModelProto model;
  model.set_ir_version(8);
  auto* opset = model.add_opset_import();
  opset->set_domain(spec.domain);
  opset->set_version(spec.opset);
  if (!spec.domain.empty()) {
    // Bodies of control-flow ops use the default domain.
    auto* def = model.add_opset_import();
    def->set_domain("");
    def->set_version(17);
  }
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("single_op");
  onnx::NodeProto* node = g->add_node();
  node->set_op_type(spec.op_type);
  node->set_domain(spec.domain);
  node->set_name("fuzzed_" + spec.op_type);

  std::map<std::string, DataType> constraint;  // type_str -> the dtype picked for it
  parallax::Shape first;
  bool have_first = false;
  int variadic_inputs = 0;
  int input_count = 0;
  for (const FormalSpec& f : spec.inputs) {
    int count = 1;
    if (f.optional && in.next() % 4 == 0) count = 0;
    if (f.variadic) count = 1 + in.next() % kMaxVariadic;
    if (f.variadic) variadic_inputs = count;
    if (count == 0) {
      node->add_input("");
      continue;
    }
    auto [it, fresh] = constraint.emplace(f.type_str, DataType::kUndefined);
    if (fresh) it->second = f.types[in.next() % f.types.size()];
    const DataType d = it->second;
    for (int k = 0; k < count; ++k) {
      const std::string name = numbered("x", input_count++);
      node->add_input(name);
      if (f.sequence) {
        if (!sequence_feed(in, name, d, first, have_first, g, b.feeds)) return b;
        continue;
      }
      parallax::Shape shape;
      const uint8_t mode = in.next() % 8;
      if (mode < 3 && have_first) {
        shape = first;
      } else if (mode == 6 && have_first) {
        shape = {static_cast<int64_t>(first.size())};
      } else if (mode == 7 && have_first) {
        shape = {2 * static_cast<int64_t>(first.size())};
      } else {
        shape = fresh_shape(in);
      }
      if (!small_enough(shape)) return b;
      if (!have_first) {
        first = shape;
        have_first = true;
      }
      const bool initializer = in.bit();
      std::string bytes = element_bytes(in, d, parallax::shape_numel(shape));
      if (initializer) {
        fill_tensor_proto(g->add_initializer(), name, d, shape, std::move(bytes));
      } else {
        describe(g->add_input(), name, d, shape, symbolic);
        parallax::Tensor t = parallax::Tensor::allocate(d, shape);
        if (!bytes.empty()) std::memcpy(t.raw(), bytes.data(), bytes.size());
        b.feeds.push_back({name, t});
      }
    }
  }
  // Trailing absent inputs are left out, as exporters write them.
  while (node->input_size() > 0 && node->input(node->input_size() - 1).empty()) node->mutable_input()->RemoveLast();

  int output_count = 0;
  for (const FormalSpec& f : spec.outputs) {
    int count = 1;
    if (f.optional && in.bit()) count = 0;
    if (f.variadic) count = 1 + in.next() % kMaxVariadic;
    if (count == 0) {
      node->add_output("");
      continue;
    }
    for (int k = 0; k < count; ++k) {
      const std::string name = numbered("y", output_count++);
      node->add_output(name);
      g->add_output()->set_name(name);
    }
  }
  while (node->output_size() > 0 && node->output(node->output_size() - 1).empty()) node->mutable_output()->RemoveLast();

  for (const AttrSpec& a : spec.attrs) {
    if (a.type == A::GRAPH) continue;
    if (a.required || in.bit()) set_attribute(in, a, node);
  }
  if (spec.domain.empty() && spec.op_type == "If") {
    if_branch(in, "then_branch", output_count, node);
    if_branch(in, "else_branch", output_count, node);
  } else if (spec.domain.empty() && spec.op_type == "Loop") {
    loop_body(in, variadic_inputs, output_count, node);
  } else if (spec.domain.empty() && spec.op_type == "Scan") {
    scan_body(in, variadic_inputs, output_count, node);
  } else if (spec.domain.empty() && spec.op_type == "SequenceMap") {
    scan_body(in, input_count, output_count, node);  // one body input per node input, as Scan's
  }
  b.model = model.SerializeAsString();
  b.ok = true;
  return b;
}

void run(const Built& b, parallax::ExecutionMode mode, int threads) {
  parallax::SessionOptions options;
  options.mode = mode;
  options.num_threads = threads;
  options.adapt_schedule = false;  // one schedule per mode: the run itself is what is fuzzed
  options.max_tensor_bytes = size_t{16} << 20;
  options.max_loop_iterations = 10000;  // a fuzzed while-loop may never end
  options.memory_budget = size_t{256} << 20;
  auto session = parallax::Session::open_from_bytes(b.model, options);
#ifdef PX_SINGLE_OP_TRACE  // how far each input gets, for tuning the decoder
  std::fprintf(stderr, "%s open: %s\n", b.op.c_str(), session.status().to_string().c_str());
#endif
  if (!session.is_ok()) return;
  // Each run gets its own copy of the inputs: a kernel that wrote into one
  // would otherwise change what the other mode sees.
  std::vector<parallax::NamedTensor> feeds;
  for (const auto& f : b.feeds) {
    feeds.push_back({f.name, f.tensor.clone()});
#ifdef PX_SINGLE_OP_TRACE
    std::fprintf(stderr, "  feed %s: type %d, shape [", f.name.c_str(), static_cast<int>(f.tensor.dtype()));
    for (int64_t d : f.tensor.shape()) std::fprintf(stderr, " %lld", static_cast<long long>(d));
    std::fprintf(stderr, " ]\n");
#endif
  }
  auto outputs = (*session)->run(feeds);
#ifdef PX_SINGLE_OP_TRACE
  std::fprintf(stderr, "%s run: %s\n", b.op.c_str(), outputs.status().to_string().c_str());
#endif
  (void)outputs;  // any Status is fine; only crashes and sanitizer reports count
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  const Built b = build(in);
  if (!b.ok) return 0;
#ifdef PX_SINGLE_OP_TRACE  // the model last built, to inspect a crash (python -m onnx ... or protoc --decode)
  if (std::FILE* f = std::fopen("single_op_last.onnx", "wb")) {
    std::fwrite(b.model.data(), 1, b.model.size(), f);
    std::fclose(f);
  }
#endif
  const bool dataflow_first = size > 2 && (data[2] & 2) != 0;
  run(b, dataflow_first ? parallax::ExecutionMode::kDataflow : parallax::ExecutionMode::kSequential,
      dataflow_first ? 2 : 1);
  run(b, dataflow_first ? parallax::ExecutionMode::kSequential : parallax::ExecutionMode::kDataflow,
      dataflow_first ? 1 : 2);
  return 0;
}
