// PxSessionOptions: parallax::SessionOptions behind a C handle. Setters
// validate before they store, so a bad value leaves the options unchanged.
#include <string_view>

#include "capi/capi_internal.h"

using parallax::Status;
using parallax::StatusCode;

extern "C" {

PX_CAPI PxStatus* PxSessionOptionsCreate(PxSessionOptions** out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(out);
    *out = nullptr;
    *out = new PxSessionOptions{};
    return Status::ok();
  });
}

PX_CAPI void PxSessionOptionsRelease(PxSessionOptions* options) {
  delete options;
}

PX_CAPI PxStatus* PxSessionOptionsSetNumThreads(PxSessionOptions* options, int num_threads) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(options);
    if (num_threads < 1 || num_threads > 1024)
      return parallax::error(StatusCode::kInvalidArgument, px_fn, ": num_threads is ", num_threads,
                             ", must be in [1, 1024]");
    options->options.num_threads = num_threads;
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxSessionOptionsSetExecutionMode(PxSessionOptions* options, PxExecutionMode mode) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(options);
    switch (mode) {
      case PX_MODE_SEQUENTIAL: options->options.mode = parallax::ExecutionMode::kSequential; break;
      case PX_MODE_LAYER: options->options.mode = parallax::ExecutionMode::kLayer; break;
      case PX_MODE_DATAFLOW: options->options.mode = parallax::ExecutionMode::kDataflow; break;
      default: return parallax::error(StatusCode::kInvalidArgument, px_fn, ": unknown mode ", static_cast<int>(mode));
    }
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxSessionOptionsSetMemoryBudget(PxSessionOptions* options, size_t bytes) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(options);
    options->options.memory_budget = bytes;
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxSessionOptionsSetMaxTensorBytes(PxSessionOptions* options, size_t bytes) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(options);
    if (bytes == 0) return parallax::error(StatusCode::kInvalidArgument, px_fn, ": bytes must be > 0");
    options->options.max_tensor_bytes = bytes;
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxSessionOptionsSetMaxLoopIterations(PxSessionOptions* options, uint64_t iterations) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(options);
    options->options.max_loop_iterations = iterations;
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxSessionOptionsSetGraphOptimization(PxSessionOptions* options, int enabled) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(options);
    options->options.optimize = enabled != 0;
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxSessionOptionsSetAccelerator(PxSessionOptions* options, const char* name) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(options);
    PX_CAPI_REQUIRE(name);
    parallax::Result<parallax::Accelerator> accelerator = parallax::parse_accelerator(name);
    if (!accelerator.is_ok()) return accelerator.status().with_context(px_fn);
    options->options.accelerator = *accelerator;
    return Status::ok();
  });
}

}  // extern "C"
