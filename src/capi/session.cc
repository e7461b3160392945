// PxSession: parallax::Session behind a C handle: open, describe the graph's
// inputs and outputs, run. Every pointer a caller passes is checked before
// it is read; a run's outputs are handed over only when all of them exist.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "capi/capi_internal.h"
#include "capi/data_types.h"
#include "core/status_macros.h"

using parallax::Status;
using parallax::StatusCode;
using parallax::TensorInfo;

namespace {

const parallax::SessionOptions& options_or_default(const PxSessionOptions* options) {
  static const parallax::SessionOptions kDefaults;
  return options ? options->options : kDefaults;
}

Status adopt_session(parallax::Result<std::unique_ptr<parallax::Session>> opened, PxSession** out) {
  if (!opened.is_ok()) return opened.status();
  *out = new PxSession{std::move(opened).value()};
  return Status::ok();
}

// The index-th entry of the session's inputs or outputs, or an error naming the range.
parallax::Result<const TensorInfo*> info_at(const char* function, const std::vector<TensorInfo>& infos, size_t index,
                                            const char* what) {
  if (index >= infos.size())
    return parallax::error(StatusCode::kInvalidArgument, function, ": ", what, " index ", index,
                           " is out of range, the model has ", infos.size(), ' ', what, 's');
  return &infos[index];
}

Status get_name(const char* px_fn, const PxSession* session, size_t index, const char** out, bool input) {
  PX_CAPI_REQUIRE(session);
  PX_CAPI_REQUIRE(out);
  const auto& infos = input ? session->session->inputs() : session->session->outputs();
  PX_ASSIGN_OR_RETURN(const TensorInfo* info, info_at(px_fn, infos, index, input ? "input" : "output"));
  *out = info->name.c_str();
  return Status::ok();
}

Status get_type(const char* px_fn, const PxSession* session, size_t index, PxDataType* out, bool input) {
  PX_CAPI_REQUIRE(session);
  PX_CAPI_REQUIRE(out);
  const auto& infos = input ? session->session->inputs() : session->session->outputs();
  PX_ASSIGN_OR_RETURN(const TensorInfo* info, info_at(px_fn, infos, index, input ? "input" : "output"));
  if (info->dtype == parallax::DataType::kSequence || info->optional)
    return parallax::error(StatusCode::kUnsupported, px_fn, ": ", input ? "input" : "output", " '", info->name,
                           "' is a sequence or an optional, which the C API does not pass");
  PX_ASSIGN_OR_RETURN(*out, parallax::capi::to_px_data_type(px_fn, std::string(input ? "input '" : "output '") + info->name + "'",
                                                   info->dtype));
  return Status::ok();
}

Status get_shape(const char* px_fn, const PxSession* session, size_t index, const int64_t** dims, int64_t* rank,
                 bool input) {
  PX_CAPI_REQUIRE(session);
  PX_CAPI_REQUIRE(dims);
  PX_CAPI_REQUIRE(rank);
  const auto& infos = input ? session->session->inputs() : session->session->outputs();
  PX_ASSIGN_OR_RETURN(const TensorInfo* info, info_at(px_fn, infos, index, input ? "input" : "output"));
  *dims = info->has_shape ? info->shape.data() : nullptr;
  *rank = info->has_shape ? static_cast<int64_t>(info->shape.size()) : -1;
  return Status::ok();
}

// The named inputs of a run, every pointer checked.
parallax::Result<std::vector<parallax::NamedTensor>> read_inputs(const char* px_fn, const char* const* input_names,
                                                                 const PxTensor* const* inputs, size_t count) {
  std::vector<parallax::NamedTensor> named;
  if (count == 0) return named;
  PX_CAPI_REQUIRE(input_names);
  PX_CAPI_REQUIRE(inputs);
  named.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (input_names[i] == nullptr)
      return parallax::error(StatusCode::kInvalidArgument, px_fn, ": input_names[", i, "] is NULL");
    if (inputs[i] == nullptr)
      return parallax::error(StatusCode::kInvalidArgument, px_fn, ": inputs[", i, "] ('", input_names[i], "') is NULL");
    named.push_back({input_names[i], inputs[i]->tensor});
  }
  return named;
}

}  // namespace

extern "C" {

PX_CAPI PxStatus* PxSessionCreate(const char* model_path, const PxSessionOptions* options, PxSession** out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(out);
    *out = nullptr;
    PX_CAPI_REQUIRE(model_path);
    return adopt_session(parallax::Session::open(model_path, options_or_default(options)), out);
  });
}

PX_CAPI PxStatus* PxSessionCreateFromBytes(const void* model_bytes, size_t size, const PxSessionOptions* options,
                                           PxSession** out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(out);
    *out = nullptr;
    if (size > 0) PX_CAPI_REQUIRE(model_bytes);
    std::string_view bytes(size > 0 ? static_cast<const char*>(model_bytes) : "", size);
    return adopt_session(parallax::Session::open_from_bytes(bytes, options_or_default(options)), out);
  });
}

PX_CAPI void PxSessionRelease(PxSession* session) {
  delete session;
}

PX_CAPI PxStatus* PxSessionGetInputCount(const PxSession* session, size_t* out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(session);
    PX_CAPI_REQUIRE(out);
    *out = session->session->inputs().size();
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxSessionGetOutputCount(const PxSession* session, size_t* out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    PX_CAPI_REQUIRE(session);
    PX_CAPI_REQUIRE(out);
    *out = session->session->outputs().size();
    return Status::ok();
  });
}

PX_CAPI PxStatus* PxSessionGetInputName(const PxSession* session, size_t index, const char** out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) { return get_name(px_fn, session, index, out, true); });
}

PX_CAPI PxStatus* PxSessionGetOutputName(const PxSession* session, size_t index, const char** out) {
  return parallax::capi::guard(__func__,
                               [&](const char* px_fn) { return get_name(px_fn, session, index, out, false); });
}

PX_CAPI PxStatus* PxSessionGetInputType(const PxSession* session, size_t index, PxDataType* out) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) { return get_type(px_fn, session, index, out, true); });
}

PX_CAPI PxStatus* PxSessionGetOutputType(const PxSession* session, size_t index, PxDataType* out) {
  return parallax::capi::guard(__func__,
                               [&](const char* px_fn) { return get_type(px_fn, session, index, out, false); });
}

PX_CAPI PxStatus* PxSessionGetInputShape(const PxSession* session, size_t index, const int64_t** dims, int64_t* rank) {
  return parallax::capi::guard(__func__,
                               [&](const char* px_fn) { return get_shape(px_fn, session, index, dims, rank, true); });
}

PX_CAPI PxStatus* PxSessionGetOutputShape(const PxSession* session, size_t index, const int64_t** dims, int64_t* rank) {
  return parallax::capi::guard(__func__,
                               [&](const char* px_fn) { return get_shape(px_fn, session, index, dims, rank, false); });
}

PX_CAPI PxStatus* PxSessionRun(PxSession* session, const char* const* input_names, const PxTensor* const* inputs,
                               size_t input_count, const char* const* output_names, size_t output_count,
                               PxTensor** outputs) {
  return parallax::capi::guard(__func__, [&](const char* px_fn) -> Status {
    if (output_count > 0) {
      PX_CAPI_REQUIRE(outputs);
      for (size_t i = 0; i < output_count; ++i) outputs[i] = nullptr;
    }
    PX_CAPI_REQUIRE(session);
    PX_ASSIGN_OR_RETURN(std::vector<parallax::NamedTensor> named, read_inputs(px_fn, input_names, inputs, input_count));
    std::vector<std::string> wanted;
    if (output_names == nullptr) {
      // All outputs: the caller's array must be sized for them.
      const size_t all = session->session->outputs().size();
      if (output_count != all)
        return parallax::error(StatusCode::kInvalidArgument, px_fn, ": output_names is NULL (all outputs) but ",
                               "output_count is ", output_count, ", the model has ", all, " outputs");
    } else {
      if (output_count == 0)
        return parallax::error(StatusCode::kInvalidArgument, px_fn, ": output_count is 0; pass output_names = NULL ",
                               "to ask for all outputs");
      wanted.reserve(output_count);
      for (size_t i = 0; i < output_count; ++i) {
        if (output_names[i] == nullptr)
          return parallax::error(StatusCode::kInvalidArgument, px_fn, ": output_names[", i, "] is NULL");
        wanted.emplace_back(output_names[i]);
      }
    }
    parallax::Result<std::vector<parallax::Tensor>> result = session->session->run(named, wanted);
    if (!result.is_ok()) return result.status();
    if (result->size() != output_count)
      return parallax::error(StatusCode::kInternal, px_fn, ": the run returned ", result->size(), " outputs for ",
                             output_count, " asked");
    // Wrap them all before handing any over, so that an allocation failure leaks nothing.
    std::vector<std::unique_ptr<PxTensor>> wrapped;
    wrapped.reserve(output_count);
    for (size_t i = 0; i < output_count; ++i)
      if ((*result)[i].is_sequence() || (*result)[i].is_none())
        return parallax::error(StatusCode::kUnsupported, px_fn, ": output ", i,
                               " is a sequence or an empty optional, which the C API does not return");
    for (parallax::Tensor& t : *result) wrapped.push_back(std::make_unique<PxTensor>(PxTensor{std::move(t)}));
    for (size_t i = 0; i < output_count; ++i) outputs[i] = wrapped[i].release();
    return Status::ok();
  });
}

}  // extern "C"
