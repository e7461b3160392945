// com.parallax.QLinearSwish(X, X_scale, X_zero_point?, Y_scale, Y_zero_point?),
// optional attribute sigmoid_qdq = [scale, lowest - zero point, max - zero
// point]: SiLU between two quantized tensors as quantize_static writes it,
//
//   x = DequantizeLinear(X);  Y = QuantizeLinear(x * [round trip](Sigmoid(x)))
//
// (graph/passes/fuse_qdq_swish.cc). With y_dequantized = 1, Y is the float
// of that quantized value (the chain ended in a QuantizeDequantize round trip
// before a float op). X has 256 possible values, so the chain
// runs once per value when the kernel is made, with the arithmetic of the
// kernels it replaces (dequantize_linear.cc, vmath::sigmoid_f32,
// quantize_dequantize.cc, float Mul, quantize_linear.cc), and each run is a
// table lookup per byte. yolov8n int8: its 57 SiLUs took 28 ms per run as
// DequantizeLinear, Sigmoid, round trip, Mul and QuantizeLinear (ONNX
// Runtime's QLinearSigmoid and QLinearMul: 8 ms).
#include <array>
#include <limits>

#include "core/status_macros.h"
#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/quant_util.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

using namespace quant_detail;

// The per-tensor constant scale and zero point at inputs `s` and `z`.
struct Params {
  float scale = 1.0f;
  int32_t zero_point = 0;
  DataType type = DataType::kUInt8;
};

Result<Params> constant_params(const KernelCreateContext& ctx, size_t s, size_t z) {
  const Tensor* st = ctx.constant_input(s);
  if (!st || st->dtype() != DataType::kFloat32 || st->numel() != 1)
    return error(StatusCode::kInvalidArgument, "QLinearSwish: input ", s, " must be a constant float32 scalar scale");
  Params p;
  p.scale = st->data<float>()[0];
  if (!std::isfinite(p.scale) || p.scale <= 0.0f)
    return error(StatusCode::kInvalidArgument, "QLinearSwish: the scale must be finite and positive, got ", p.scale);
  if (!ctx.has_input(z)) return p;
  const Tensor* zt = ctx.constant_input(z);
  if (!zt || zt->numel() != 1 || (zt->dtype() != DataType::kUInt8 && zt->dtype() != DataType::kInt8))
    return error(StatusCode::kInvalidArgument, "QLinearSwish: input ", z, " must be a constant uint8 or int8 scalar");
  p.type = zt->dtype();
  p.zero_point = p.type == DataType::kUInt8 ? zt->data<uint8_t>()[0] : zt->data<int8_t>()[0];
  return p;
}

// QuantizeLinear's per-tensor arithmetic (quant_util.h quantize_clamped).
template <typename Q>
Q quantize(float x, const Params& p) {
  const float lo = static_cast<float>(std::numeric_limits<Q>::lowest() - p.zero_point);
  const float hi = static_cast<float>(std::numeric_limits<Q>::max() - p.zero_point);
  return quantize_clamped<Q>(x, p.scale, lo, hi, p.zero_point);
}

class QLinearSwishKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    if (ctx.num_inputs() != 5 || !ctx.has_input(1) || !ctx.has_input(3))
      return error(StatusCode::kInvalidArgument,
                   "QLinearSwish needs X, X_scale, X_zero_point?, Y_scale, Y_zero_point?");
    auto k = std::make_unique<QLinearSwishKernel>();
    PX_ASSIGN_OR_RETURN(k->x_, constant_params(ctx, 1, 2));
    PX_ASSIGN_OR_RETURN(k->y_, constant_params(ctx, 3, 4));
    PX_ASSIGN_OR_RETURN(int64_t deq, ctx.attrs().get_int("y_dequantized", 0));
    k->dequantized_ = deq != 0;
    bool rt = ctx.attrs().has("sigmoid_qdq");
    std::vector<float> q;
    if (rt) {
      PX_ASSIGN_OR_RETURN(q, ctx.attrs().get_floats("sigmoid_qdq"));
      if (q.size() != 3 || !std::isfinite(q[0]) || !(q[0] > 0.0f) || !(q[1] <= q[2]))
        return error(StatusCode::kInvalidArgument,
                     "QLinearSwish: sigmoid_qdq must be [scale > 0, lowest - zero point, max - zero point]");
    }
    for (int b = 0; b < 256; ++b) {
      // The byte b as X's type, dequantized as dequantize_linear.cc does.
      const int32_t xq = k->x_.type == DataType::kUInt8 ? b : static_cast<int8_t>(static_cast<uint8_t>(b));
      const float x = static_cast<float>(xq - k->x_.zero_point) * k->x_.scale;
      float s = vmath::sigmoid_f32(x);
      if (rt) s = round_trip(s, q[0], q[1], q[2]);
      const float y = x * s;
      const int32_t yq = k->y_.type == DataType::kUInt8 ? quantize<uint8_t>(y, k->y_) : quantize<int8_t>(y, k->y_);
      k->table_[static_cast<size_t>(b)] = static_cast<uint8_t>(yq);
      // The round trip's float: (the clamped, rounded value) * scale, which
      // is (yq - zero point) * scale exactly (small integers).
      k->float_table_[static_cast<size_t>(b)] = static_cast<float>(yq - k->y_.zero_point) * k->y_.scale;
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const DataType t = ctx.input_dtype(0);
    if (t != DataType::kUndefined && t != x_.type)
      return error(StatusCode::kInvalidArgument, "QLinearSwish: X is ", data_type_name(t), " but its zero point is ",
                   data_type_name(x_.type));
    ctx.set_output(0, dequantized_ ? DataType::kFloat32 : y_.type, ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != x_.type) return error(StatusCode::kInvalidArgument, "QLinearSwish: X has the wrong type");
    const uint8_t* in = x.data<uint8_t>();
    if (dequantized_) {
      float* out = ctx.output(0).data<float>();
      const float* table = float_table_.data();
      parallel_for(ctx.num_threads(), x.numel(), 65536, [=](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) out[i] = table[in[i]];
      });
      return Status::ok();
    }
    uint8_t* out = ctx.output(0).data<uint8_t>();
    const uint8_t* table = table_.data();
    parallel_for(ctx.num_threads(), x.numel(), 65536, [=](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) out[i] = table[in[i]];
    });
    return Status::ok();
  }

 private:
  Params x_, y_;
  bool dequantized_ = false;
  std::array<uint8_t, 256> table_{};      // Y's byte for each byte of X
  std::array<float, 256> float_table_{};  // with y_dequantized: Y's float
};

}  // namespace

PX_REGISTER_KERNEL("com.parallax", "QLinearSwish", 1, kMaxOpset, QLinearSwishKernel::create);

}  // namespace parallax
