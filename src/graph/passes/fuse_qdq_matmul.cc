// quantize_static's QDQ MatMul and Gemm,
//
//   DequantizeLinear(a_q) , DequantizeLinear(W_q) [, DequantizeLinear(bias_q)]
//     -> MatMul / Gemm [-> Relu] -> QuantizeLinear -> y_q
//
// becomes QLinearMatMul(a_q, a_scale, a_zp, W_q, w_scale, w_zp, y_scale,
// y_zp) (kernels/cpu/q_linear_mat_mul.cc: oneDNN's int8 GEMM, requantising
// inside) instead of float copies of a and W, a float GEMM and a
// quantization. A Gemm's bias and a Relu make it com.parallax.QLinearMatMul,
// which takes the int32 bias as input 8 (QLinearConv's convention, the bias
// added to the accumulator before scaling, as the QDQ graph's float sum of
// a_scale * w_scale multiples is) and the Relu as px_activation: ONNX's
// QLinearMatMul has neither, and a separate int32 Add would cost a pass over
// the output. A Gemm with transB has its constant weight transposed here to
// [K, N], so the kernel sees one layout.
//
// Where no QuantizeLinear follows (a float consumer, a graph output) the
// MatMul becomes com.parallax.MatMulIntegerToFloat
// (kernels/cpu/mat_mul_integer_to_float.cc, the dynamic quantization's GEMM
// with a float result), the bias dequantized into a float constant.
//
// Quantization parameters must be constants; a and y per tensor with zero
// points, W int8 2-D with zero point 0, per tensor or per output column;
// the bias's scale must be a_scale * w_scale (as quantizers write it); a
// Gemm must have transA = 0 and alpha = beta = 1.
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

// Per tensor, float32 scale, a uint8/int8 zero point given.
bool per_tensor_8bit(const Graph& g, const Node& n) {
  if (!constant_params(g, n) || n.num_explicit_inputs < 3 || !n.inputs[2].valid()) return false;
  const Tensor* s = constant_of(g, n.inputs[1]);
  const Tensor* z = constant_of(g, n.inputs[2]);
  return s->numel() == 1 && s->dtype() == DataType::kFloat32 && z->numel() == 1 &&
         (z->dtype() == DataType::kUInt8 || z->dtype() == DataType::kInt8);
}

bool all_zero(const Tensor& t) {
  for (int64_t k = 0; k < t.numel(); ++k)
    if ((t.dtype() == DataType::kInt8 && t.data<int8_t>()[k] != 0) ||
        (t.dtype() == DataType::kInt32 && t.data<int32_t>()[k] != 0) ||
        (t.dtype() != DataType::kInt8 && t.dtype() != DataType::kInt32))
      return false;
  return true;
}

// The weight side, checked and laid out as [K, N].
struct Weight {
  Tensor q;  // int8 [K, N]
  ValueId scale;
  ValueId zero_point;  // invalid: none given
  std::vector<float> scales;
};

std::optional<Weight> weight(const Graph& g, const Node& dw, bool trans_b, bool exact_int8) {
  if (!constant_params(g, dw)) return std::nullopt;
  const Tensor* w = constant_of(g, dw.inputs[0]);
  const Tensor* ws = constant_of(g, dw.inputs[1]);
  if (!w || w->dtype() != DataType::kInt8 || w->rank() != 2 || ws->dtype() != DataType::kFloat32) return std::nullopt;
  if (exact_int8 && int8_weights_may_saturate(*w)) return std::nullopt;  // the plain graph is exact
  const int64_t n = trans_b ? w->dim(0) : w->dim(1), k = trans_b ? w->dim(1) : w->dim(0);
  if (ws->numel() != 1) {
    // Per output column: axis 1 of [K, N], axis 0 of a transposed [N, K].
    auto axis = dw.attrs.get_int("axis", 1);
    if (!axis.is_ok() || ws->rank() != 1 || ws->numel() != n) return std::nullopt;
    const int64_t a = *axis < 0 ? *axis + 2 : *axis;
    if (a != (trans_b ? 0 : 1)) return std::nullopt;
  }
  Weight out;
  if (dw.num_explicit_inputs > 2 && dw.inputs[2].valid()) {
    if (!all_zero(*constant_of(g, dw.inputs[2]))) return std::nullopt;
    out.zero_point = dw.inputs[2];
  }
  out.scale = dw.inputs[1];
  out.scales.assign(ws->data<float>(), ws->data<float>() + ws->numel());
  if (!trans_b) {
    out.q = *w;
  } else {
    out.q = Tensor::allocate(DataType::kInt8, {k, n});
    const int8_t* src = w->data<int8_t>();
    int8_t* dst = out.q.data<int8_t>();
    for (int64_t r = 0; r < k; ++r)
      for (int64_t c = 0; c < n; ++c) dst[r * n + c] = src[c * k + r];
  }
  return out;
}

// The int32 bias behind a Gemm's C, if its scale is a_scale * w_scale[n] and
// its zero point 0; `dequantized` gets its float values (as DequantizeLinear
// computes them).
std::optional<Tensor> int_bias(const Graph& g, const Node& db, float a_scale, const std::vector<float>& w_scales,
                               int64_t n, std::vector<float>& dequantized) {
  if (!is_op(db, "DequantizeLinear") || !constant_params(g, db)) return std::nullopt;
  const Tensor* bq = constant_of(g, db.inputs[0]);
  const Tensor* bs = constant_of(g, db.inputs[1]);
  if (!bq || bq->dtype() != DataType::kInt32 || bq->numel() != n || bs->dtype() != DataType::kFloat32 ||
      (bs->numel() != 1 && bs->numel() != n))
    return std::nullopt;
  if (db.num_explicit_inputs > 2 && db.inputs[2].valid() && !all_zero(*constant_of(g, db.inputs[2])))
    return std::nullopt;
  dequantized.resize(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    const float want = a_scale * w_scales[w_scales.size() == 1 ? 0 : static_cast<size_t>(k)];
    const float have = bs->data<float>()[bs->numel() == 1 ? 0 : k];
    if (std::fabs(have - want) > 1e-6f * std::fabs(want)) return std::nullopt;
    dequantized[static_cast<size_t>(k)] = static_cast<float>(bq->data<int32_t>()[k]) * have;
  }
  Tensor flat = Tensor::allocate(DataType::kInt32, {n});
  std::copy_n(bq->data<int32_t>(), n, flat.data<int32_t>());
  return flat;
}

bool plain_gemm(const Node& gemm) {
  auto ta = gemm.attrs.get_int("transA", 0);
  auto alpha = gemm.attrs.get_float("alpha", 1.0f);
  auto beta = gemm.attrs.get_float("beta", 1.0f);
  return ta.is_ok() && *ta == 0 && alpha.is_ok() && *alpha == 1.0f && beta.is_ok() && *beta == 1.0f;
}

}  // namespace

size_t fuse_qdq_matmul(Graph& g, bool exact_int8) {
  size_t fused = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& mm = g.nodes[i];
    const bool gemm = is_op(mm, "Gemm");
    if ((!gemm && !is_op(mm, "MatMul")) || mm.num_explicit_inputs < 2 || mm.outputs.size() != 1) continue;
    if (gemm && !plain_gemm(mm)) continue;
    const Node* da = live_producer(g, mm.inputs[0]);
    const Node* dw = live_producer(g, mm.inputs[1]);
    if (!da || !dw || !is_op(*da, "DequantizeLinear") || !is_op(*dw, "DequantizeLinear")) continue;
    if (!per_tensor_8bit(g, *da) || constant_of(g, da->inputs[0])) continue;
    auto tb = mm.attrs.get_int("transB", 0);
    if (gemm && !tb.is_ok()) continue;
    const bool trans_b = gemm && *tb != 0;
    auto w = weight(g, *dw, trans_b, exact_int8);
    if (!w) continue;
    const int64_t n = w->q.dim(1);
    const float a_scale = constant_of(g, da->inputs[1])->data<float>()[0];
    const bool a_u8 = constant_of(g, da->inputs[2])->dtype() == DataType::kUInt8;
    std::optional<Tensor> bias;
    std::vector<float> bias_f;
    const Node* db = nullptr;
    if (gemm && mm.num_explicit_inputs > 2 && mm.inputs[2].valid()) {
      db = live_producer(g, mm.inputs[2]);
      if (!db || !(bias = int_bias(g, *db, a_scale, w->scales, n, bias_f))) continue;
    }
    // [Relu ->] QuantizeLinear behind, or a float result.
    std::optional<NodeId> relu;
    const auto after = quantize_after(g, mm.outputs[0], relu);
    const bool requantize = after && per_tensor_8bit(g, g.node(*after));
    const NodeId q_id = requantize ? *after : NodeId();
    if (!requantize) {
      relu.reset();
      // The float GEMM's oneDNN path reads uint8 activations only.
      if (!a_u8) continue;
    }

    const std::string base = mm.name.empty() ? mm.outputs[0].valid() ? g.value(mm.outputs[0]).name : "mm" : mm.name;
    ValueId a = da->inputs[0], as = da->inputs[1], az = da->inputs[2];
    ValueId wq = trans_b ? add_constant(g, base + "_weight_kn", std::move(w->q)) : dw->inputs[0];
    ValueId wz = w->zero_point.valid() ? w->zero_point
                                       : add_constant(g, base + "_w_zero_point", Tensor::allocate(DataType::kInt8, {}));
    Node f;
    f.name = base + "/int8";
    f.opset = 1;
    if (requantize) {
      const Node& q = g.node(q_id);
      const bool extended = bias || relu;
      f.op_type = "QLinearMatMul";
      f.domain = extended ? "com.parallax" : "";
      f.opset = extended ? 1 : std::max(mm.opset, 10);
      f.inputs = {a, as, az, wq, w->scale, wz, q.inputs[1], q.inputs[2]};
      if (bias) f.inputs.push_back(add_constant(g, base + "_bias_i32", std::move(*bias)));
      f.outputs = {q.outputs[0]};
      if (relu) set_activation(f, "Relu");
    } else {
      f.op_type = "MatMulIntegerToFloat";
      f.domain = "com.parallax";
      f.inputs = {a, wq, as, w->scale, az, wz};
      if (bias) {
        Tensor t = Tensor::allocate(DataType::kFloat32, {n});
        std::copy(bias_f.begin(), bias_f.end(), t.data<float>());
        f.inputs.push_back(add_constant(g, base + "_bias_f32", std::move(t)));
      }
      f.outputs = {g.nodes[i].outputs[0]};
    }
    f.num_explicit_inputs = f.inputs.size();
    // add_constant may have moved the values, not the nodes: mm is still valid.
    std::vector<NodeId> dead = {NodeId(i)};
    if (requantize) dead.push_back(q_id);
    if (relu) dead.push_back(*relu);
    const Node& m = g.nodes[i];
    if (live_readers(g, m.inputs[0]) == 1) dead.push_back(g.value(m.inputs[0]).producer);
    if (m.inputs[1] != m.inputs[0] && live_readers(g, m.inputs[1]) == 1) dead.push_back(g.value(m.inputs[1]).producer);
    if (db && live_readers(g, m.inputs[2]) == 1) dead.push_back(g.value(m.inputs[2]).producer);
    replace_nodes(g, dead, std::move(f));
    ++fused;
  }
  return fused;
}

}  // namespace parallax::passes
