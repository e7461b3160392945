// Pad (constant zeros, spatial dims only) -> AveragePool without pads of its
// own becomes one AveragePool with those pads and count_include_pad = 1:
// every window of the padded tensor is whole, so dividing by the kernel size
// with the zeros counted is what the pooling over the padded tensor did.
// torchvision's Inception exports avg_pool2d(3, 1, padding=1) this way; as
// a Pad the pooling stayed channels-first, with a transpose on each side
// and a padded copy (inception_v3: 4.9 ms of 44 per run at 2 threads,
// against ONNX Runtime's 0.5 ms for its pooling).
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

// The Pad's pads (begin..., end...) if it pads with constant zeros.
std::optional<std::vector<int64_t>> zero_pads(const Graph& g, const Node& pad) {
  auto mode = pad.attrs.get_string("mode", "constant");
  if (!mode.is_ok() || *mode != "constant") return std::nullopt;
  if (pad.opset < 11) {
    auto value = pad.attrs.get_float("value", 0.0f);
    auto pads = pad.attrs.get_ints("pads");
    if (!value.is_ok() || *value != 0.0f || !pads.is_ok()) return std::nullopt;
    return *pads;
  }
  if (pad.num_explicit_inputs < 2 || pad.num_explicit_inputs > 3) return std::nullopt;  // no axes (opset 18)
  if (pad.num_explicit_inputs == 3 && pad.inputs[2].valid()) {
    const Tensor* v = constant_of(g, pad.inputs[2]);
    if (!v || v->numel() != 1 || v->dtype() != DataType::kFloat32 || v->data<float>()[0] != 0.0f) return std::nullopt;
  }
  const Tensor* p = constant_of(g, pad.inputs[1]);
  if (!p || p->dtype() != DataType::kInt64) return std::nullopt;
  return std::vector<int64_t>(p->data<int64_t>(), p->data<int64_t>() + p->numel());
}

bool no_pads_of_its_own(const Node& pool) {
  auto auto_pad = pool.attrs.get_string("auto_pad", "NOTSET");
  auto pads = pool.attrs.get_ints("pads", std::vector<int64_t>{});
  auto ceil = pool.attrs.get_int("ceil_mode", 0);
  if (!auto_pad.is_ok() || *auto_pad != "NOTSET" || !pads.is_ok() || !ceil.is_ok() || *ceil != 0) return false;
  for (int64_t v : *pads)
    if (v != 0) return false;
  return true;
}

}  // namespace

size_t fold_pad_into_average_pool(Graph& g) {
  size_t folded = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& pad = g.nodes[i];
    if (!is_op(pad, "Pad") || pad.outputs.size() != 1) continue;
    auto pool_id = sole_consumer(g, pad.outputs[0]);
    if (!pool_id) continue;
    Node& pool = g.node(*pool_id);
    if (!is_op(pool, "AveragePool") || pool.inputs[0] != pad.outputs[0] || !no_pads_of_its_own(pool)) continue;
    auto kernel = pool.attrs.get_ints("kernel_shape");
    auto pads = zero_pads(g, pad);
    if (!kernel.is_ok() || !pads) continue;
    // pads = [begin of each of the rank dims, end of each]; rank = 2 + spatial.
    const size_t spatial = kernel->size(), rank = spatial + 2;
    if (pads->size() != 2 * rank) continue;
    bool ok = (*pads)[0] == 0 && (*pads)[1] == 0 && (*pads)[rank] == 0 && (*pads)[rank + 1] == 0;
    std::vector<int64_t> pool_pads;
    for (size_t side = 0; side < 2 && ok; ++side)
      for (size_t d = 2; d < rank; ++d) {
        const int64_t v = (*pads)[side * rank + d];
        ok = ok && v >= 0;
        pool_pads.push_back(v);
      }
    if (!ok) continue;
    pool.attrs.set_ints("pads", pool_pads);
    pool.attrs.set_int("count_include_pad", 1);
    pool.inputs[0] = pad.inputs[0];
    g.node(NodeId(i)).removed = true;
    g.rebuild_links();
    ++folded;
  }
  return folded;
}

}  // namespace parallax::passes
