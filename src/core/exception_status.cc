#include "core/exception_status.h"

#include <new>
#include <string>

namespace parallax {

Status status_of_exception(std::exception_ptr exception, std::string_view where) {
  const std::string prefix = std::string(where) + ": ";
  try {
    std::rethrow_exception(exception);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kResourceExhausted, prefix + "out of memory");
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, prefix + "unexpected exception: " + e.what());
  } catch (...) {
    return Status(StatusCode::kInternal, prefix + "unexpected exception of unknown type");
  }
}

}  // namespace parallax
