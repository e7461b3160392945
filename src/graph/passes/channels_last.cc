// Channels-last layout: image models run their convolutions on NHWC
// activations (oneDNN's fast path without a reorder per op), and the data
// stays NHWC between them instead of being transposed back and forth.
//
// 1. Every 2-D Conv / pooling node is wrapped:
//      x -> Transpose(0,2,3,1) -> Conv[px_layout=NHWC] -> Transpose(0,3,1,2) -> y
// 2. "To NCHW" transposes are pushed down through the ops that do not care
//    about layout (elementwise, Concat on channels, NHWC-capable ops), and a
//    transpose meeting its inverse cancels. What remains are transposes at
//    the region's borders (graph inputs, Flatten/Reshape, outputs).
//
// ConvTranspose in its tiling form (kernel = stride: mask heads, U-Nets) is
// wrapped too. QLinearConv (int8) is wrapped like Conv, and per-tensor
// Quantize- / DequantizeLinear let transposes through, so a QDQ model's uint8
// activations stay NHWC between its convolutions too.
//
// Example, resnet block:  Conv-Relu-Conv-Add(skip)-Relu  becomes one NHWC run
// with a single Transpose at the network's input and one before Flatten.
#include <algorithm>
#include <cstring>
#include <map>

#include "core/int8_dot.h"
#include "graph/conv_transpose_tiling.h"
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};
const std::vector<int64_t> kToNchw = {0, 3, 1, 2};
// NCHW axis -> NHWC axis.
int64_t nhwc_axis(int64_t axis) {
  static const int64_t map[4] = {0, 3, 1, 2};
  return map[(axis % 4 + 4) % 4];
}

bool is_unary_elementwise(const Node& n) {
  static const char* ops[] = {"Relu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "LeakyRelu", "Elu", "Selu",
                              "Softplus", "Erf", "Exp", "Abs", "Neg", "Sqrt", "Identity", "Celu", "Softsign"};
  if (n.domain == "com.parallax" && n.op_type == "Swish") return n.num_explicit_inputs == 1 && n.outputs.size() == 1;
  if (!n.domain.empty() || n.num_explicit_inputs != 1 || n.outputs.size() != 1) return false;
  return std::find_if(std::begin(ops), std::end(ops), [&](const char* o) { return n.op_type == o; }) != std::end(ops);
}
bool is_clip_with_constant_bounds(const Graph& g, const Node& n) {
  if (n.op_type != "Clip" || !n.domain.empty()) return false;
  for (size_t i = 1; i < n.num_explicit_inputs; ++i)
    if (n.inputs[i].valid() && !constant_of(g, n.inputs[i])) return false;
  return true;
}
// QuantizeLinear / DequantizeLinear per tensor (constant scalar scale and
// zero point) act elementwise on their first input.
bool is_per_tensor_quantization(const Graph& g, const Node& n) {
  if (!n.domain.empty() || (n.op_type != "QuantizeLinear" && n.op_type != "DequantizeLinear") ||
      n.outputs.size() != 1 || n.num_explicit_inputs < 2)
    return false;
  for (size_t i = 1; i < n.num_explicit_inputs; ++i) {
    const Tensor* t = n.inputs[i].valid() ? constant_of(g, n.inputs[i]) : nullptr;
    if (n.inputs[i].valid() && (!t || t->numel() != 1)) return false;
  }
  return true;
}
// A ConvTranspose that NhwcConvTranspose runs (kernels/cpu/nhwc_conv_transpose.cc):
// constant 4-D float32 weights and the tiling form (graph/conv_transpose_tiling.h).
bool is_tiling_conv_transpose(const Graph& g, const Node& n) {
  if (n.num_explicit_inputs < 2 || n.num_explicit_inputs > 3) return false;
  const Tensor* w = n.inputs[1].valid() ? constant_of(g, n.inputs[1]) : nullptr;
  if (!w || w->rank() != 4 || w->dtype() != DataType::kFloat32 || w->numel() == 0) return false;
  if (n.num_explicit_inputs == 3 && n.inputs[2].valid() && !constant_of(g, n.inputs[2])) return false;
  return conv_transpose_tiles_output(n.attrs, w->dim(2), w->dim(3));
}
// A QLinearConv that NhwcQLinearConv runs (kernels/cpu/q_linear_conv.cc):
// constant 4-D int8 weights with zero point 0, constant scalar x/y parameters.
bool is_int8_nhwc_conv(const Graph& g, const Node& n, bool exact_int8) {
  if (n.num_explicit_inputs < 8 || n.attrs.has("px_residual")) return false;
  for (size_t i = 1; i < 8; ++i)
    if (!n.inputs[i].valid() || !constant_of(g, n.inputs[i])) return false;
  if (n.num_explicit_inputs > 8 && n.inputs[8].valid() && !constant_of(g, n.inputs[8])) return false;
  const Tensor* w = constant_of(g, n.inputs[3]);
  const Tensor* wz = constant_of(g, n.inputs[5]);
  if (w->rank() != 4 || w->dtype() != DataType::kInt8 || wz->dtype() != DataType::kInt8) return false;
  if (exact_int8 && int8_weights_may_saturate(*w)) return false;  // QLinearConv's exact path is NCHW
  for (int64_t i = 0; i < wz->numel(); ++i)
    if (wz->data<int8_t>()[i] != 0) return false;
  for (size_t i : {1, 2, 6, 7})
    if (constant_of(g, n.inputs[i])->numel() != 1) return false;
  const DataType xt = constant_of(g, n.inputs[2])->dtype();
  return xt == DataType::kUInt8 || xt == DataType::kInt8;
}

bool is_binary_elementwise(const Node& n) {
  return n.domain.empty() && n.num_explicit_inputs == 2 && n.outputs.size() == 1 &&
         (n.op_type == "Add" || n.op_type == "Mul" || n.op_type == "Sub" || n.op_type == "Div" ||
          n.op_type == "Max" || n.op_type == "Min" || n.op_type == "PRelu");
}

class ChannelsLast {
 public:
  ChannelsLast(Graph& g, const std::vector<std::string>& nhwc_ops, bool exact_int8)
      : g_(g), nhwc_ops_(nhwc_ops), exact_int8_(exact_int8) {
    auto it = g.opsets.find("");
    opset_ = it == g.opsets.end() ? 13 : it->second;
  }

  size_t run() {
    // Wrapping and pushing alternate: a pooling op behind a Concat is known
    // to be 4-D only once the Concat has moved to NHWC.
    size_t wrapped = 0;
    for (int outer = 0; outer < 100; ++outer) {
      size_t now = wrap_layout_ops();
      if (now == 0) break;
      wrapped += now;
      for (int round = 0; round < 1000 && push_down_once(); ++round) {
      }
    }
    g_.rebuild_links();
    return wrapped;
  }

 private:
  ValueId new_value(const std::string& base, DataType dtype) {
    std::string name = base;
    for (int k = 1; g_.find_value(name); ++k) name = base + "_" + std::to_string(k);
    Value v;
    v.name = name;
    v.dtype = dtype;
    return g_.add_value(std::move(v));
  }

  // Appends Transpose(in) -> out with `perm`.
  void add_transpose(ValueId in, ValueId out, const std::vector<int64_t>& perm) {
    Node t;
    t.name = g_.value(out).name + "/transpose";
    t.op_type = "Transpose";
    t.opset = opset_;
    t.inputs = {in};
    t.num_explicit_inputs = 1;
    t.outputs = {out};
    t.attrs.set_ints("perm", perm);
    g_.nodes.push_back(std::move(t));
  }

  static bool is_transpose(const Node& n, const std::vector<int64_t>& perm) {
    if (n.removed || n.op_type != "Transpose" || !n.domain.empty()) return false;
    const Attribute* a = n.attrs.find("perm");
    return a && a->ints == perm;
  }

  // The channels-last op that replaces `n`, if it can.
  std::optional<std::string> nhwc_op(const Node& n) const {
    // A hostile Conv or pool may have no X at all; only a node with one is wrapped.
    if (!is_op_or_fused(n, n.op_type) || n.outputs.empty() || !n.outputs[0].valid() || n.inputs.empty() ||
        !n.inputs[0].valid())
      return std::nullopt;
    if (std::find(nhwc_ops_.begin(), nhwc_ops_.end(), n.op_type) == nhwc_ops_.end()) return std::nullopt;
    // Optional outputs beyond Y (MaxPool's Indices) keep the node in NCHW.
    for (size_t o = 1; o < n.outputs.size(); ++o)
      if (n.outputs[o].valid()) return std::nullopt;
    if (n.op_type == "Conv") {
      const Tensor* w = n.inputs.size() > 1 ? constant_of(g_, n.inputs[1]) : nullptr;
      if (!w || w->rank() != 4 || w->dtype() != DataType::kFloat32 || n.attrs.has("px_residual")) return std::nullopt;
      if (n.num_explicit_inputs > 2 && n.inputs[2].valid() && !constant_of(g_, n.inputs[2])) return std::nullopt;
      return "NhwcConv";
    }
    if (n.op_type == "QLinearConv") {
      if (!is_int8_nhwc_conv(g_, n, exact_int8_)) return std::nullopt;
      return "NhwcQLinearConv";
    }
    if (n.op_type == "ConvTranspose") {
      if (!is_tiling_conv_transpose(g_, n)) return std::nullopt;
      return "NhwcConvTranspose";
    }
    if (!input_is_4d(n.inputs[0])) return std::nullopt;  // pooling: only where the input is known to be 4-D
    if (n.op_type == "MaxPool") return "NhwcMaxPool";
    if (n.op_type == "AveragePool") {
      // ONNX and oneDNN disagree on how ceil_mode's extra cells count when padding is counted.
      auto ceil = n.attrs.get_int("ceil_mode", 0), cip = n.attrs.get_int("count_include_pad", 0);
      if (!ceil.is_ok() || !cip.is_ok() || (*ceil && *cip)) return std::nullopt;
      return "NhwcAveragePool";
    }
    if (n.op_type == "GlobalAveragePool") return "NhwcGlobalAveragePool";
    if (n.op_type == "BatchNormalization") {
      auto training = n.attrs.get_int("training_mode", 0), spatial = n.attrs.get_int("spatial", 1);
      if (!training.is_ok() || *training != 0 || !spatial.is_ok() || *spatial == 0 || n.num_explicit_inputs != 5)
        return std::nullopt;
      return "NhwcBatchNormalization";
    }
    return std::nullopt;
  }

  // Step 1: wrap Conv (4-D constant weights) and pooling ops in layout
  // transposes; repeated because a pooling op is known 4-D only once its
  // producer has been wrapped.
  size_t wrap_layout_ops() {
    size_t wrapped = 0;
    for (bool changed = true; changed;) {
      changed = false;
      g_.rebuild_links();
      const size_t count = g_.nodes.size();
      for (size_t i = 0; i < count; ++i) {
        if (g_.nodes[i].removed) continue;
        auto op = nhwc_op(g_.nodes[i]);
        if (!op) continue;
        ValueId x = g_.nodes[i].inputs[0], y = g_.nodes[i].outputs[0];
        ValueId x_nhwc = new_value(g_.value(x).name + "_nhwc", g_.value(x).dtype);
        ValueId y_nhwc = new_value(g_.value(y).name + "_nhwc", g_.value(y).dtype);
        Node& node = g_.nodes[i];
        node.inputs[0] = x_nhwc;
        node.outputs[0] = y_nhwc;
        node.op_type = *op;
        node.domain = "com.parallax";
        node.opset = 1;
        add_transpose(x, x_nhwc, kToNhwc);
        add_transpose(y_nhwc, y, kToNchw);
        ++wrapped;
        changed = true;
      }
    }
    g_.rebuild_links();
    return wrapped;
  }

  // True when `v` is known to be a 4-D float32 tensor (the NHWC pooling kernels' domain).
  bool input_is_4d(ValueId v) const {
    const Value& value = g_.value(v);
    if (value.declared_shape)
      return value.declared_shape->size() == 4 && value.dtype == DataType::kFloat32;
    // Produced by a "to NCHW" transpose of a float NHWC op: 4-D float by construction.
    return value.producer.valid() && is_transpose(g_.node(value.producer), kToNchw) &&
           (value.dtype == DataType::kFloat32 || value.dtype == DataType::kUndefined);
  }

  // The NHWC source of `v` if `v` is the output of a to-NCHW transpose.
  std::optional<ValueId> nhwc_source(ValueId v) const {
    if (!v.valid()) return std::nullopt;
    const Value& value = g_.value(v);
    if (!value.producer.valid()) return std::nullopt;
    const Node& p = g_.node(value.producer);
    if (!is_transpose(p, kToNchw)) return std::nullopt;
    return p.inputs[0];
  }

  // A constant broadcast against an NCHW tensor, rewritten for NHWC.
  std::optional<ValueId> nhwc_constant(ValueId v) {
    const Tensor* t = constant_of(g_, v);
    if (!t || t->rank() > 4) return std::nullopt;
    if (t->numel() == 1) return v;  // scalars broadcast the same way
    Shape s = t->shape();
    while (s.size() < 4) s.insert(s.begin(), 1);
    // Permute [N,C,H,W] -> [N,H,W,C] by copying (constants are small).
    Tensor out = Tensor::allocate(t->dtype(), {s[0], s[2], s[3], s[1]});
    const size_t es = element_size(t->dtype());
    const auto* src = static_cast<const std::byte*>(t->raw());
    auto* dst = static_cast<std::byte*>(out.raw());
    for (int64_t n = 0; n < s[0]; ++n)
      for (int64_t c = 0; c < s[1]; ++c)
        for (int64_t h = 0; h < s[2]; ++h)
          for (int64_t w = 0; w < s[3]; ++w) {
            int64_t from = ((n * s[1] + c) * s[2] + h) * s[3] + w;
            int64_t to = ((n * s[2] + h) * s[3] + w) * s[1] + c;
            std::memcpy(dst + to * static_cast<int64_t>(es), src + from * static_cast<int64_t>(es), es);
          }
    return add_constant(g_, g_.value(v).name + "_nhwc", std::move(out));
  }

  // A 1-D per-axis parameter of length 4 (or 8 = starts and ends, Resize's
  // roi) reordered from NCHW axes to NHWC axes.
  std::optional<ValueId> permute_axes_param(ValueId v, const Tensor& t) {
    if (t.rank() != 1 || (t.numel() != 4 && t.numel() != 8)) return std::nullopt;
    Tensor out = Tensor::allocate(t.dtype(), t.shape());
    const size_t es = element_size(t.dtype());
    const auto* src = static_cast<const std::byte*>(t.raw());
    auto* dst = static_cast<std::byte*>(out.raw());
    for (int64_t half = 0; half < t.numel() / 4; ++half)
      for (int64_t a = 0; a < 4; ++a)
        std::memcpy(dst + static_cast<size_t>(half * 4 + a) * es, src + static_cast<size_t>(half * 4 + kToNhwc[a]) * es, es);
    return add_constant(g_, g_.value(v).name + "_nhwc", std::move(out));
  }

  // Rewrites consumer `c` to take NHWC inputs; returns false if it cannot.
  bool rewrite_consumer(size_t ci) {
    Node& c = g_.nodes[ci];
    if (c.removed || c.outputs.empty() || !c.outputs[0].valid()) return false;
    std::vector<ValueId> new_inputs = c.inputs;
    bool any = false;
    if (is_unary_elementwise(c) || is_clip_with_constant_bounds(g_, c) || is_per_tensor_quantization(g_, c)) {
      auto src = nhwc_source(c.inputs[0]);
      if (!src) return false;
      new_inputs[0] = *src;
      any = true;
    } else if (is_binary_elementwise(c)) {
      for (size_t k = 0; k < 2; ++k) {
        if (auto src = nhwc_source(c.inputs[k])) {
          new_inputs[k] = *src;
          any = true;
        } else if (auto cst = nhwc_constant(c.inputs[k])) {
          new_inputs[k] = *cst;
        } else {
          return false;
        }
      }
    } else if (c.op_type == "Resize" && c.domain.empty()) {
      // Per-axis parameters (roi, scales, sizes) follow the axes to NHWC.
      auto src = nhwc_source(c.inputs[0]);
      if (!src) return false;
      new_inputs[0] = *src;
      for (size_t k = 1; k < c.num_explicit_inputs; ++k) {
        if (!c.inputs[k].valid()) continue;
        const Tensor* t = constant_of(g_, c.inputs[k]);
        if (!t) return false;
        if (t->numel() == 0) continue;  // an empty roi / scales means "not given"
        auto permuted = permute_axes_param(c.inputs[k], *t);
        if (!permuted) return false;
        new_inputs[k] = *permuted;
      }
      any = true;
    } else if (c.op_type == "Concat" && c.domain.empty()) {
      for (size_t k = 0; k < c.num_explicit_inputs; ++k) {
        auto src = nhwc_source(c.inputs[k]);
        if (!src) return false;
        new_inputs[k] = *src;
      }
      any = true;
    } else if (c.op_type == "Split" && c.domain.empty()) {
      // YOLO's C2f blocks split the channels between their convolutions;
      // split sizes (input 1 or the attribute) are along the axis and stay.
      auto src = nhwc_source(c.inputs[0]);
      if (!src) return false;
      new_inputs[0] = *src;
      any = true;
    } else if (is_transpose(c, kToNhwc)) {
      // Transpose meets its inverse: readers of c's output read the NHWC source.
      auto src = nhwc_source(c.inputs[0]);
      if (!src) return false;
      if (!replace_uses(g_, c.outputs[0], *src)) return false;
      g_.nodes[ci].removed = true;
      return true;
    } else {
      return false;
    }
    if (!any) return false;

    Node& node = g_.nodes[ci];
    if (node.op_type == "Concat" || node.op_type == "Split") {
      // Concat names its axis; Split's defaults to 0.
      auto axis = node.op_type == "Concat" ? node.attrs.get_int("axis") : node.attrs.get_int("axis", 0);
      if (!axis.is_ok()) return false;
      node.attrs.set_int("axis", nhwc_axis(*axis));
    }
    node.inputs = new_inputs;
    // Every output becomes NHWC behind a transpose back (Split has several).
    for (size_t k = 0; k < g_.nodes[ci].outputs.size(); ++k) {
      ValueId y = g_.nodes[ci].outputs[k];
      if (!y.valid()) continue;
      ValueId y_nhwc = new_value(g_.value(y).name + "_nhwc", g_.value(y).dtype);
      g_.nodes[ci].outputs[k] = y_nhwc;
      add_transpose(y_nhwc, y, kToNchw);
    }
    return true;
  }

  bool push_down_once() {
    g_.rebuild_links();
    bool changed = false;
    const size_t count = g_.nodes.size();
    for (size_t i = 0; i < count; ++i) {
      if (!is_transpose(g_.nodes[i], kToNchw)) continue;
      ValueId out = g_.nodes[i].outputs[0];
      std::vector<NodeId> consumers = g_.value(out).consumers;
      for (NodeId c : consumers) {
        if (g_.node(c).removed) continue;
        if (rewrite_consumer(c.index())) changed = true;
      }
      g_.rebuild_links();
      if (g_.value(out).consumers.empty() && !g_.value(out).is_graph_output) g_.nodes[i].removed = true;
    }
    return changed;
  }

  Graph& g_;
  const std::vector<std::string>& nhwc_ops_;
  int opset_ = 13;
  bool exact_int8_ = false;
};

}  // namespace

size_t to_channels_last(Graph& g, const std::vector<std::string>& nhwc_ops, bool exact_int8) {
  return ChannelsLast(g, nhwc_ops, exact_int8).run();
}

}  // namespace parallax::passes
