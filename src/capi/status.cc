// PxStatus: the C API's error objects, and PxGetVersionString.
#include <new>

#include "capi/capi_internal.h"

namespace parallax::capi {

namespace {

// Handed out when a status cannot be allocated; never freed.
PxStatus g_out_of_memory{PX_RESOURCE_EXHAUSTED, {}};

}  // namespace

PxStatus* out_of_memory_status() noexcept {
  return &g_out_of_memory;
}

bool is_static_status(const PxStatus* status) noexcept {
  return status == &g_out_of_memory;
}

PxStatus* to_c_status(const Status& status) noexcept {
  if (status.is_ok()) return nullptr;
  try {
    return new PxStatus{static_cast<PxStatusCode>(status.code()), status.message()};
  } catch (...) {
    return out_of_memory_status();
  }
}

Status null_argument(const char* function, const char* argument) {
  return error(StatusCode::kInvalidArgument, function, ": argument '", argument, "' is NULL");
}

}  // namespace parallax::capi

extern "C" {

PX_CAPI const char* PxGetVersionString(void) {
  return PARALLAX_VERSION_STRING;
}

PX_CAPI PxStatusCode PxStatusGetCode(const PxStatus* status) {
  return status ? status->code : PX_OK;
}

PX_CAPI const char* PxStatusGetMessage(const PxStatus* status) {
  if (status == nullptr) return "";
  // The static status has no heap string to hold its message.
  if (parallax::capi::is_static_status(status)) return "out of memory";
  return status->message.c_str();
}

PX_CAPI void PxStatusRelease(PxStatus* status) {
  if (!parallax::capi::is_static_status(status)) delete status;
}

PX_CAPI const char* PxStatusCodeName(PxStatusCode code) {
  switch (code) {
    case PX_OK:
    case PX_INVALID_ARGUMENT:
    case PX_INVALID_MODEL:
    case PX_UNSUPPORTED:
    case PX_NOT_FOUND:
    case PX_RESOURCE_EXHAUSTED:
    case PX_INTERNAL: return parallax::status_code_name(static_cast<parallax::StatusCode>(code));
  }
  return "Unknown";
}

}  // extern "C"
