// float16 / bfloat16 models run in float32.
//
// Why float32 compute: this CPU (Zen 5) has F16C and AVX512-BF16 but no
// AVX512-FP16, and oneDNN 2.6 has no float16 compute kernels without
// AVX512-FP16; only its convolution/matmul/eltwise have bf16 paths. ONNX
// Runtime's CPU provider does the same for ops without float16 kernels (its
// insert_cast_transformer puts Casts to float around them), so float32
// compute also matches the reference best.
//
// What the pass does, to each graph and subgraph, before any other pass:
//  - half-float initializers and constant attributes become float32 here,
//    once; the 16-bit copy is released, so weights are held once (in float32,
//    and packed by the kernels that pack) and never widened per run;
//  - half-float graph inputs stay half (callers pass half tensors) and get one
//    Cast to float32 that every non-Cast reader reads instead;
//  - explicit Casts to a half type stay: their rounding is part of the model's
//    meaning (fp32 -> fp16 -> fp32 is not the identity), and their readers get
//    a widening Cast the same way;
//  - a graph output declared half and computed by an op gets a Cast to its
//    type at the end, so callers get the declared type back;
//  - every other value declared half is declared float32.
// Ops that make a half tensor from a dtype attribute (RandomNormal, EyeLike,
// ...) are asked for float32 instead.
#include <string>
#include <unordered_set>

#include "core/float16.h"
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

Tensor widen_tensor(const Tensor& t) {
  Tensor out = Tensor::allocate(DataType::kFloat32, t.shape());
  const uint16_t* src = t.data<uint16_t>();
  float* dst = out.data<float>();
  const bool half = t.dtype() == DataType::kFloat16;
  for (int64_t i = 0; i < t.numel(); ++i) dst[i] = half ? half_to_float(src[i]) : bfloat16_to_float(src[i]);
  return out;
}

std::string unique_name(const Graph& g, const std::string& base) {
  std::string name = base;
  for (int k = 1; g.find_value(name); ++k) name = base + "_" + std::to_string(k);
  return name;
}

NodeId add_cast(Graph& g, ValueId from, ValueId to, DataType type) {
  Node cast;
  cast.name = g.value(to).name + "_px_cast";
  cast.op_type = "Cast";
  cast.opset = g.opsets.count("") ? g.opsets.at("") : 13;
  cast.inputs = {from};
  cast.num_explicit_inputs = 1;
  cast.outputs = {to};
  cast.attrs.set_int("to", static_cast<int64_t>(type));
  return g.add_node(std::move(cast));
}

// The half type a Cast or CastLike node produces, or kUndefined.
DataType cast_target(const Graph& g, const Node& n) {
  if (!n.domain.empty()) return DataType::kUndefined;
  if (n.op_type == "Cast") {
    const Attribute* to = n.attrs.find("to");
    if (to && to->kind == Attribute::Kind::kInt && is_half_float(static_cast<DataType>(to->i)))
      return static_cast<DataType>(to->i);
    if (to && to->kind == Attribute::Kind::kString)
      return to->s == "FLOAT16" ? DataType::kFloat16 : to->s == "BFLOAT16" ? DataType::kBFloat16 : DataType::kUndefined;
  }
  if (n.op_type == "CastLike" && n.inputs.size() > 1 && n.inputs[1].valid()) {
    DataType like = g.value(n.inputs[1]).dtype;
    if (is_half_float(like)) return like;
  }
  return DataType::kUndefined;
}

// Attributes that choose a float output type: half becomes float32.
void widen_attributes(Node& n) {
  if (!n.domain.empty()) return;
  if (n.op_type == "ConstantOfShape") {
    const Attribute* v = n.attrs.find("value");
    if (v && v->kind == Attribute::Kind::kTensor && is_half_float(v->t.dtype())) {
      Attribute a = *v;
      a.t = widen_tensor(v->t);
      n.attrs.set("value", a);
    }
    return;
  }
  static const std::unordered_set<std::string> kDtypeOps = {
      "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "EyeLike", "Bernoulli", "Multinomial"};
  if (!kDtypeOps.count(n.op_type)) return;
  const Attribute* d = n.attrs.find("dtype");
  if (d && d->kind == Attribute::Kind::kInt && is_half_float(static_cast<DataType>(d->i))) {
    Attribute a = *d;
    a.i = static_cast<int64_t>(DataType::kFloat32);
    n.attrs.set("dtype", a);
  }
}

bool reads_half(const Node& n) {
  return n.domain.empty() && (n.op_type == "Cast" || n.op_type == "CastLike");
}

}  // namespace

size_t widen_half_floats(Graph& g) {
  size_t rewrites = 0;
  for (Node& n : g.nodes)
    for (const auto& [name, attr] : n.attrs.all())
      if (attr.kind == Attribute::Kind::kGraph && attr.g) rewrites += widen_half_floats(*attr.g);

  // A CastLike to a half type is a Cast to that type: after widening, its
  // `like` input is float32 and would no longer say which type.
  for (Node& n : g.nodes) {
    if (n.removed || !n.domain.empty() || n.op_type != "CastLike") continue;
    DataType to = cast_target(g, n);
    if (to == DataType::kUndefined) continue;
    n.op_type = "Cast";
    n.inputs.resize(1);
    n.num_explicit_inputs = 1;
    n.attrs.set_int("to", static_cast<int64_t>(to));
    ++rewrites;
  }

  // Values that keep their half type: half graph inputs and Cast outputs.
  std::vector<char> stays_half(g.values.size(), 0);
  for (ValueId id : g.inputs)
    if (is_half_float(g.value(id).dtype)) stays_half[id.index()] = 1;
  for (Node& n : g.nodes) {
    if (n.removed) continue;
    widen_attributes(n);
    DataType to = cast_target(g, n);
    if (to == DataType::kUndefined || n.outputs.empty() || !n.outputs[0].valid()) continue;
    stays_half[n.outputs[0].index()] = 1;
    g.value(n.outputs[0]).dtype = to;
  }

  // Graph outputs declared half but computed by an op: the op writes a new
  // float32 value, and a Cast turns it into the declared output.
  const size_t declared_values = g.values.size();
  for (ValueId out : g.outputs) {
    Value& v = g.value(out);
    if (!is_half_float(v.dtype) || stays_half[out.index()]) continue;
    const DataType declared = v.dtype;
    Value wide;
    wide.name = unique_name(g, v.name + "_px_f32");
    wide.dtype = DataType::kFloat32;
    if (v.initializer) wide.initializer = std::move(v.initializer), v.initializer.reset();
    const NodeId producer = v.producer;
    ValueId wide_id = g.add_value(std::move(wide));
    if (producer.valid())
      for (ValueId& o : g.node(producer).outputs)
        if (o == out) o = wide_id;
    for (Node& n : g.nodes)
      for (size_t i = 0; i < n.num_explicit_inputs && i < n.inputs.size(); ++i)
        if (n.inputs[i] == out) n.inputs[i] = wide_id;
    add_cast(g, wide_id, out, declared);
    ++rewrites;
  }
  stays_half.resize(g.values.size(), 0);
  for (ValueId out : g.outputs)
    if (is_half_float(g.value(out).dtype)) stays_half[out.index()] = 1;

  // Everything else declared half is float32 from here on.
  for (size_t i = 0; i < g.values.size(); ++i) {
    Value& v = g.values[i];
    const bool half_data = v.initializer && is_half_float(v.initializer->dtype());
    if (stays_half[i] || (!is_half_float(v.dtype) && !half_data)) continue;
    if (half_data) v.initializer = widen_tensor(*v.initializer);
    v.dtype = DataType::kFloat32;
    ++rewrites;
  }

  // Readers of a value that stays half, other than Casts, read one widened copy.
  g.rebuild_links();
  for (size_t i = 0; i < declared_values; ++i) {
    if (!stays_half[i]) continue;
    const ValueId half(i);
    std::vector<std::pair<NodeId, size_t>> readers;
    for (NodeId c : g.value(half).consumers) {
      Node& n = g.node(c);
      if (n.removed) continue;
      for (size_t k = 0; k < n.num_explicit_inputs && k < n.inputs.size(); ++k)
        if (n.inputs[k] == half && !(reads_half(n) && k == 0)) readers.push_back({c, k});
    }
    if (readers.empty()) continue;
    Value wide;
    wide.name = unique_name(g, g.value(half).name + "_px_f32");
    wide.dtype = DataType::kFloat32;
    ValueId wide_id = g.add_value(std::move(wide));
    for (auto [c, k] : readers) g.node(c).inputs[k] = wide_id;
    add_cast(g, half, wide_id, DataType::kFloat32);
    ++rewrites;
  }
  g.rebuild_links();
  return rewrites;
}

}  // namespace parallax::passes
