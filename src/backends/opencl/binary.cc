// Add, Sub, Mul, Div (opset 7+: multidirectional broadcasting), fp32, up to
// rank 8. One work item per output element; the broadcast index arithmetic
// is skipped when both shapes are equal or the second input is a scalar.
#include "backends/opencl/ops.h"
#include "core/status_macros.h"

namespace parallax::opencl {
namespace {

const char* const kSource = R"CL(
__kernel void px_binary(__global const float* a, __global const float* b, __global float* y, int op, int rank,
                        int8 dims8, int8 sa8, int8 sb8, int layout) {
  int i = get_global_id(0);
  int ia = i, ib = i;
  if (layout == 2) {
    ib = 0;
  } else if (layout == 0) {
    int dims[8], sa[8], sb[8];
    vstore8(dims8, 0, dims);
    vstore8(sa8, 0, sa);
    vstore8(sb8, 0, sb);
    int rem = i;
    ia = 0;
    ib = 0;
    for (int k = rank - 1; k >= 0; --k) {
      int c = rem % dims[k];
      rem /= dims[k];
      ia += c * sa[k];
      ib += c * sb[k];
    }
  }
  float x = a[ia], z = b[ib];
  float r;
  switch (op) {
    case 0: r = x + z; break;
    case 1: r = x - z; break;
    case 2: r = x * z; break;
    default: r = x / z; break;
  }
  y[i] = r;
}
)CL";

// Element strides of `s` broadcast to `out` (0 along broadcast dims), right-aligned.
cl_int8 broadcast_strides(const Shape& s, const Shape& out) {
  cl_int8 st{};
  int64_t stride = 1;
  const size_t off = out.size() - s.size();
  for (size_t k = out.size(); k-- > 0;) {
    if (k < off) continue;
    int64_t d = s[k - off];
    st.s[k] = d == 1 && out[k] != 1 ? 0 : ci(stride);
    stride *= d;
  }
  return st;
}

class BinaryKernel final : public DeviceKernel {
 public:
  BinaryKernel(const DeviceEnv& env, cl_int op) : DeviceKernel(env), op_(op) {}

  static Result<std::unique_ptr<DeviceKernel>> make(const KernelCreateContext& ctx, const DeviceEnv& env) {
    const std::string& t = ctx.node().op_type;
    cl_int op = t == "Add" ? 0 : t == "Sub" ? 1 : t == "Mul" ? 2 : 3;
    auto k = std::make_unique<BinaryKernel>(env, op);
    PX_ASSIGN_OR_RETURN(k->kernel_, k->make_kernel(kSource, "px_binary"));
    PX_RETURN_IF_ERROR(k->upload_constant(ctx, 0));
    PX_RETURN_IF_ERROR(k->upload_constant(ctx, 1));
    return std::unique_ptr<DeviceKernel>(std::move(k));
  }

 protected:
  Result<bool> run_device(ComputeContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    if (a.dtype() != DataType::kFloat32 || b.dtype() != DataType::kFloat32 || y.dtype() != DataType::kFloat32)
      return false;
    const Shape& out = y.shape();
    if (out.size() > 8 || !fits_int(y.numel()) || a.rank() > out.size() || b.rank() > out.size()) return false;
    if (y.numel() == 0) return true;
    cl_int layout = a.shape() == out && b.shape() == out ? 1 : (a.shape() == out && b.numel() == 1 ? 2 : 0);
    cl_int8 dims{};
    for (size_t k = 0; k < out.size(); ++k) dims.s[k] = ci(out[k]);
    cl_int8 sa = broadcast_strides(a.shape(), out), sb = broadcast_strides(b.shape(), out);
    PX_ASSIGN_OR_RETURN(cl_mem da, input(ctx, 0));
    PX_ASSIGN_OR_RETURN(cl_mem db, input(ctx, 1));
    PX_ASSIGN_OR_RETURN(cl_mem dy, output(ctx, 0));
    PX_RETURN_IF_ERROR(set_args(kernel_, da, db, dy, op_, ci(out.size()), dims, sa, sb, layout));
    size_t global = static_cast<size_t>(y.numel());
    PX_RETURN_IF_ERROR(dispatch(kernel_, 1, &global));
    PX_RETURN_IF_ERROR(download(ctx, 0));
    return true;
  }

 private:
  cl_int op_;
  ClKernel kernel_;
};

}  // namespace

bool supports_binary(const KernelCreateContext& ctx) {
  // Before opset 7 these ops had a 'broadcast' attribute with other rules.
  return ctx.opset() >= 7 && ctx.num_inputs() == 2 && ctx.num_outputs() == 1 && only_attributes(ctx, {}) &&
         float_inputs(ctx, 2);
}

Result<std::unique_ptr<DeviceKernel>> make_binary(const KernelCreateContext& ctx, const DeviceEnv& env) {
  return BinaryKernel::make(ctx, env);
}

}  // namespace parallax::opencl
