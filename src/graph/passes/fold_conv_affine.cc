// Conv followed by Mul and/or Add of per-channel constants (Paddle exports
// Conv without bias, then BatchNorm as Mul [1, M, 1, 1] and Add [1, M, 1, 1])
// becomes one Conv with scaled weights and a bias:
//   Mul by c: W' = W * c[m], b' = b * c[m];   Add c: b' = b + c[m].
#include "graph/passes/pass_util.h"

namespace parallax::passes {

size_t fold_conv_affine(Graph& g) {
  size_t folded = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    // Each fold may expose the next (Mul, then Add): retry this Conv.
    for (bool again = true; again;) {
      again = false;
      Node& conv = g.nodes[i];
      if (conv.removed || conv.op_type != "Conv" || !conv.domain.empty() || conv.outputs.size() != 1) break;
      if (conv.attrs.has("px_activation") || conv.attrs.has("px_residual")) break;
      const Tensor* w = conv.inputs.size() > 1 ? constant_of(g, conv.inputs[1]) : nullptr;
      if (!w || w->dtype() != DataType::kFloat32 || w->rank() < 3) break;
      const int64_t m = w->dim(0);
      const bool has_bias = conv.num_explicit_inputs > 2 && conv.inputs[2].valid();
      const Tensor* b = has_bias ? constant_of(g, conv.inputs[2]) : nullptr;
      if (has_bias && (!b || b->dtype() != DataType::kFloat32 || b->numel() != m)) break;
      auto next = sole_consumer(g, conv.outputs[0]);
      if (!next) break;
      const Node& add = g.node(*next);
      const bool is_mul = add.op_type == "Mul";
      if (add.removed || (add.op_type != "Add" && !is_mul) || !add.domain.empty() || add.num_explicit_inputs != 2)
        break;
      const ValueId other = add.inputs[0] == conv.outputs[0] ? add.inputs[1] : add.inputs[0];
      if (other == conv.outputs[0]) break;
      const Tensor* c = constant_of(g, other);
      if (!c || c->dtype() != DataType::kFloat32 || c->rank() > w->rank()) break;
      // A scalar (any rank of ones) or per-channel along axis 1 of the
      // rank-(2 + spatial) output: [M, 1.., 1], optionally led by ones.
      const bool scalar = c->numel() == 1;
      if (!scalar) {
        if (c->numel() != m) break;
        const size_t spatial = w->rank() - 2;
        Shape s = c->shape();
        while (!s.empty() && s.front() == 1 && s.size() > spatial + 1) s.erase(s.begin());
        bool per_channel = s.size() == spatial + 1 && s[0] == m;
        for (size_t k = 1; per_channel && k < s.size(); ++k) per_channel = s[k] == 1;
        if (!per_channel) break;
      }
      auto coef = [&](int64_t k) { return c->data<float>()[scalar ? 0 : k]; };

      Tensor bias = Tensor::allocate(DataType::kFloat32, {m});
      Node& cv = g.nodes[i];
      if (is_mul) {
        Tensor w2 = Tensor::allocate(DataType::kFloat32, w->shape());
        const int64_t per = w->numel() / m;
        for (int64_t k = 0; k < m; ++k)
          for (int64_t j = 0; j < per; ++j) w2.data<float>()[k * per + j] = w->data<float>()[k * per + j] * coef(k);
        for (int64_t k = 0; k < m; ++k) bias.data<float>()[k] = (b ? b->data<float>()[k] : 0.0f) * coef(k);
        cv.inputs[1] = add_constant(g, g.value(cv.inputs[1]).name + "_scaled", std::move(w2));
      } else {
        for (int64_t k = 0; k < m; ++k) bias.data<float>()[k] = (b ? b->data<float>()[k] : 0.0f) + coef(k);
      }
      ValueId bid = add_constant(g, g.value(cv.inputs[1]).name + "_bias_folded", std::move(bias));
      Node& conv2 = g.nodes[i];
      conv2.inputs.resize(3);
      conv2.inputs[2] = bid;
      conv2.num_explicit_inputs = 3;
      conv2.outputs[0] = g.node(*next).outputs[0];
      g.node(*next).removed = true;
      g.rebuild_links();
      ++folded;
      again = true;
    }
  }
  return folded;
}

}  // namespace parallax::passes
