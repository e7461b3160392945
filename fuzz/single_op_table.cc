#include "single_op_table.h"

#include <onnx/defs/schema.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>

#include "kernels/registry.h"

namespace parallax::fuzz {
namespace {

// libonnx 1.12 knows ai.onnx up to opset 17; kernels registered past it are
// fuzzed with the newest schema that it knows.
constexpr int kNewestKnownOpset = 17;

DataType dtype_of(std::string_view type_str) {
  static const std::map<std::string_view, DataType> kTypes = {
      {"tensor(float)", DataType::kFloat32},   {"tensor(double)", DataType::kFloat64},
      {"tensor(float16)", DataType::kFloat16}, {"tensor(bfloat16)", DataType::kBFloat16},
      {"tensor(int8)", DataType::kInt8},       {"tensor(uint8)", DataType::kUInt8},
      {"tensor(int16)", DataType::kInt16},     {"tensor(uint16)", DataType::kUInt16},
      {"tensor(int32)", DataType::kInt32},     {"tensor(uint32)", DataType::kUInt32},
      {"tensor(int64)", DataType::kInt64},     {"tensor(uint64)", DataType::kUInt64},
      {"tensor(bool)", DataType::kBool},
  };
  auto it = kTypes.find(type_str);
  return it == kTypes.end() ? DataType::kUndefined : it->second;
}

FormalSpec formal_from(const onnx::OpSchema::FormalParameter& p) {
  FormalSpec f;
  f.name = p.GetName();
  f.type_str = p.GetTypeStr();
  f.optional = p.GetOption() == onnx::OpSchema::Optional;
  f.variadic = p.GetOption() == onnx::OpSchema::Variadic;
  // A formal that takes only sequences of tensors is fed a sequence of
  // the element types the runtime computes with.
  f.sequence = !p.GetTypes().empty();
  for (onnx::DataType t : p.GetTypes()) f.sequence = f.sequence && t->rfind("seq(tensor(", 0) == 0;
  for (onnx::DataType t : p.GetTypes()) {
    std::string_view type = *t;
    if (f.sequence) type = type.substr(4, type.size() - 5);  // seq(X) -> X
    const DataType d = dtype_of(type);
    if (d != DataType::kUndefined && is_supported(d)) f.types.push_back(d);
  }
  // The set is unordered: sort so that a fuzz input decodes the same way in
  // every process.
  std::sort(f.types.begin(), f.types.end());
  // String-only formals still get a tensor: the kernel must refuse it cleanly.
  if (f.types.empty()) f.types.push_back(DataType::kFloat32);
  return f;
}

OpSpec spec_from(const onnx::OpSchema& schema, const std::string& domain, const std::string& op_type, int opset) {
  OpSpec s;
  s.domain = domain;
  s.op_type = op_type;
  s.opset = opset;
  for (const auto& p : schema.inputs()) s.inputs.push_back(formal_from(p));
  for (const auto& p : schema.outputs()) s.outputs.push_back(formal_from(p));
  for (const auto& [name, a] : schema.attributes()) s.attrs.push_back({name, a.type, a.required});
  return s;
}

// The com.parallax ops: the ONNX op whose schema they extend, and the
// attributes the graph optimizer adds (src/graph/passes, dnnl_util.h).
struct Extra {
  std::string_view domain;
  std::string_view op_type;
  std::string_view base_op;  // empty: the op's own ONNX schema
  int base_opset;
  std::vector<AttrSpec> attrs;
  bool residual_input = false;  // a fourth input R added before the activation
};

const std::vector<Extra>& extras() {
  using A = onnx::AttributeProto;
  static const std::vector<AttrSpec> kFused = {
      {"px_activation", A::STRING}, {"px_activation_params", A::FLOATS}, {"px_residual", A::INT}};
  static const std::vector<Extra> kExtras = {
      {"com.parallax", "NhwcConv", "Conv", 11, kFused, true},
      {"com.parallax", "NhwcConvTranspose", "ConvTranspose", 11, {{"px_activation", A::STRING}}},
      {"com.parallax", "NhwcBatchNormalization", "BatchNormalization", 15, {}},
      {"com.parallax", "NhwcAveragePool", "AveragePool", 11, {}},
      {"com.parallax", "NhwcMaxPool", "MaxPool", 12, {}},
      {"com.parallax", "NhwcGlobalAveragePool", "GlobalAveragePool", 1, {}},
      {"com.parallax", "Swish", "Relu", 14, {}},
      {"com.parallax", "Gelu", "Relu", 14, {{"approximate", A::STRING}}},
      // int8 kernels. QLinearAdd's inputs are QLinearMatMul's, in order. (The
      // dynamic int8 MatMuls have no ONNX schema alike: own_schemas() below.)
      {"com.parallax", "NhwcQLinearConv", "QLinearConv", 10, {{"px_activation", A::STRING}}},
      {"com.parallax", "QLinearAdd", "QLinearMatMul", 10, {{"px_activation", A::STRING}}},
      {"com.parallax", "QLinearMatMul", "QLinearMatMul", 10, {{"px_activation", A::STRING}}},
      {"com.parallax", "QuantizeDequantize", "QuantizeLinear", 13, {}},
      {"com.microsoft", "QLinearAdd", "QLinearMatMul", 10, {}},
      // ONNX ops newer than libonnx 1.12 (opset 17).
      {"", "Gelu", "Relu", 14, {{"approximate", A::STRING}}},
      // The fused forms of ONNX ops (graph/fused_ops.h): the op with its epilogue.
      {"com.parallax", "Conv", "Conv", 11, kFused, true},
      {"com.parallax", "ConvTranspose", "ConvTranspose", 11, kFused, true},
      {"com.parallax", "Gemm", "Gemm", 13, kFused, true},
      {"com.parallax", "MatMul", "MatMul", 13, kFused, true},
      {"com.parallax",
       "BatchNormalization",
       "BatchNormalization",
       15,
       {{"px_activation", A::STRING}, {"px_activation_params", A::FLOATS}}},
      {"com.parallax", "QLinearConv", "QLinearConv", 10, {{"px_activation", A::STRING}}},
  };
  return kExtras;
}

// Ops that borrow no ONNX schema: their formals written out, from their
// kernels. SoftmaxAttention takes float Q, Kt, V and bias. The dynamic int8 MatMuls
// (kernels/cpu/dynamic_quantize_mat_mul.cc, mat_mul_integer_to_float.cc) take a float or quantized A, int8 / uint8
// weights B, float scales, zero points of A's and B's types and a float
// bias; with a constant 2-D int8 B, constant scales and a zero (or absent)
// b_zero_point they run oneDNN's int8 GEMM, else the portable loop.
struct OwnSchema {
  std::string_view op_type;
  std::vector<FormalSpec> inputs;
  std::vector<AttrSpec> attrs;  // of the com.parallax form (the optimizer's); com.microsoft has none
  std::vector<FormalSpec> outputs = {};  // empty: one float Y
  std::string_view domain = {};          // empty: com.parallax and com.microsoft
};

const std::vector<OwnSchema>& own_schemas() {
  using A = onnx::AttributeProto;
  static const std::vector<OwnSchema> kSchemas = [] {
    const std::vector<DataType> f32 = {DataType::kFloat32};
    const std::vector<DataType> int8s = {DataType::kUInt8, DataType::kInt8};
    // A graph-optimizer fusion may add an activation after the bias (px_residual is refused).
    const std::vector<AttrSpec> fused = {{"px_activation", A::STRING}, {"px_activation_params", A::FLOATS}};
    return std::vector<OwnSchema>{
        {"DynamicQuantizeMatMul",
         {{"A", "T1", f32, false, false},
          {"B", "T2", int8s, false, false},
          {"b_scale", "T1", f32, false, false},
          {"b_zero_point", "T2", int8s, true, false},
          {"bias", "T1", f32, true, false}},
         fused},
        {"MatMulIntegerToFloat",
         {{"A", "T1", int8s, false, false},
          {"B", "T2", int8s, false, false},
          {"a_scale", "T3", f32, false, false},
          {"b_scale", "T3", f32, false, false},
          {"a_zero_point", "T1", int8s, true, false},
          {"b_zero_point", "T2", int8s, true, false},
          {"bias", "T3", f32, true, false}},
         fused},
        // graph/passes/fuse_attention.cc's MatMul -> Softmax -> MatMul.
        {"SoftmaxAttention",
         {{"Q", "T", f32, false, false},
          {"Kt", "T", f32, false, false},
          {"V", "T", f32, false, false},
          {"bias", "T", f32, true, false}},
         {{"scale", A::FLOAT}, {"scores_qdq", A::FLOATS}, {"probs_qdq", A::FLOATS}}},
        // graph/passes/fuse_qdq_swish.cc's quantized SiLU (Y is X's type, or
        // float with y_dequantized; declared float here).
        // The ai.onnx.preview.training optimizers with one tensor per run
        // (libonnx's schemas of that domain are not read here).
        {"Adagrad",
         {{"R", "T1", f32, false, false},
          {"T", "T2", {DataType::kInt64}, false, false},
          {"X", "T3", f32, false, false},
          {"G", "T3", f32, false, false},
          {"H", "T3", f32, false, false}},
         {{"decay_factor", A::FLOAT}, {"epsilon", A::FLOAT}, {"norm_coefficient", A::FLOAT}},
         {{"X_new", "T3", f32, false, false}, {"H_new", "T3", f32, false, false}},
         "ai.onnx.preview.training"},
        {"Momentum",
         {{"R", "T1", f32, false, false},
          {"T", "T2", {DataType::kInt64}, false, false},
          {"X", "T3", f32, false, false},
          {"G", "T3", f32, false, false},
          {"V", "T3", f32, false, false}},
         {{"alpha", A::FLOAT}, {"beta", A::FLOAT}, {"mode", A::STRING}, {"norm_coefficient", A::FLOAT}},
         {{"X_new", "T3", f32, false, false}, {"V_new", "T3", f32, false, false}},
         "ai.onnx.preview.training"},
        {"Adam",
         {{"R", "T1", f32, false, false},
          {"T", "T2", {DataType::kInt64}, false, false},
          {"X", "T3", f32, false, false},
          {"G", "T3", f32, false, false},
          {"V", "T3", f32, false, false},
          {"H", "T3", f32, false, false}},
         {{"alpha", A::FLOAT},
          {"beta", A::FLOAT},
          {"epsilon", A::FLOAT},
          {"norm_coefficient", A::FLOAT},
          {"norm_coefficient_post", A::FLOAT}},
         {{"X_new", "T3", f32, false, false},
          {"V_new", "T3", f32, false, false},
          {"H_new", "T3", f32, false, false}},
         "ai.onnx.preview.training"},
        {"QLinearSwish",
         {{"X", "T1", int8s, false, false},
          {"X_scale", "T2", f32, false, false},
          {"X_zero_point", "T1", int8s, true, false},
          {"Y_scale", "T2", f32, false, false},
          {"Y_zero_point", "T3", int8s, true, false}},
         {{"sigmoid_qdq", A::FLOATS}, {"y_dequantized", A::INT}}},
    };
  }();
  return kSchemas;
}

std::optional<OpSpec> own_spec_for(const KernelDef& def) {
  for (const OwnSchema& o : own_schemas()) {
    if (o.op_type != def.op_type) continue;
    const bool ours = def.domain == "com.parallax" || def.domain == "com.microsoft";
    if (o.domain.empty() ? !ours : def.domain != o.domain) continue;
    OpSpec s;
    s.domain = def.domain;
    s.op_type = def.op_type;
    s.opset = def.since_version;
    s.inputs = o.inputs;
    s.outputs = o.outputs.empty() ? std::vector<FormalSpec>{{"Y", "T", {DataType::kFloat32}, false, false}} : o.outputs;
    if (def.domain != "com.microsoft") s.attrs = o.attrs;
    return s;
  }
  return std::nullopt;
}

void add_extra(const Extra& e, OpSpec& s) {
  for (const AttrSpec& a : e.attrs) s.attrs.push_back(a);
  if (e.residual_input) {
    FormalSpec r;
    // Padding up to input 3 (Gemm has 3 inputs, MatMul 2): optional inputs
    // that the fuzzer may leave empty.
    while (s.inputs.size() < 3) s.inputs.push_back({"pad", "T", {DataType::kFloat32}, true, false});
    s.inputs.push_back({"R", "T", {DataType::kFloat32}, true, false});
  }
}

const Extra* extra_for(const std::string& domain, const std::string& op_type) {
  for (const Extra& e : extras())
    if (e.domain == domain && e.op_type == op_type) return &e;
  return nullptr;
}

void add_newer_forms(const KernelDef& def, std::vector<OpSpec>& out);

// The entries for one kernel: one per ONNX schema version in its opset range,
// and the newer forms (below) that its range reaches.
std::vector<OpSpec> specs_for(const KernelDef& def) {
  std::vector<OpSpec> out;
  if (std::optional<OpSpec> own = own_spec_for(def)) {
    out.push_back(std::move(*own));
    return out;
  }
  const Extra* extra = extra_for(def.domain, def.op_type);
  if (extra != nullptr && !extra->base_op.empty()) {
    const onnx::OpSchema* base = onnx::OpSchemaRegistry::Schema(std::string(extra->base_op), extra->base_opset);
    if (base == nullptr) return out;
    OpSpec s = spec_from(*base, def.domain, def.op_type, def.since_version);
    add_extra(*extra, s);
    out.push_back(std::move(s));
    return out;
  }
  if (!def.domain.empty()) return out;
  const int last = std::min(def.until_version, kNewestKnownOpset);
  std::set<int> seen;
  for (int v = def.since_version; v <= last; ++v) {
    const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(def.op_type, v);
    if (schema == nullptr || !seen.insert(schema->SinceVersion()).second) continue;
    // The opset that selects this schema and this kernel.
    OpSpec s = spec_from(*schema, def.domain, def.op_type, std::max(schema->SinceVersion(), def.since_version));
    if (extra != nullptr) add_extra(*extra, s);
    out.push_back(std::move(s));
  }
  add_newer_forms(def, out);
  return out;
}

// Schema changes after opset 17 that libonnx 1.12 does not know, applied to
// the opset-17 schema: the fuzzer then also builds the newer form, under the
// newer opset, for every kernel whose range reaches it.
struct NewerForm {
  std::string_view op_type;
  int opset;
  std::vector<FormalSpec> added_inputs;  // appended after the opset-17 inputs
  std::vector<AttrSpec> added_attrs;
  std::string_view removed_attr;  // an attribute that became an input
};

const std::vector<NewerForm>& newer_forms() {
  using A = onnx::AttributeProto;
  const FormalSpec axes{"axes", "tensor(int64)", {DataType::kInt64}, true, false};
  static const std::vector<NewerForm> kForms = [&] {
    std::vector<NewerForm> forms;
    // Opset 18: the reductions take `axes` as an input (ReduceSum did at 13).
    for (std::string_view op : {"ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean",
                                "ReduceMin", "ReduceProd", "ReduceSumSquare"})
      forms.push_back({op, 18, {axes}, {{"noop_with_empty_axes", A::INT}}, "axes"});
    forms.push_back({"Split", 18, {}, {{"num_outputs", A::INT}}, ""});
    forms.push_back({"Pad", 18, {axes}, {}, ""});
    forms.push_back(
        {"Resize", 18, {}, {{"antialias", A::INT}, {"axes", A::INTS}, {"keep_aspect_ratio_policy", A::STRING}}, ""});
    forms.push_back({"ScatterElements", 18, {}, {}, ""});  // reduction max / min: strings the fuzzer has
    forms.push_back({"ScatterND", 18, {}, {}, ""});
    forms.push_back({"AveragePool", 19, {}, {{"dilations", A::INTS}}, ""});
    forms.push_back({"Pad", 19, {axes}, {}, ""});  // mode "wrap"
    forms.push_back({"Cast", 19, {}, {{"saturate", A::INT}}, ""});
    return forms;
  }();
  return kForms;
}

void add_newer_forms(const KernelDef& def, std::vector<OpSpec>& out) {
  if (!def.domain.empty()) return;
  for (const NewerForm& f : newer_forms()) {
    if (f.op_type != def.op_type || f.opset < def.since_version || f.opset > def.until_version) continue;
    const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(def.op_type, kNewestKnownOpset);
    if (schema == nullptr) continue;
    OpSpec s = spec_from(*schema, def.domain, def.op_type, f.opset);
    for (const FormalSpec& in : f.added_inputs) s.inputs.push_back(in);
    std::erase_if(s.attrs, [&](const AttrSpec& a) { return a.name == f.removed_attr; });
    for (const AttrSpec& a : f.added_attrs) s.attrs.push_back(a);
    out.push_back(std::move(s));
  }
}

std::vector<const KernelDef*> sorted_kernels() {
  std::vector<const KernelDef*> defs;
  for (const KernelDef& d : KernelRegistry::global().all()) defs.push_back(&d);
  std::sort(defs.begin(), defs.end(), [](const KernelDef* a, const KernelDef* b) {
    return std::tie(a->domain, a->op_type, a->since_version) < std::tie(b->domain, b->op_type, b->since_version);
  });
  return defs;
}

}  // namespace

const std::vector<OpSpec>& single_op_specs() {
  static const std::vector<OpSpec> specs = [] {
    std::vector<OpSpec> all;
    for (const KernelDef* def : sorted_kernels())
      for (OpSpec& s : specs_for(*def)) all.push_back(std::move(s));
    return all;
  }();
  return specs;
}

std::vector<std::string> uncovered_kernels() {
  std::vector<std::string> missing;
  for (const KernelDef* def : sorted_kernels()) {
    if (!specs_for(*def).empty()) continue;
    missing.push_back(def->domain + ":" + def->op_type + " [" + std::to_string(def->since_version) + ", " +
                      std::to_string(def->until_version) + "]");
  }
  return missing;
}

}  // namespace parallax::fuzz
