// Helpers of the OpenCL tests: run a model with and without the accelerator
// and compare.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "parallax/session.h"
#include "tools/op_list.h"

namespace parallax::testing {

// A new OpenCL backend with default settings (its own counters), or null
// when this machine or build has none.
inline std::shared_ptr<Backend> opencl_backend(const OpenClOptions& options = {}) {
  auto b = make_backend(Accelerator::kOpenCL, options);
  return b.is_ok() ? *b : nullptr;
}

#define PX_SKIP_WITHOUT_OPENCL()                                                                        \
  do {                                                                                                  \
    if (!::parallax::testing::opencl_backend())                                                         \
      GTEST_SKIP() << "no OpenCL device: " << make_backend(Accelerator::kOpenCL, {}).status().message(); \
  } while (0)

inline Tensor random_tensor(const Shape& shape, std::mt19937& rng, float lo = -2.0f, float hi = 2.0f) {
  Tensor t = Tensor::allocate(DataType::kFloat32, shape);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

// Runs a model once in a new session; `accelerator_ops` empty = CPU only,
// "*" = every op the backend supports, else an op list (tools/op_list.h).
// `counters` (optional) gets what the session's device did.
inline Result<std::vector<Tensor>> run_model(const std::string& model_bytes_or_path, bool is_path,
                                             const std::vector<NamedTensor>& inputs, const std::string& accelerator_ops,
                                             int threads = 1, const OpenClOptions& opencl = {},
                                             AcceleratorCounters* counters = nullptr) {
  SessionOptions options;
  if (!accelerator_ops.empty()) {
    options.accelerator = Accelerator::kOpenCL;
    if (accelerator_ops != "*") {
      auto ops = tools::parse_op_list(accelerator_ops);
      if (!ops.is_ok()) return ops.status();
      options.accelerator_ops.assign(ops->begin(), ops->end());
    }
    options.offload = "all";  // a calibrated profile on this machine must not change what the tests offload
    options.opencl = opencl;
  }
  options.num_threads = threads;
  auto session = is_path ? Session::open(model_bytes_or_path, options)
                         : Session::open_from_bytes(model_bytes_or_path, options);
  if (!session.is_ok()) return session.status();
  auto outputs = (*session)->run(inputs);
  if (counters) *counters = (*session)->accelerator_counters();
  return outputs;
}

// |a - b| <= rtol * max(|a|, |b|) + atol for every element, or for all but
// a `max_mismatch` fraction of each output's elements (data-dependent
// outputs such as NMS detections); the first mismatch otherwise.
inline ::testing::AssertionResult all_close(const std::vector<Tensor>& want, const std::vector<Tensor>& got,
                                            double rtol, double atol, double max_mismatch = 0) {
  if (want.size() != got.size()) return ::testing::AssertionFailure() << "output counts differ";
  for (size_t o = 0; o < want.size(); ++o) {
    if (want[o].shape() != got[o].shape())
      return ::testing::AssertionFailure() << "output " << o << " shapes differ: " << shape_to_string(want[o].shape())
                                           << " vs " << shape_to_string(got[o].shape());
    if (want[o].dtype() != DataType::kFloat32) continue;
    const float* a = want[o].data<float>();
    const float* b = got[o].data<float>();
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < want[o].numel(); ++i) {
      const double x = a[i], y = b[i];
      if (!(std::fabs(x - y) <= rtol * std::max(std::fabs(x), std::fabs(y)) + atol)) {
        if (bad++ == 0) first = i;
      }
    }
    if (bad > static_cast<int64_t>(max_mismatch * static_cast<double>(want[o].numel())))
      return ::testing::AssertionFailure() << "output " << o << ": " << bad << " of " << want[o].numel()
                                           << " elements differ; first, element " << first << ": CPU " << a[first]
                                           << ", device " << b[first];
  }
  return ::testing::AssertionSuccess();
}

}  // namespace parallax::testing
