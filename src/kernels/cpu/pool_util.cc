#include "core/status_macros.h"
#include "kernels/cpu/pool_util.h"

namespace parallax {

// Out of line: inlined into every window kernel, GCC 12 reported a
// -Wfree-nonheap-object false positive on its vectors.
Result<WindowGeometry> resolve_window(const WindowAttrs& w, const std::vector<int64_t>& in,
                                      const std::vector<int64_t>& k) {
  size_t n = in.size();
  WindowGeometry g;
  g.in = in;
  g.k = k;
  if (k.size() != n)
    return error(StatusCode::kInvalidArgument, "kernel_shape has ", k.size(), " dims but the input has ", n,
                 " spatial dims");
  g.s = w.strides.empty() ? std::vector<int64_t>(n, 1) : w.strides;
  g.d = w.dilations.empty() ? std::vector<int64_t>(n, 1) : w.dilations;
  if (g.s.size() != n) return error(StatusCode::kInvalidArgument, "attribute strides has the wrong length");
  if (g.d.size() != n) return error(StatusCode::kInvalidArgument, "attribute dilations has the wrong length");
  g.pb.assign(n, 0);
  g.pe.assign(n, 0);
  g.out.assign(n, 0);
  if (w.auto_pad == "NOTSET" && !w.pads.empty()) {
    if (w.pads.size() != 2 * n) return error(StatusCode::kInvalidArgument, "attribute pads has the wrong length");
    for (size_t i = 0; i < n; ++i) {
      g.pb[i] = w.pads[i];
      g.pe[i] = w.pads[i + n];
      if (g.pb[i] < 0 || g.pe[i] < 0) return error(StatusCode::kInvalidArgument, "attribute pads must be >= 0");
    }
  }
  // Attributes are unbounded (a model may say strides = 2^62): the window
  // arithmetic is checked. Input sizes are admitted shapes (<= 2^31).
  for (size_t i = 0; i < n; ++i) {
    PX_ASSIGN_OR_RETURN(int64_t ek, checked_mul(k[i] - 1, g.d[i]));
    PX_ASSIGN_OR_RETURN(ek, checked_add(ek, 1));
    if (w.auto_pad == "SAME_UPPER" || w.auto_pad == "SAME_LOWER") {
      g.out[i] = in[i] == 0 ? 0 : (in[i] - 1) / g.s[i] + 1;
      PX_ASSIGN_OR_RETURN(int64_t reach, checked_add(std::max<int64_t>(g.out[i] - 1, 0) * g.s[i], ek));
      int64_t total = std::max<int64_t>(0, reach - in[i]);
      g.pb[i] = w.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      g.pe[i] = total - g.pb[i];
    } else if (w.auto_pad == "VALID") {
      g.out[i] = in[i] >= ek ? (in[i] - ek) / g.s[i] + 1 : 0;
    } else {
      PX_ASSIGN_OR_RETURN(const int64_t begin_padded, checked_add(in[i], g.pb[i]));
      PX_ASSIGN_OR_RETURN(const int64_t padded, checked_add(begin_padded, g.pe[i]));
      int64_t span = padded - ek;
      if (span < 0) {
        g.out[i] = 0;
      } else if (w.ceil_mode) {
        g.out[i] = span / g.s[i] + (span % g.s[i] != 0 ? 1 : 0) + 1;
        // The last window must start inside the input or the begin padding.
        int64_t last_start = 0;
        if (__builtin_mul_overflow(g.out[i] - 1, g.s[i], &last_start) || last_start >= begin_padded) --g.out[i];
      } else {
        g.out[i] = span / g.s[i] + 1;
      }
    }
  }
  return g;
}

}  // namespace parallax
