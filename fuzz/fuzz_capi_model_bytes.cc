// libFuzzer target: arbitrary bytes as a model, through the C API's
// PxSessionCreateFromBytes, as a C program would hand them over.
//
// Opening must return a session or an error status, never crash or leak; a
// session that opens is described (every input's name, type and shape read
// through the C getters) and, when its inputs are all small and static, run
// once on zero tensors made with PxTensorCreate, asking for all outputs.
// The small max tensor bytes makes allocation bombs clean errors.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "parallax/c_api.h"

namespace {

constexpr int64_t kMaxInputElements = int64_t{1} << 16;

// Releases a status and says whether there was one.
bool failed(PxStatus* status) {
  const bool bad = status != nullptr;
  PxStatusRelease(status);
  return bad;
}

// Zero inputs of the declared shapes; false when one is symbolic, huge or of no flat type.
bool make_inputs(PxSession* session, std::vector<const char*>& names, std::vector<PxTensor*>& tensors) {
  size_t count = 0;
  if (failed(PxSessionGetInputCount(session, &count))) return false;
  for (size_t i = 0; i < count; ++i) {
    const char* name = nullptr;
    PxDataType type = PX_UNDEFINED;
    const int64_t* dims = nullptr;
    int64_t rank = 0;
    if (failed(PxSessionGetInputName(session, i, &name)) || failed(PxSessionGetInputType(session, i, &type)) ||
        failed(PxSessionGetInputShape(session, i, &dims, &rank)) || rank < 0)
      return false;
    int64_t numel = 1;
    for (int64_t d = 0; d < rank; ++d) {
      if (dims[d] < 0 || dims[d] > kMaxInputElements) return false;
      numel *= dims[d];
      if (numel > kMaxInputElements) return false;
    }
    PxTensor* tensor = nullptr;
    if (failed(PxTensorCreate(type, dims, static_cast<size_t>(rank), &tensor))) return false;
    names.push_back(name);
    tensors.push_back(tensor);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  PxSessionOptions* options = nullptr;
  if (failed(PxSessionOptionsCreate(&options))) return 0;
  (void)failed(PxSessionOptionsSetMaxTensorBytes(options, size_t{64} << 20));
  (void)failed(PxSessionOptionsSetMaxLoopIterations(options, 10000));  // a fuzzed while-loop may never end
  PxSession* session = nullptr;
  PxStatus* status = PxSessionCreateFromBytes(data, size, options, &session);
  PxSessionOptionsRelease(options);
  if (status != nullptr) {
    (void)PxStatusGetMessage(status);
    PxStatusRelease(status);
    return 0;
  }
  std::vector<const char*> names;
  std::vector<PxTensor*> inputs;
  size_t outputs = 0;
  if (make_inputs(session, names, inputs) && !failed(PxSessionGetOutputCount(session, &outputs))) {
    std::vector<PxTensor*> results(outputs, nullptr);
    std::vector<const PxTensor*> in(inputs.begin(), inputs.end());
    (void)failed(PxSessionRun(session, names.data(), in.data(), in.size(), nullptr, outputs, results.data()));
    for (PxTensor* t : results) PxTensorRelease(t);
  }
  for (PxTensor* t : inputs) PxTensorRelease(t);
  PxSessionRelease(session);
  return 0;
}
