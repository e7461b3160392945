// quantize_static's QDQ Conv,
//
//   DequantizeLinear(x_q) , DequantizeLinear(W_q) , DequantizeLinear(B_q)
//     -> Conv [-> Relu] -> QuantizeLinear -> y_q
//
// becomes one QLinearConv(x_q, x_scale, x_zp, W_q, w_scale, w_zp, y_scale,
// y_zp, B_q) (kernels/cpu/q_linear_conv.cc): oneDNN's int8 convolution
// reads the uint8 input and writes the uint8 output, requantising inside,
// instead of a float copy of each and a float convolution. A Relu between
// the Conv and the QuantizeLinear becomes px_activation. Quantization
// parameters must be constants; x and y per tensor, W per tensor or per
// output channel; the bias's scale must be x_scale * w_scale (as quantizers
// write it) since QLinearConv has no bias scale of its own.
#include <cmath>

#include "core/int8_dot.h"
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

// A DequantizeLinear / QuantizeLinear whose scale and zero point are constants.
bool constant_params(const Graph& g, const Node& n) {
  if (n.num_explicit_inputs < 2 || !constant_of(g, n.inputs[1])) return false;
  return n.num_explicit_inputs < 3 || !n.inputs[2].valid() || constant_of(g, n.inputs[2]);
}

bool per_tensor(const Graph& g, const Node& n) {
  if (constant_of(g, n.inputs[1])->numel() != 1) return false;
  return n.num_explicit_inputs < 3 || !n.inputs[2].valid() || constant_of(g, n.inputs[2])->numel() == 1;
}

}  // namespace

size_t fuse_qdq_conv(Graph& g, bool exact_int8) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& conv = g.nodes[i];
    if (!is_op(conv, "Conv") || conv.num_explicit_inputs < 2 || conv.outputs.size() != 1) continue;
    const Node* dx = live_producer(g, conv.inputs[0]);
    const Node* dw = live_producer(g, conv.inputs[1]);
    if (!dx || !dw || !is_op(*dx, "DequantizeLinear") || !is_op(*dw, "DequantizeLinear")) continue;
    if (!constant_params(g, *dx) || !per_tensor(g, *dx) || !constant_params(g, *dw)) continue;
    if (dx->num_explicit_inputs < 3 || !dx->inputs[2].valid()) continue;  // x's type comes with its zero point
    const Tensor* w = constant_of(g, dw->inputs[0]);
    if (!w || w->dtype() != DataType::kInt8 || w->rank() != 4) continue;
    if (exact_int8 && int8_weights_may_saturate(*w)) continue;  // the plain graph is exact
    const Tensor* ws = constant_of(g, dw->inputs[1]);
    if (ws->numel() != 1) {
      auto axis = dw->attrs.get_int("axis", 1);
      if (!axis.is_ok() || (*axis != 0 && *axis != -4) || ws->numel() != w->dim(0)) continue;
    }
    // The bias: int32 with scale x_scale * w_scale.
    ValueId bias;
    const Node* db = nullptr;
    if (conv.num_explicit_inputs > 2 && conv.inputs[2].valid()) {
      db = live_producer(g, conv.inputs[2]);
      if (!db || !is_op(*db, "DequantizeLinear") || !constant_params(g, *db)) continue;
      const Tensor* bq = constant_of(g, db->inputs[0]);
      const Tensor* bs = constant_of(g, db->inputs[1]);
      const Tensor* xs = constant_of(g, dx->inputs[1]);
      if (!bq || bq->dtype() != DataType::kInt32 || bq->numel() != w->dim(0) || bs->dtype() != DataType::kFloat32 ||
          xs->dtype() != DataType::kFloat32 || ws->dtype() != DataType::kFloat32)
        continue;
      if (db->num_explicit_inputs > 2 && db->inputs[2].valid()) {
        const Tensor* bz = constant_of(g, db->inputs[2]);
        bool zero = true;
        for (int64_t k = 0; k < bz->numel() && zero; ++k)
          zero = bz->dtype() == DataType::kInt32 && bz->data<int32_t>()[k] == 0;
        if (!zero) continue;
      }
      bool matches = bs->numel() == ws->numel() || bs->numel() == 1;
      for (int64_t k = 0; k < w->dim(0) && matches; ++k) {
        const float want = xs->data<float>()[0] * ws->data<float>()[ws->numel() == 1 ? 0 : k];
        const float have = bs->data<float>()[bs->numel() == 1 ? 0 : k];
        matches = std::fabs(have - want) <= 1e-6f * std::fabs(want);
      }
      if (!matches) continue;
      bias = db->inputs[0];
    }
    // Conv [-> Relu] -> QuantizeLinear.
    std::optional<NodeId> relu;
    const auto next = quantize_after(g, conv.outputs[0], relu);
    if (!next) continue;
    const Node& q = g.node(*next);
    if (!constant_params(g, q) || !per_tensor(g, q) || q.num_explicit_inputs < 3 ||
        !q.inputs[2].valid())
      continue;

    Node f;
    f.name = conv.name + "/int8";
    f.op_type = "QLinearConv";
    f.opset = conv.opset;
    f.attrs = conv.attrs;
    ValueId w_zp = dw->num_explicit_inputs > 2 ? dw->inputs[2] : ValueId();
    if (!w_zp.valid()) w_zp = add_constant(g, conv.name + "_w_zero_point", Tensor::allocate(DataType::kInt8, {}));
    f.inputs = {dx->inputs[0], dx->inputs[1], dx->inputs[2], dw->inputs[0],
                dw->inputs[1], w_zp,          q.inputs[1],   q.inputs[2]};
    if (bias.valid()) f.inputs.push_back(bias);
    f.num_explicit_inputs = f.inputs.size();
    f.outputs = {q.outputs[0]};
    if (relu) set_activation(f, "Relu");
    std::vector<NodeId> dead = {NodeId(i), *next};
    if (relu) dead.push_back(*relu);
    const NodeId dx_id = g.value(conv.inputs[0]).producer, dw_id = g.value(conv.inputs[1]).producer;
    if (live_readers(g, conv.inputs[0]) == 1) dead.push_back(dx_id);
    if (live_readers(g, conv.inputs[1]) == 1) dead.push_back(dw_id);
    if (db && live_readers(g, conv.inputs[2]) == 1) dead.push_back(g.value(conv.inputs[2]).producer);
    replace_nodes(g, dead, std::move(f));
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
