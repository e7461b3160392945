#include "backends/opencl/device_kernel.h"

#include <iostream>
#include <memory>

#include "backends/opencl/buffer_pool.h"
#include "core/status_macros.h"

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
    case 7: return v / (1.0f + exp(-v));
    case 8: return fmin(fmax(a * v + b, 0.0f), 1.0f);
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

DeviceKernel::~DeviceKernel() {
  // A run that failed half-way may leave commands queued that use these buffers.
  if (!outputs_.empty() || !inputs_.empty()) clFinish(rt().queue());
}

void DeviceKernel::link_input(size_t i, DeviceKernel* producer, size_t output) {
  if (sources_.size() <= i) sources_.resize(i + 1);
  sources_[i] = {producer, output};
  if (producer->device_readers_.size() <= output) producer->device_readers_.resize(output + 1, 0);
  ++producer->device_readers_[output];
}

void DeviceKernel::reader_done(size_t o) {
  if (!readers_left_ || o >= num_outputs_) return;
  // Zero: the buffer was not taken this run (the node ran on the CPU), or is back.
  int left = readers_left_[o].load(std::memory_order_acquire);
  while (left > 0 && !readers_left_[o].compare_exchange_weak(left, left - 1, std::memory_order_acq_rel)) {
  }
  if (left == 1) memory().pool().release(std::move(outputs_[o]));
}

void DeviceKernel::readers_done() {
  for (const Source& s : sources_)
    if (s.producer) s.producer->reader_done(s.output);
}

void DeviceKernel::share_input(size_t i, std::shared_ptr<SharedUpload> upload) {
  if (shared_.size() <= i) shared_.resize(i + 1);
  shared_[i] = std::move(upload);
}

void DeviceKernel::set_host_reads(size_t o, bool host_reads) {
  if (host_reads_.size() <= o) host_reads_.resize(o + 1, 1);
  host_reads_[o] = host_reads;
}

DeviceKernel::Where DeviceKernel::where(size_t o) const {
  return where_ && o < num_outputs_ ? static_cast<Where>(where_[o].load(std::memory_order_acquire)) : kHost;
}

void DeviceKernel::set_where(size_t o, Where w) {
  if (where_ && o < num_outputs_) where_[o].store(w, std::memory_order_release);
}

Status DeviceKernel::fetch_to_host(size_t o, Tensor& host) {
  std::lock_guard<std::mutex> lock(fetch_mutex_);
  if (where(o) != kDevice) return Status::ok();
  if (host.nbytes() > 0) {
    if (outputs_.size() <= o || outputs_[o].bytes() < host.nbytes())
      return error(StatusCode::kInternal, "OpenCL output ", o, " is not on the device");
    // Blocking: the CPU kernel reads it next. The in-order queue runs the
    // producing kernel first.
    PX_CL_CHECK(clEnqueueReadBuffer(rt().queue(), outputs_[o].get(), CL_TRUE, 0, host.nbytes(), host.raw(), 0, nullptr,
                                    nullptr),
                "clEnqueueReadBuffer");
    env_.backend->count_download(host.nbytes());
  }
  set_where(o, kBoth);
  return Status::ok();
}

Status DeviceKernel::compute(ComputeContext& ctx) {
  if (!where_) {
    num_outputs_ = ctx.num_outputs();
    where_.reset(new std::atomic<uint8_t>[num_outputs_]);
    readers_left_.reset(new std::atomic<int>[num_outputs_]);
    for (size_t o = 0; o < num_outputs_; ++o) readers_left_[o].store(0);
  }
  // Every path through here has enqueued all it reads from its producers on return.
  struct ReadersDone {
    DeviceKernel* k;
    ~ReadersDone() { k->readers_done(); }
  } readers_done_on_return{this};
  for (size_t o = 0; o < num_outputs_; ++o) set_where(o, kHost);
  if (!device_failed_) {
    host_io_ = false;
    views_.clear();
    output_views_.assign(num_outputs_, nullptr);
    Result<bool> ran = run_device(ctx);
    if (ran.is_ok() && *ran) {
      // end_after_copies fails only before it defers: then the CPU redoes the node.
      Status ended = host_io_ ? end_after_copies(ctx) : Status::ok();
      if (ended.is_ok()) {
        env_.backend->count_node();
        return Status::ok();
      }
      ran = std::move(ended);
    }
    // Nothing of this node may still be in flight when the CPU writes its outputs.
    if (host_io_ || !ran.is_ok()) clFinish(rt().queue());
    views_.clear();
    for (size_t o = 0; o < num_outputs_; ++o) set_where(o, kHost);
    if (!ran.is_ok()) {
      device_failed_ = true;
      std::cerr << "parallax: warning: " << ctx.node().describe() << ": " << env_.backend->name()
                << " failed, running the node on the CPU from now on: " << ran.status().message() << '\n';
    }
  }
  return run_on_cpu(ctx);
}

Status DeviceKernel::run_on_cpu(ComputeContext& ctx) {
  env_.backend->count_fallback();
  for (size_t i = 0; i < sources_.size() && i < ctx.num_inputs(); ++i)
    if (sources_[i].producer && ctx.has_input(i))
      PX_RETURN_IF_ERROR(sources_[i].producer->fetch_to_host(sources_[i].output, const_cast<Tensor&>(ctx.input(i))));
  return cpu_->compute(ctx);
}

namespace {

// What a deferred node holds until the device is past its copies: the end
// of its step, its host tensors (a dynamic tensor must outlive the copy) and
// the views of them.
struct PendingCopies {
  std::function<void(Status)> finish;
  std::vector<Tensor> keep_alive;
  std::vector<ClBuffer> views;
};

void CL_CALLBACK on_copies_done(cl_event event, cl_int status, void* user) {
  std::unique_ptr<PendingCopies> pending(static_cast<PendingCopies*>(user));
  clReleaseEvent(event);
  pending->finish(status == CL_COMPLETE ? Status::ok() : cl_status(status, "OpenCL commands of the node"));
}

}  // namespace

Status DeviceKernel::end_after_copies(ComputeContext& ctx) {
  cl_event event = nullptr;
  PX_CL_CHECK(clEnqueueMarkerWithWaitList(rt().queue(), 0, nullptr, &event), "clEnqueueMarkerWithWaitList");
  clFlush(rt().queue());  // the device starts now, not when someone next waits
  std::function<void(Status)> finish = ctx.defer();
  if (finish) {
    auto pending = std::make_unique<PendingCopies>();
    pending->finish = std::move(finish);
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      if (ctx.has_input(i)) pending->keep_alive.push_back(ctx.input(i));
    for (size_t o = 0; o < ctx.num_outputs(); ++o)
      if (ctx.has_output(o)) pending->keep_alive.push_back(ctx.output(o));
    pending->views = std::move(views_);
    views_.clear();
    PendingCopies* raw = pending.get();
    if (clSetEventCallback(event, CL_COMPLETE, on_copies_done, raw) == CL_SUCCESS) {
      pending.release();  // the callback owns it
      return Status::ok();
    }
    // No callback: wait here, then end the step ourselves.
    const cl_int waited = clWaitForEvents(1, &event);
    clReleaseEvent(event);
    raw->finish(waited == CL_SUCCESS ? Status::ok() : cl_status(waited, "clWaitForEvents"));
    return Status::ok();
  }
  const cl_int waited = clWaitForEvents(1, &event);
  clReleaseEvent(event);
  PX_CL_CHECK(waited, "clWaitForEvents");
  views_.clear();
  return Status::ok();
}

Result<ClKernel> DeviceKernel::make_kernel(const std::string& source, const char* name, const std::string& options) {
  PX_ASSIGN_OR_RETURN(cl_kernel k, env_.programs->kernel(source, name, options));
  return ClKernel(k);
}

Status DeviceKernel::upload_constant(const KernelCreateContext& ctx, size_t i) {
  const Tensor* t = ctx.constant_input(i);
  if (!t || t->dtype() != DataType::kFloat32 || t->numel() == 0) return Status::ok();
  if (constants_.size() <= i) constants_.resize(i + 1);
  PX_RETURN_IF_ERROR(constants_[i].reserve(memory(), t->nbytes()));
  PX_CL_CHECK(
      clEnqueueWriteBuffer(rt().queue(), constants_[i].get(), CL_TRUE, 0, t->nbytes(), t->raw(), 0, nullptr, nullptr),
      "clEnqueueWriteBuffer (weights)");
  env_.backend->count_weights(t->nbytes());
  return Status::ok();
}

Result<cl_mem> DeviceKernel::input(ComputeContext& ctx, size_t i) {
  if (is_constant(i)) return constants_[i].get();
  if (i < sources_.size() && sources_[i].producer) {
    DeviceKernel& p = *sources_[i].producer;
    const size_t o = sources_[i].output;
    if (p.where(o) != kHost) return p.outputs_[o].get();  // resident: no copy
  }
  const Tensor& t = ctx.input(i);
  if (zero_copy_ && t.nbytes() > 0) {
    ClBuffer& view = views_.emplace_back();
    // The kernels never write their inputs.
    PX_RETURN_IF_ERROR(view.view_host(rt().context(), const_cast<void*>(t.raw()), t.nbytes(), CL_MEM_READ_ONLY));
    env_.backend->count_host_view(t.nbytes());
    host_io_ = true;
    return view.get();
  }
  std::unique_lock<std::mutex> shared_lock;
  ClBuffer* buffer = nullptr;
  if (i < shared_.size() && shared_[i] && ctx.run_id() != 0) {
    SharedUpload& s = *shared_[i];
    shared_lock = std::unique_lock<std::mutex>(s.mutex);
    // Another reader copied it this run: its write is ahead of us in the in-order queue.
    if (s.run == ctx.run_id()) return s.buffer.get();
    buffer = &s.buffer;
  } else {
    if (inputs_.size() <= i) inputs_.resize(i + 1);
    buffer = &inputs_[i];
  }
  PX_RETURN_IF_ERROR(buffer->reserve(memory(), t.nbytes()));
  if (t.nbytes() > 0) {
    // Non-blocking: the step ends only when the queue is past it (end_after_copies).
    PX_CL_CHECK(
        clEnqueueWriteBuffer(rt().queue(), buffer->get(), CL_FALSE, 0, t.nbytes(), t.raw(), 0, nullptr, nullptr),
        "clEnqueueWriteBuffer");
    env_.backend->count_upload(t.nbytes());
    host_io_ = true;
  }
  if (shared_lock) shared_[i]->run = ctx.run_id();
  return buffer->get();
}

Result<cl_mem> DeviceKernel::output(ComputeContext& ctx, size_t i) {
  Tensor& t = ctx.output(i);
  const bool host_reads = i >= host_reads_.size() || host_reads_[i];
  if (host_reads && zero_copy_ && t.nbytes() > 0 && i < output_views_.size()) {
    ClBuffer& view = views_.emplace_back();
    PX_RETURN_IF_ERROR(view.view_host(rt().context(), t.raw(), t.nbytes(), CL_MEM_READ_WRITE));
    output_views_[i] = view.get();
    return view.get();
  }
  if (outputs_.size() <= i) outputs_.resize(i + 1);
  if (pooled(i)) {
    // A buffer still held was left by a run that stopped half-way: runs do
    // not overlap, so nobody reads it any more.
    readers_left_[i].store(0, std::memory_order_relaxed);
    memory().pool().release(std::move(outputs_[i]));
    PX_ASSIGN_OR_RETURN(outputs_[i], memory().pool().acquire(memory(), t.nbytes()));
    readers_left_[i].store(device_readers_[i], std::memory_order_release);
    return outputs_[i].get();
  }
  PX_RETURN_IF_ERROR(outputs_[i].reserve(memory(), t.nbytes()));
  return outputs_[i].get();
}

Status DeviceKernel::download(ComputeContext& ctx, size_t i) {
  Tensor& t = ctx.output(i);
  if (i < output_views_.size() && output_views_[i]) {
    // The kernel wrote the host tensor itself. Mapping the view is OpenCL's
    // point where the host may read it (no copy on a host-unified device);
    // the step ends after it (end_after_copies). The value counts as a host
    // one: device consumers view it as well.
    cl_int err = CL_SUCCESS;
    void* mapped = clEnqueueMapBuffer(rt().queue(), output_views_[i], CL_FALSE, CL_MAP_READ, 0, t.nbytes(), 0, nullptr,
                                      nullptr, &err);
    PX_CL_CHECK(err, "clEnqueueMapBuffer");
    PX_CL_CHECK(clEnqueueUnmapMemObject(rt().queue(), output_views_[i], mapped, 0, nullptr, nullptr),
                "clEnqueueUnmapMemObject");
    env_.backend->count_host_view(t.nbytes());
    host_io_ = true;
    set_where(i, kHost);
    return Status::ok();
  }
  if (outputs_.size() <= i || outputs_[i].bytes() < t.nbytes())
    return error(StatusCode::kInternal, "OpenCL output ", i, " was not computed");
  if (i < host_reads_.size() && !host_reads_[i]) {
    set_where(i, kDevice);  // only device nodes read it (or fetch_to_host, on a fallback)
    return Status::ok();
  }
  if (t.nbytes() > 0) {
    PX_CL_CHECK(
        clEnqueueReadBuffer(rt().queue(), outputs_[i].get(), CL_FALSE, 0, t.nbytes(), t.raw(), 0, nullptr, nullptr),
        "clEnqueueReadBuffer");
    env_.backend->count_download(t.nbytes());
    host_io_ = true;
  }
  set_where(i, kBoth);
  return Status::ok();
}

Result<cl_mem> DeviceKernel::scratch(size_t slot, size_t bytes) {
  if (scratch_.size() <= slot) scratch_.resize(slot + 1);
  PX_RETURN_IF_ERROR(scratch_[slot].reserve(memory(), bytes));
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
