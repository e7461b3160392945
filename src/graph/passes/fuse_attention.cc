// Scaled dot-product attention as exporters write it,
//
//   MatMul(Q, Kt) [-> Mul(s) | Div(s)] [-> Add(bias)] -> Softmax(last axis)
//     -> MatMul(., V)
//
// and quantize_static's round trips (com.parallax.QuantizeDequantize, after
// fuse_quantize_round_trip) on the scores and the probabilities taken as
// attributes, with s a scalar constant and bias any tensor (a causal mask, a relative
// position bias), becomes one com.parallax.SoftmaxAttention(Q, Kt, V
// [, bias]) with scale = s (or 1 / s): kernels/cpu/softmax_attention.cc computes
// the scores a block of rows at a time in cache instead of writing all of
// them to memory and reading them back twice. The scores and probabilities
// must have no other reader. Masks applied otherwise (distilbert's Where)
// keep their nodes.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

bool plain_matmul(const Node& n) {
  return is_op(n, "MatMul") && n.num_explicit_inputs == 2 && n.outputs.size() == 1 && n.outputs[0].valid() &&
         !n.attrs.has("px_activation") && !n.attrs.has("px_residual") && !n.attrs.has("px_bias");
}

// If `v`'s only reader is such a round trip, its parameters, and `v` moves
// to the round trip's output (its node joins `dead`).
std::optional<std::vector<float>> take_round_trip(const Graph& g, ValueId& v, std::vector<NodeId>& dead) {
  auto next = sole_consumer(g, v);
  if (!next) return std::nullopt;
  const Node& n = g.node(*next);
  auto p = round_trip_params(g, n);
  if (!p || n.inputs[0] != v || n.outputs.size() != 1 || !n.outputs[0].valid()) return std::nullopt;
  dead.push_back(*next);
  v = n.outputs[0];
  return p;
}

// The rank of `v` where the model declares its shape.
std::optional<size_t> declared_rank(const Graph& g, ValueId v) {
  const auto& s = g.value(v).declared_shape;
  return s ? std::optional<size_t>(s->size()) : std::nullopt;
}

// Whether `softmax` runs over the last axis of its input (`scores`, the
// product of q and kt): axis -1, or an axis known to be the last one.
bool over_last_axis(const Graph& g, const Node& softmax, ValueId scores, ValueId q, ValueId kt) {
  auto axis = softmax.attrs.get_int("axis", softmax.opset < 13 ? 1 : -1);
  if (!axis.is_ok()) return false;
  if (*axis == -1) return true;
  std::optional<size_t> rank = declared_rank(g, scores);
  if (!rank) rank = declared_rank(g, softmax.outputs[0]);
  if (!rank) {
    auto rq = declared_rank(g, q), rk = declared_rank(g, kt);
    if (rq && rk && *rq >= 2 && *rk >= 2) rank = std::max(*rq, *rk);
  }
  return rank && *axis == static_cast<int64_t>(*rank) - 1;
}

}  // namespace

size_t fuse_attention(Graph& g) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& qk = g.nodes[i];
    if (!plain_matmul(qk)) continue;
    std::vector<NodeId> dead = {NodeId(i)};
    ValueId scores = qk.outputs[0];
    float scale = 1.0f;
    auto next = sole_consumer(g, scores);
    if (!next) continue;
    const Node* n = &g.node(*next);
    if ((is_op(*n, "Mul") || is_op(*n, "Div")) && n->num_explicit_inputs == 2) {
      auto other = other_input(*n, scores);
      const float c = other ? scalar_constant(g, *other).value_or(0.0f) : 0.0f;  // 0: not a scale
      const bool divides = is_op(*n, "Div");
      if (c == 0.0f || (divides && n->inputs[0] != scores)) continue;
      scale = divides ? 1.0f / c : c;
      dead.push_back(*next);
      scores = n->outputs[0];
      next = sole_consumer(g, scores);
      if (!next) continue;
      n = &g.node(*next);
    }
    std::optional<ValueId> bias;
    if (is_op(*n, "Add") && n->num_explicit_inputs == 2) {
      bias = other_input(*n, scores);
      if (!bias || *bias == scores) continue;
      dead.push_back(*next);
      scores = n->outputs[0];
      next = sole_consumer(g, scores);
      if (!next) continue;
      n = &g.node(*next);
    }
    const auto scores_qdq = take_round_trip(g, scores, dead);
    if (scores_qdq) {
      next = sole_consumer(g, scores);
      if (!next) continue;
      n = &g.node(*next);
    }
    if (!is_op(*n, "Softmax") || n->num_explicit_inputs != 1 || n->outputs.size() != 1 || !n->outputs[0].valid())
      continue;
    if (!over_last_axis(g, *n, scores, qk.inputs[0], qk.inputs[1])) continue;
    dead.push_back(*next);
    ValueId probs = n->outputs[0];
    const auto probs_qdq = take_round_trip(g, probs, dead);
    auto av_id = sole_consumer(g, probs);
    if (!av_id) continue;
    const Node& av = g.node(*av_id);
    if (!plain_matmul(av) || av.inputs[0] != probs || av.inputs[1] == probs) continue;
    dead.push_back(*av_id);

    Node attn;
    attn.name = av.name + "/attention";
    attn.op_type = "SoftmaxAttention";
    attn.domain = "com.parallax";
    attn.opset = 1;
    attn.inputs = {qk.inputs[0], qk.inputs[1], av.inputs[1]};
    if (bias) attn.inputs.push_back(*bias);
    attn.num_explicit_inputs = attn.inputs.size();
    attn.outputs = {av.outputs[0]};
    attn.attrs.set_float("scale", scale);
    if (scores_qdq) attn.attrs.set_floats("scores_qdq", *scores_qdq);
    if (probs_qdq) attn.attrs.set_floats("probs_qdq", *probs_qdq);
    // In the place of the last MatMul, not appended: the sort keeps the
    // original order where it can, and an appended attention would run after
    // every node it does not feed (in whisper's decoder, all four layers'
    // cross-attention keys and values were computed first and held: arena
    // 6.6 -> 19.8 MiB).
    for (NodeId d : dead)
      if (d != *av_id) g.node(d).removed = true;
    g.node(*av_id) = std::move(attn);
    g.rebuild_links();
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
