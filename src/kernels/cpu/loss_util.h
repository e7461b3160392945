// Shared by NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: the
// weighted negative log-likelihood of targets over class axis 1, with
// ignore_index and none / sum / mean reduction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace loss_detail {

enum class Reduction { kNone, kSum, kMean };

struct LossAttrs {
  Reduction reduction = Reduction::kMean;
  std::optional<int64_t> ignore_index;
};

inline Result<LossAttrs> parse_loss_attrs(const KernelCreateContext& ctx, const char* op) {
  LossAttrs a;
  PX_ASSIGN_OR_RETURN(std::string r, ctx.attrs().get_string("reduction", "mean"));
  if (r == "none")
    a.reduction = Reduction::kNone;
  else if (r == "sum")
    a.reduction = Reduction::kSum;
  else if (r == "mean")
    a.reduction = Reduction::kMean;
  else
    return error(StatusCode::kInvalidArgument, op, ": reduction must be none, sum or mean, got '", r, "'");
  if (ctx.attrs().has("ignore_index")) {
    PX_ASSIGN_OR_RETURN(int64_t ii, ctx.attrs().get_int("ignore_index"));
    a.ignore_index = ii;
  }
  return a;
}

// Shape of the loss output for input shape [N, C, d...].
inline Shape loss_shape(const LossAttrs& a, const Shape& in) {
  if (a.reduction != Reduction::kNone) return {};
  Shape s;
  if (!in.empty()) s.push_back(in[0]);
  for (size_t i = 2; i < in.size(); ++i) s.push_back(in[i]);
  return s;
}

// logp: [N, C, D] (D = product of trailing dims), targets: N*D, weight: C or null.
template <typename T>
Status nll(const char* op, const LossAttrs& a, const T* logp, const std::vector<int64_t>& targets, const T* weight,
           int64_t N, int64_t C, int64_t D, T* out) {
  // Accumulate in double for the reductions (the per-element losses are exact products).
  // One loop over the N * D positions (split_dims checked the product): with
  // D = 0 nested loops would still count N up to 2^31 for nothing.
  double sum = 0, wsum = 0;
  const int64_t positions = N * D;
  for (int64_t i = 0; i < positions; ++i) {
    const int64_t n = i / D, d = i % D;
    int64_t t = targets[static_cast<size_t>(i)];
    T loss = T(0), w = T(0);
    if (!(a.ignore_index && t == *a.ignore_index)) {
      if (t < 0 || t >= C) return error(StatusCode::kInvalidArgument, op, ": target ", t, " is outside [0, ", C, ")");
      w = weight ? weight[t] : T(1);
      loss = -logp[(n * C + t) * D + d] * w;
    }
    if (a.reduction == Reduction::kNone) {
      out[i] = loss;
    } else {
      sum += static_cast<double>(loss);
      wsum += static_cast<double>(w);
    }
  }
  if (a.reduction == Reduction::kSum) out[0] = static_cast<T>(sum);
  if (a.reduction == Reduction::kMean) out[0] = static_cast<T>(sum / wsum);
  return Status::ok();
}

// N, C, D of an input shape [N, C, d...], checked against the targets'
// count before any work: with C = 0 the input holds no bytes, so only the
// targets bound the N * D positions a kernel visits.
inline Status split_dims(const char* op, const Shape& s, size_t num_targets, int64_t& N, int64_t& C, int64_t& D) {
  if (s.size() < 2)
    return error(StatusCode::kInvalidArgument, op, ": input must be at least 2-D, got ", shape_to_string(s));
  N = s[0];
  C = s[1];
  PX_ASSIGN_OR_RETURN(D, checked_prod(s, 2, s.size()));
  PX_ASSIGN_OR_RETURN(int64_t positions, checked_mul(N, D));
  if (static_cast<int64_t>(num_targets) != positions)
    return error(StatusCode::kInvalidArgument, op, ": target has ", num_targets, " elements, expected ", positions);
  return Status::ok();
}

}  // namespace loss_detail
}  // namespace parallax
