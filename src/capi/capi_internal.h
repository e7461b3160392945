// What the C API's opaque handles hold, and the guard that keeps C++ errors
// and exceptions on this side of the boundary. Internal to src/capi/.
//
//   PxStatus* PxThing(PxSession* session, size_t* out) {
//     return parallax::capi::guard(__func__, [&](const char* px_fn) -> parallax::Status {
//       PX_CAPI_REQUIRE(session);
//       PX_CAPI_REQUIRE(out);
//       *out = ...;
//       return parallax::Status::ok();
//     });
//   }
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "parallax/c_api.h"
#include "parallax/session.h"
#include "parallax/status.h"
#include "parallax/tensor.h"

struct PxStatus {
  PxStatusCode code;
  std::string message;
};

struct PxSessionOptions {
  parallax::SessionOptions options;
};

struct PxSession {
  std::unique_ptr<parallax::Session> session;
};

struct PxTensor {
  parallax::Tensor tensor;
};

namespace parallax::capi {

// A heap PxStatus for an error (nullptr for ok). When even that allocation
// fails, a static "out of memory" status stands in: PxStatusRelease knows it.
PxStatus* to_c_status(const Status& status) noexcept;
PxStatus* out_of_memory_status() noexcept;
bool is_static_status(const PxStatus* status) noexcept;

// Runs body(function), turning its Status into a PxStatus* and any exception
// into an error status: nothing thrown inside the library reaches a C caller.
// `function` is the C function's name, for messages (a lambda's __func__ is
// "operator()").
template <typename Body>
PxStatus* guard(const char* function, Body&& body) noexcept {
  try {
    return to_c_status(std::forward<Body>(body)(function));
  } catch (const std::bad_alloc&) {
    return out_of_memory_status();
  } catch (const std::exception& e) {
    return to_c_status(Status(StatusCode::kInternal, std::string("unexpected exception: ") + e.what()));
  } catch (...) {
    return to_c_status(Status(StatusCode::kInternal, "unexpected exception of unknown type"));
  }
}

// An error naming the NULL argument, e.g. "PxSessionRun: argument 'session' is NULL".
Status null_argument(const char* function, const char* argument);

}  // namespace parallax::capi

// Returns InvalidArgument naming `arg` from the enclosing guard body (whose
// parameter is px_fn) when it is NULL.
#define PX_CAPI_REQUIRE(arg)                                                   \
  do {                                                                         \
    if ((arg) == nullptr) return ::parallax::capi::null_argument(px_fn, #arg); \
  } while (0)
