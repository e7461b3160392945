#include "core/int8_dot.h"
#include "kernels/cpu/quant_matmul_to_float.h"

#include <cmath>

namespace parallax::quant_detail {

namespace {

// A constant scale must be a finite positive number: a zero or NaN scale
// turns every output into 0 or NaN without saying why.
Status check_scales(const char* op, const char* what, const Tensor& s) {
  if (s.dtype() != DataType::kFloat32)
    return error(StatusCode::kInvalidArgument, op, ": ", what, " must be float32, got ", data_type_name(s.dtype()));
  for (int64_t i = 0; i < s.numel(); ++i) {
    const float v = s.data<float>()[i];
    if (!std::isfinite(v) || v <= 0.0f)
      return error(StatusCode::kInvalidArgument, op, ": ", what, " must be finite and positive, got ", v, " at ", i);
  }
  return Status::ok();
}

}  // namespace

Status QuantMatMulToFloat::init(const KernelCreateContext& ctx, const char* op, Slots slots) {
  op_ = op;
  slots_ = slots;
  PX_ASSIGN_OR_RETURN(act_, dnnl_util::FusedActivation::parse(ctx));
  if (act_.residual) return error(StatusCode::kInvalidArgument, op, ": px_residual is not supported");
  auto has = [&](int i) { return i >= 0 && ctx.has_input(static_cast<size_t>(i)); };
  auto constant = [&](int i) { return has(i) ? ctx.constant_input(static_cast<size_t>(i)) : nullptr; };
  if (!has(slots.b) || !has(slots.b_scale)) return error(StatusCode::kInvalidArgument, op, ": needs B and b_scale");
  const Tensor* b = constant(slots.b);
  const Tensor* bs = constant(slots.b_scale);
  const Tensor* bz = constant(slots.b_zero_point);
  const Tensor* bias = constant(slots.bias);
  const DataType bt = ctx.input_dtype(static_cast<size_t>(slots.b));
  if (bt != DataType::kUndefined && bt != DataType::kInt8 && bt != DataType::kUInt8)
    return error(StatusCode::kInvalidArgument, op, ": B must be int8 or uint8, got ", data_type_name(bt));
  if (has(slots.b_zero_point)) {
    const DataType zt = ctx.input_dtype(static_cast<size_t>(slots.b_zero_point));
    if (bt != DataType::kUndefined && zt != DataType::kUndefined && zt != bt)
      return error(StatusCode::kInvalidArgument, op, ": b_zero_point is ", data_type_name(zt), " but B is ",
                   data_type_name(bt));
  }
  if (bs) PX_RETURN_IF_ERROR(check_scales(op, "b_scale", *bs));
  if (!b || b->dtype() != DataType::kInt8 || b->rank() != 2 || !bs) return Status::ok();
  const int64_t n = b->dim(1);
  if (bs->numel() != 1 && (bs->rank() != 1 || bs->numel() != n))
    return error(StatusCode::kInvalidArgument, op, ": b_scale must be a scalar or have ", n, " values, got ",
                 shape_to_string(bs->shape()));
  if (has(slots.b_zero_point)) {
    if (!bz) return Status::ok();
    if (bz->numel() != 1 && bz->numel() != n)
      return error(StatusCode::kInvalidArgument, op, ": b_zero_point must be a scalar or have ", n, " values");
    for (int64_t i = 0; i < bz->numel(); ++i)
      if (bz->data<int8_t>()[i] != 0) return Status::ok();  // the portable loop subtracts it
  }
  std::vector<float> bias_v;
  if (has(slots.bias)) {
    if (!bias) return Status::ok();
    if (bias->dtype() != DataType::kFloat32 || bias->numel() != n)
      return error(StatusCode::kInvalidArgument, op, ": bias must be float32 with ", n, " values");
    bias_v.assign(bias->data<float>(), bias->data<float>() + n);
  }
  std::vector<float> scale_v(bs->data<float>(), bs->data<float>() + bs->numel());
  if (ctx.exact_int8() && int8_weights_may_saturate(*b)) return Status::ok();  // the int32 loop is exact
  gemm_.hold(*b, std::move(scale_v), std::move(bias_v), act_, ctx.weight_cache());
  return Status::ok();
}

Status QuantMatMulToFloat::run(ComputeContext& ctx, const Tensor& a_q, float a_scale, int32_t a_zp, Tensor& y) {
  if (y.dtype() != DataType::kFloat32) return error(StatusCode::kInternal, op_, ": Y must be float32");
  if (!gemm_.held() || a_q.dtype() != DataType::kUInt8) return run_portable(ctx, a_q, a_scale, a_zp, y);
  if (a_q.rank() < 1 || a_q.shape().back() != gemm_.k())
    return error(StatusCode::kInvalidArgument, op_, ": A ", shape_to_string(a_q.shape()), " does not have ", gemm_.k(),
                 " columns");
  // A 2-D B: A's leading dims fold into the GEMM's rows.
  return gemm_.run(a_q.data<uint8_t>(), a_q.numel() / gemm_.k(), a_scale, a_zp, y.data<float>());
}

Status QuantMatMulToFloat::run_portable(ComputeContext& ctx, const Tensor& a_q, float a_scale, int32_t a_zp,
                                        Tensor& y) {
  const Tensor& b = ctx.input(static_cast<size_t>(slots_.b));
  PX_ASSIGN_OR_RETURN(std::vector<float> bs, read_f32(ctx.input(static_cast<size_t>(slots_.b_scale))));
  std::vector<int32_t> bz{0};
  if (slots_.b_zero_point >= 0) {
    PX_ASSIGN_OR_RETURN(bz, zero_point(ctx, static_cast<size_t>(slots_.b_zero_point)));
  }
  const int64_t n = y.rank() == 0 ? 1 : (b.rank() == 1 ? 1 : b.shape().back());
  if (bs.size() != 1 && static_cast<int64_t>(bs.size()) != n)
    return error(StatusCode::kInvalidArgument, op_, ": b_scale must be a scalar or have ", n, " values");
  std::vector<float> bias;
  if (slots_.bias >= 0 && ctx.has_input(static_cast<size_t>(slots_.bias))) {
    PX_ASSIGN_OR_RETURN(bias, read_f32(ctx.input(static_cast<size_t>(slots_.bias))));
    if (static_cast<int64_t>(bias.size()) != n)
      return error(StatusCode::kInvalidArgument, op_, ": bias must have ", n, " values");
  }
  Tensor acc = Tensor::allocate(DataType::kInt32, y.shape());
  int32_t* ap = acc.data<int32_t>();
  const std::vector<int32_t> az{a_zp};
  const int th = ctx.num_threads();
  const bool au = a_q.dtype() == DataType::kUInt8, bu = b.dtype() == DataType::kUInt8;
  if ((!au && a_q.dtype() != DataType::kInt8) || (!bu && b.dtype() != DataType::kInt8))
    return error(StatusCode::kInvalidArgument, op_, ": A and B must be uint8 or int8");
  Status st = au ? (bu ? matmul_i32<uint8_t, uint8_t>(op_, a_q, b, az, bz, ap, th)
                       : matmul_i32<uint8_t, int8_t>(op_, a_q, b, az, bz, ap, th))
                 : (bu ? matmul_i32<int8_t, uint8_t>(op_, a_q, b, az, bz, ap, th)
                       : matmul_i32<int8_t, int8_t>(op_, a_q, b, az, bz, ap, th));
  PX_RETURN_IF_ERROR(st);
  float* yp = y.data<float>();
  for (int64_t i = 0; i < y.numel(); ++i) {
    const size_t col = static_cast<size_t>(i % n);
    const float s = a_scale * (bs.size() == 1 ? bs[0] : bs[col]);
    yp[i] = static_cast<float>(ap[i]) * s + (bias.empty() ? 0.0f : bias[col]);
  }
  act_.apply(yp, y.numel());
  return Status::ok();
}

}  // namespace parallax::quant_detail
