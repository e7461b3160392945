// Status and Result: the one error model of Parallax.
//
// Every fallible function returns a [[nodiscard]] Status or Result<T>; no
// exceptions cross a Parallax API (Tensor::allocate, which documents that it
// throws like std::vector, aside). Messages name what is wrong: the node, the
// value, the violated constraint.
//
//   parallax::Result<int> parse(std::string_view s);
//   parallax::Result<int> n = parse("42");
//   if (!n.is_ok()) std::cerr << n.status().to_string();
#pragma once

#include <cassert>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <variant>

#include "parallax/export.h"

namespace parallax {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // caller passed something wrong (input shape, dtype, option)
  kInvalidModel,      // the model file or graph is malformed
  kUnsupported,       // valid ONNX we do not implement (op, opset, dtype)
  kNotFound,          // a named thing does not exist (file, input, output)
  kResourceExhausted, // a memory limit or budget would be exceeded
  kInternal,          // a broken invariant inside Parallax
};

PARALLAX_API const char* status_code_name(StatusCode code);

class [[nodiscard]] PARALLAX_API Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "Unsupported: op 'Foo' (domain '', opset 13) has no kernel"
  std::string to_string() const;

  // Prefixes context, e.g. the node that failed: "node 'conv1' (Conv): ...".
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Builds a Status from streamed parts: error(StatusCode::kInvalidArgument, "axis ", a, " out of range").
template <typename... Parts>
Status error(StatusCode code, const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return Status(code, out.str());
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.is_ok() && "Result built from an ok Status has no value");
  }

  bool is_ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace parallax
