// Early returns for Status and Result, used throughout the implementation.
// Internal: the public headers export the error model (parallax/status.h),
// not these macros, so that a user's own macros of the same name never clash.
//
//   PX_RETURN_IF_ERROR(validate(node));
//   PX_ASSIGN_OR_RETURN(std::vector<int64_t> axes, read_int_list(ctx.input(1)));
#pragma once

#include <utility>

#include "parallax/status.h"

#define PX_CONCAT_INNER(a, b) a##b
#define PX_CONCAT(a, b) PX_CONCAT_INNER(a, b)

#define PX_RETURN_IF_ERROR(expr)                  \
  do {                                            \
    ::parallax::Status px_status_ = (expr);       \
    if (!px_status_.is_ok()) return px_status_;   \
  } while (0)

#define PX_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.is_ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define PX_ASSIGN_OR_RETURN(lhs, expr) \
  PX_ASSIGN_OR_RETURN_IMPL(PX_CONCAT(px_result_, __LINE__), lhs, expr)

// Returns an error Status from the enclosing function when cond is false.
#define PX_CHECK(cond, code, ...)                                        \
  do {                                                                   \
    if (!(cond)) return ::parallax::error(::parallax::StatusCode::code, __VA_ARGS__); \
  } while (0)
