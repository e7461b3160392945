// libFuzzer target: arbitrary bytes as an ONNX model file.
//
// Loading, the graph IR, the graph cleanups and compiling must either work or
// return an error Status; a model that opens and whose inputs all have small
// static shapes is then run once on zero inputs, so that the kernels' shape
// checks see the same hostile graphs. The small max_tensor_bytes makes
// allocation bombs (a 2^40-element initializer or activation) a clean
// ResourceExhausted instead of an out-of-memory kill.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "parallax/session.h"

namespace {

constexpr int64_t kMaxInputElements = int64_t{1} << 16;

// Zero inputs of the declared shapes, or false when some input has a symbolic
// dim, an unsupported type or too many elements (running it would test the
// fuzzer's choice of shape, not the file).
bool make_zero_inputs(const parallax::Session& session, std::vector<parallax::NamedTensor>& inputs) {
  for (const parallax::TensorInfo& info : session.inputs()) {
    if (!parallax::is_supported(info.dtype) || !info.has_shape) return false;
    int64_t numel = 1;
    for (int64_t d : info.shape) {
      if (d < 0 || d > kMaxInputElements) return false;
      numel *= d;
      if (numel > kMaxInputElements) return false;
    }
    inputs.push_back({info.name, parallax::Tensor::allocate(info.dtype, info.shape)});
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  parallax::SessionOptions options;
  options.max_tensor_bytes = size_t{64} << 20;
  options.max_loop_iterations = 10000;  // a fuzzed while-loop may never end
  auto session = parallax::Session::open_from_bytes(std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!session.is_ok()) return 0;
  std::vector<parallax::NamedTensor> inputs;
  if (!make_zero_inputs(**session, inputs)) return 0;
  auto outputs = (*session)->run(inputs);
  (void)outputs;  // any Status is fine; only crashes and sanitizer reports count
  return 0;
}
