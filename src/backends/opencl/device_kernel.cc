#include "backends/opencl/device_kernel.h"

#include <iostream>

namespace parallax::opencl {

const char* const kActivationSource = R"CL(
inline float px_activate(float v, int act, float a, float b) {
  switch (act) {
    case 1: return v > 0.0f ? v : 0.0f;
    case 2: return fmin(fmax(v, a), b);
    case 3: return v >= 0.0f ? v : a * v;
    case 4: return 1.0f / (1.0f + exp(-v));
    case 5: return v * fmin(fmax(v * (1.0f / 6.0f) + 0.5f, 0.0f), 1.0f);
    case 6: return tanh(v);
    default: return v;
  }
}
)CL";

bool only_attributes(const KernelCreateContext& ctx, std::initializer_list<const char*> known) {
  for (const auto& [name, attr] : ctx.attrs().all()) {
    bool ok = false;
    for (const char* k : known) ok |= name == k;
    if (!ok) return false;
  }
  return true;
}

bool float_inputs(const KernelCreateContext& ctx, size_t n) {
  for (size_t i = 0; i < n && i < ctx.num_inputs(); ++i)
    if (ctx.has_input(i) && ctx.input_dtype(i) != DataType::kFloat32 && ctx.input_dtype(i) != DataType::kUndefined)
      return false;
  return true;
}

Status DeviceKernel::compute(ComputeContext& ctx) {
  if (!device_failed_) {
    Result<bool> ran = run_device(ctx);
    if (ran.is_ok() && *ran) {
      env_.backend->count_node();
      return Status::ok();
    }
    if (!ran.is_ok()) {
      // Nothing of this node may still be in flight when the CPU writes its outputs.
      clFinish(rt().queue());
      device_failed_ = true;
      std::cerr << "parallax: warning: " << ctx.node().describe() << ": " << env_.backend->name()
                << " failed, running the node on the CPU from now on: " << ran.status().message() << '\n';
    }
  }
  env_.backend->count_fallback();
  return cpu_->compute(ctx);
}

Result<ClKernel> DeviceKernel::make_kernel(const std::string& source, const char* name, const std::string& options) {
  PX_ASSIGN_OR_RETURN(cl_kernel k, rt().programs().kernel(source, name, options));
  return ClKernel(k);
}

Status DeviceKernel::upload_constant(const KernelCreateContext& ctx, size_t i) {
  const Tensor* t = ctx.constant_input(i);
  if (!t || t->dtype() != DataType::kFloat32 || t->numel() == 0) return Status::ok();
  if (constants_.size() <= i) constants_.resize(i + 1);
  PX_RETURN_IF_ERROR(constants_[i].reserve(rt().context(), t->nbytes()));
  PX_CL_CHECK(clEnqueueWriteBuffer(rt().queue(), constants_[i].get(), CL_TRUE, 0, t->nbytes(), t->raw(), 0, nullptr,
                                   nullptr),
              "clEnqueueWriteBuffer (weights)");
  env_.backend->count_weights(t->nbytes());
  return Status::ok();
}

Result<cl_mem> DeviceKernel::input(ComputeContext& ctx, size_t i) {
  if (is_constant(i)) return constants_[i].get();
  const Tensor& t = ctx.input(i);
  if (inputs_.size() <= i) inputs_.resize(i + 1);
  PX_RETURN_IF_ERROR(inputs_[i].reserve(rt().context(), t.nbytes()));
  if (t.nbytes() > 0) {
    // Non-blocking: the host tensor outlives the node, and the blocking read
    // of the outputs waits for this write (in-order queue).
    PX_CL_CHECK(clEnqueueWriteBuffer(rt().queue(), inputs_[i].get(), CL_FALSE, 0, t.nbytes(), t.raw(), 0, nullptr,
                                     nullptr),
                "clEnqueueWriteBuffer");
    env_.backend->count_upload(t.nbytes());
  }
  return inputs_[i].get();
}

Result<cl_mem> DeviceKernel::output(size_t i, size_t bytes) {
  if (outputs_.size() <= i) outputs_.resize(i + 1);
  PX_RETURN_IF_ERROR(outputs_[i].reserve(rt().context(), bytes));
  return outputs_[i].get();
}

Status DeviceKernel::download(ComputeContext& ctx, size_t i) {
  Tensor& t = ctx.output(i);
  if (t.nbytes() == 0) return Status::ok();
  if (outputs_.size() <= i || outputs_[i].bytes() < t.nbytes())
    return error(StatusCode::kInternal, "OpenCL output ", i, " was not computed");
  PX_CL_CHECK(clEnqueueReadBuffer(rt().queue(), outputs_[i].get(), CL_TRUE, 0, t.nbytes(), t.raw(), 0, nullptr, nullptr),
              "clEnqueueReadBuffer");
  env_.backend->count_download(t.nbytes());
  return Status::ok();
}

Result<cl_mem> DeviceKernel::scratch(size_t slot, size_t bytes) {
  if (scratch_.size() <= slot) scratch_.resize(slot + 1);
  PX_RETURN_IF_ERROR(scratch_[slot].reserve(rt().context(), bytes));
  return scratch_[slot].get();
}

Result<cl_mem> DeviceKernel::upload_scratch(size_t slot, const void* data, size_t bytes) {
  PX_ASSIGN_OR_RETURN(cl_mem m, scratch(slot, bytes));
  if (bytes > 0) {
    // Blocking: `data` is usually a temporary of the caller.
    PX_CL_CHECK(clEnqueueWriteBuffer(rt().queue(), m, CL_TRUE, 0, bytes, data, 0, nullptr, nullptr),
                "clEnqueueWriteBuffer (tables)");
    env_.backend->count_upload(bytes);
  }
  return m;
}

Status DeviceKernel::dispatch(const ClKernel& k, cl_uint dims, const size_t* global, const size_t* local) {
  for (cl_uint d = 0; d < dims; ++d)
    if (global[d] == 0) return Status::ok();
  PX_CL_CHECK(clEnqueueNDRangeKernel(rt().queue(), k.get(), dims, nullptr, global, local, 0, nullptr, nullptr),
              "clEnqueueNDRangeKernel");
  env_.backend->count_dispatch();
  return Status::ok();
}

}  // namespace parallax::opencl
