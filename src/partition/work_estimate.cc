#include "partition/work_estimate.h"

#include <string_view>
#include <unordered_set>

namespace parallax {

namespace {

const std::unordered_set<std::string_view>& data_movement_ops() {
  static const std::unordered_set<std::string_view> ops = {
      "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Slice", "Gather", "GatherElements",
      "GatherND", "Concat", "Split", "Pad", "Tile", "Expand", "Identity", "Shape", "Size", "Dropout",
      "DepthToSpace", "SpaceToDepth", "ScatterND", "ScatterElements", "Scatter", "ConstantOfShape",
      "Range", "NonZero", "Compress", "EyeLike", "ReverseSequence", "Trilu", "OneHot", "Constant"};
  return ops;
}

const std::unordered_set<std::string_view>& reduce_ops() {
  static const std::unordered_set<std::string_view> ops = {
      "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
      "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin", "GlobalAveragePool",
      "GlobalMaxPool", "GlobalLpPool", "NhwcGlobalAveragePool", "TopK"};
  return ops;
}

const std::unordered_set<std::string_view>& window_pool_ops() {
  static const std::unordered_set<std::string_view> ops = {"MaxPool", "AveragePool", "LpPool", "NhwcMaxPool",
                                                           "NhwcAveragePool"};
  return ops;
}

const Shape* shape_at(std::span<const ValueShape> vs, size_t i) {
  return i < vs.size() && vs[i].shape ? &*vs[i].shape : nullptr;
}

double numel(const Shape& s) { return static_cast<double>(shape_numel(s)); }

// |W| / W[0]: Cin/group * kernel for Conv (OIHW), Cout/group * kernel for ConvTranspose.
double per_output_channel(const Shape& w) {
  return w.empty() || w[0] == 0 ? 0.0 : numel(w) / static_cast<double>(w[0]);
}

// MACs, or nullopt when a needed shape is unknown.
std::optional<double> macs_of(const Node& n, std::span<const ValueShape> in, std::span<const ValueShape> out) {
  const std::string_view op = n.op_type;
  const Shape* x = shape_at(in, 0);
  const Shape* y = shape_at(out, 0);
  if (op == "If" || op == "Loop" || op == "Scan") return std::nullopt;  // work lives in the subgraphs
  if (data_movement_ops().count(op)) return 0.0;
  if (op == "Conv" || op == "NhwcConv" || op == "ConvInteger" || op == "QLinearConv") {
    const Shape* w = shape_at(in, op == "QLinearConv" ? 3 : 1);
    if (!w || !y) return std::nullopt;
    return numel(*y) * per_output_channel(*w);
  }
  if (op == "ConvTranspose" || op == "NhwcConvTranspose") {
    const Shape* w = shape_at(in, 1);
    if (!w || !x) return std::nullopt;
    return numel(*x) * per_output_channel(*w);
  }
  if (op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul" || op == "Gemm") {
    if (!x || !y || x->empty()) return std::nullopt;
    int64_t k = x->back();
    if (op == "Gemm" && x->size() == 2) {
      auto trans_a = n.attrs.get_int("transA", 0);
      if (trans_a.is_ok() && trans_a.value() != 0) k = (*x)[0];
    }
    return numel(*y) * static_cast<double>(k);
  }
  if (op == "LSTM" || op == "GRU" || op == "RNN") {
    const Shape* w = shape_at(in, 1);
    const Shape* r = shape_at(in, 2);
    if (!x || !w || !r || x->size() != 3) return std::nullopt;
    return static_cast<double>((*x)[0] * (*x)[1]) * (numel(*w) + numel(*r));
  }
  if (window_pool_ops().count(op)) {
    auto kernel = n.attrs.get_ints("kernel_shape", std::vector<int64_t>{});
    if (!y || !kernel.is_ok()) return std::nullopt;
    double window = 1;
    for (int64_t k : *kernel) window *= static_cast<double>(k);
    return numel(*y) * window;
  }
  if (reduce_ops().count(op)) {
    if (!x) return std::nullopt;
    return numel(*x);
  }
  if (!y) return out.empty() ? std::optional<double>(0.0) : std::nullopt;
  return numel(*y);  // elementwise and everything else: one op per output element
}

int64_t bytes_of(const ValueShape& v, bool count_constants) {
  if (v.constant && !count_constants) return 0;
  if (!v.shape) return kUnknownBytes;
  return shape_numel(*v.shape) * static_cast<int64_t>(element_size(v.dtype));
}

}  // namespace

NodeWork estimate_node_work(const Node& node, std::span<const ValueShape> inputs,
                            std::span<const ValueShape> outputs) {
  NodeWork w;
  std::optional<double> macs = macs_of(node, inputs, outputs);
  w.shape_known = macs.has_value();
  w.macs = macs.value_or(0.0);
  for (const ValueShape& v : inputs) w.input_bytes.push_back(bytes_of(v, false));
  for (const ValueShape& v : outputs) w.output_bytes.push_back(bytes_of(v, true));
  return w;
}

std::vector<NodeWork> estimate_work(const Graph& graph, const ShapePlan& plan) {
  auto shape_of = [&](ValueId id) {
    ValueShape s;
    if (!id.valid() || id.index() >= plan.values.size()) return s;
    const ValuePlan& vp = plan.values[id.index()];
    s.dtype = vp.dtype;
    s.constant = vp.storage == Storage::kConstant;
    if (vp.storage == Storage::kConstant) s.shape = vp.constant.shape();
    else if (vp.storage != Storage::kDynamic && vp.storage != Storage::kUnused) s.shape = vp.shape;
    return s;
  };
  std::vector<bool> runs(graph.nodes.size(), false);
  for (const PlanStep& step : plan.steps) runs[step.node.index()] = true;
  std::vector<NodeWork> work;
  work.reserve(graph.nodes.size());
  std::vector<ValueShape> in, out;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& n = graph.nodes[i];
    in.clear();
    out.clear();
    for (ValueId v : n.inputs) in.push_back(shape_of(v));
    for (ValueId v : n.outputs) out.push_back(shape_of(v));
    NodeWork w = estimate_node_work(n, in, out);
    w.runs = runs[i] && !n.removed;
    if (!w.runs) w.macs = 0;
    work.push_back(std::move(w));
  }
  return work;
}

}  // namespace parallax
