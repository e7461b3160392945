// Window geometry shared by Conv, the pooling ops and their relatives:
// parses kernel_shape / strides / dilations / pads / auto_pad / ceil_mode and
// computes output spatial sizes and the effective pads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/op_kernel.h"
#include "parallax/status.h"

namespace parallax {

struct WindowAttrs {
  std::vector<int64_t> kernel;     // may be empty (Conv infers it from W)
  std::vector<int64_t> strides;    // empty = all 1
  std::vector<int64_t> dilations;  // empty = all 1
  std::vector<int64_t> pads;       // empty = all 0; [begin..., end...]
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;

  static Result<WindowAttrs> parse(const Attributes& a, bool want_kernel) {
    WindowAttrs w;
    if (want_kernel || a.has("kernel_shape")) {
      PX_ASSIGN_OR_RETURN(w.kernel, a.get_ints("kernel_shape", std::vector<int64_t>{}));
      if (want_kernel && w.kernel.empty())
        return error(StatusCode::kInvalidArgument, "attribute kernel_shape is required");
    }
    PX_ASSIGN_OR_RETURN(w.strides, a.get_ints("strides", std::vector<int64_t>{}));
    PX_ASSIGN_OR_RETURN(w.dilations, a.get_ints("dilations", std::vector<int64_t>{}));
    PX_ASSIGN_OR_RETURN(w.pads, a.get_ints("pads", std::vector<int64_t>{}));
    PX_ASSIGN_OR_RETURN(w.auto_pad, a.get_string("auto_pad", std::string("NOTSET")));
    PX_ASSIGN_OR_RETURN(int64_t ceil, a.get_int("ceil_mode", 0));
    w.ceil_mode = ceil != 0;
    if (w.auto_pad != "NOTSET" && w.auto_pad != "SAME_UPPER" && w.auto_pad != "SAME_LOWER" && w.auto_pad != "VALID")
      return error(StatusCode::kInvalidArgument, "attribute auto_pad has unknown value '", w.auto_pad, "'");
    for (int64_t s : w.strides)
      if (s <= 0) return error(StatusCode::kInvalidArgument, "attribute strides must be positive");
    for (int64_t d : w.dilations)
      if (d <= 0) return error(StatusCode::kInvalidArgument, "attribute dilations must be positive");
    for (int64_t k : w.kernel)
      if (k <= 0) return error(StatusCode::kInvalidArgument, "attribute kernel_shape must be positive");
    return w;
  }
};

// Fully resolved geometry for `n` spatial dims.
struct WindowGeometry {
  std::vector<int64_t> in, out, k, s, d, pb, pe;
  size_t rank() const { return in.size(); }
};

// Resolves `w` against the input spatial sizes `in` and kernel sizes `k`.
Result<WindowGeometry> resolve_window(const WindowAttrs& w, const std::vector<int64_t>& in,
                                      const std::vector<int64_t>& k);

}  // namespace parallax
