// Exceptions stop at the API: what a library call throws (std::bad_alloc
// from an allocation, dnnl::error, a std::system_error from a thread) becomes
// an error Status where the runtime hands work to code it does not control:
// the public entry points and each step a worker thread runs. An exception
// that reached a worker thread's top would end the process.
//
//   Result<Tensor> r = return_status_on_exception("Session::run", [&] { return run_impl(); });
#pragma once

#include <exception>
#include <string_view>

#include "parallax/status.h"

namespace parallax {

// The Status for an exception caught by `catch (...)`: ResourceExhausted for
// std::bad_alloc, Internal naming the exception otherwise. `where` prefixes
// the message.
Status status_of_exception(std::exception_ptr exception, std::string_view where);

// body()'s Status or Result, or the exception it threw as a Status.
template <typename Body>
auto return_status_on_exception(std::string_view where, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (...) {
    return status_of_exception(std::current_exception(), where);
  }
}

}  // namespace parallax
