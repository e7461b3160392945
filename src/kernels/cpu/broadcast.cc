#include "core/status_macros.h"
#include "kernels/cpu/broadcast.h"

namespace parallax {

Result<BroadcastPlan> BroadcastPlan::make(const Shape& out, const std::vector<Shape>& inputs) {
  BroadcastPlan p;
  const size_t n = inputs.size();
  const size_t rank = out.size();
  p.num_inputs_ = n;
  p.numel_ = shape_numel(out);
  p.inner_step_.assign(n, 1);
  if (n > 64) return error(StatusCode::kUnsupported, "broadcasting over more than 64 inputs");

  // Validate and classify every output dim: bit k set = input k is full there.
  std::vector<uint64_t> full(rank, 0);
  for (size_t k = 0; k < n; ++k) {
    const Shape& s = inputs[k];
    if (s.size() > rank)
      return error(StatusCode::kInvalidArgument, "input ", k, " of shape ", shape_to_string(s),
                   " has more dims than the broadcast output ", shape_to_string(out));
    const size_t lead = rank - s.size();
    for (size_t d = 0; d < s.size(); ++d) {
      int64_t od = out[lead + d];
      if (s[d] == od) {
        full[lead + d] |= uint64_t{1} << k;
      } else if (s[d] != 1) {
        return error(StatusCode::kInvalidArgument, "input ", k, " of shape ", shape_to_string(s),
                     " cannot be broadcast to ", shape_to_string(out));
      }
    }
  }
  if (p.numel_ == 0) return p;

  // Collapse: drop extent-1 dims, merge neighbours with the same pattern.
  std::vector<int64_t> dims;
  std::vector<uint64_t> masks;
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    if (!masks.empty() && masks.back() == full[d]) {
      dims.back() *= out[d];
    } else {
      dims.push_back(out[d]);
      masks.push_back(full[d]);
    }
  }
  if (dims.empty()) return p;  // a single element: inner run of 1, all steps 1
  if (dims.size() - 1 > kMaxRank)
    return error(StatusCode::kUnsupported, "broadcast pattern of ", dims.size(), " alternating dims is too deep");

  // Element strides per input, innermost outwards.
  const size_t r = dims.size();
  std::vector<int64_t> strides(r * n, 0);
  std::vector<int64_t> running(n, 1);
  for (size_t d = r; d-- > 0;) {
    for (size_t k = 0; k < n; ++k) {
      if (masks[d] >> k & 1) {
        strides[d * n + k] = running[k];
        running[k] *= dims[d];
      }
    }
  }
  p.inner_ = dims.back();
  for (size_t k = 0; k < n; ++k) p.inner_step_[k] = (masks.back() >> k & 1) ? 1 : 0;
  p.outer_dims_.assign(dims.begin(), dims.end() - 1);
  p.outer_strides_.assign(strides.begin(), strides.end() - static_cast<std::ptrdiff_t>(n));
  return p;
}

Result<Shape> broadcast_all(const std::vector<Shape>& shapes) {
  if (shapes.empty()) return Shape{};
  Shape out = shapes[0];
  for (size_t i = 1; i < shapes.size(); ++i) {
    PX_ASSIGN_OR_RETURN(out, broadcast_shapes(out, shapes[i]));
  }
  return out;
}

}  // namespace parallax
