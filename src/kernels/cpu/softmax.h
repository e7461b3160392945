// Shared implementation of Softmax, LogSoftmax and Hardmax.
// Before opset 13 the input is coerced to 2-D at `axis` (default 1) and the op
// runs over the flattened trailing block; from opset 13 it runs along the
// single `axis` (default -1).
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <type_traits>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/elementwise_math.h"
#include "kernels/cpu/softmax_row.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax::softmax {

enum class Mode { kSoftmax, kLogSoftmax, kHardmax };

class SoftmaxKernel final : public OpKernel {
 public:
  SoftmaxKernel(Mode mode, int64_t axis, bool coerce) : mode_(mode), axis_(axis), coerce_(coerce) {}

  static Result<std::unique_ptr<OpKernel>> create_mode(const KernelCreateContext& ctx, Mode mode) {
    bool coerce = ctx.opset() < 13;
    PX_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().get_int("axis", coerce ? 1 : -1));
    return std::unique_ptr<OpKernel>(std::make_unique<SoftmaxKernel>(mode, axis, coerce));
  }

  Status infer(InferContext& ctx) const override {
    auto axis = normalize_axis(axis_, static_cast<int64_t>(ctx.input_shape(0).size()));
    if (!axis.is_ok()) return axis.status();
    return infer_same_as_input0(ctx);
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    int64_t rank = static_cast<int64_t>(x.rank());
    PX_ASSIGN_OR_RETURN(int64_t axis, normalize_axis(axis_, rank));
    int64_t outer = 1, len = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = x.dim(static_cast<size_t>(i));
      if (i < axis)
        outer *= d;
      else if (i == axis || coerce_)
        len *= d;
      else
        inner *= d;
    }
    if (x.numel() == 0) return Status::ok();
    switch (x.dtype()) {
      case DataType::kFloat32:
        run<float>(x.data<float>(), y.data<float>(), outer, len, inner, ctx.num_threads());
        break;
      case DataType::kFloat64:
        run<double>(x.data<double>(), y.data<double>(), outer, len, inner, ctx.num_threads());
        break;
      default:
        return error(StatusCode::kUnsupported, "element type ", data_type_name(x.dtype()), " is not supported here");
    }
    return Status::ok();
  }

 private:
  template <typename T>
  void run(const T* x, T* y, int64_t outer, int64_t len, int64_t inner, int threads) const {
    const Mode mode = mode_;
    parallel_for(threads, outer * inner, std::max<int64_t>(1, 16384 / std::max<int64_t>(len, 1)),
                 [&](int64_t b, int64_t e) {
                   std::vector<T> tmp;
                   for (int64_t r = b; r < e; ++r) {
                     int64_t o = r / inner, in = r % inner;
                     const T* xp = x + o * len * inner + in;
                     T* yp = y + o * len * inner + in;
                     if (inner == 1) {
                       row<T>(xp, yp, len, mode);
                     } else {
                       tmp.resize(static_cast<size_t>(2 * len));
                       for (int64_t i = 0; i < len; ++i) tmp[i] = xp[i * inner];
                       row<T>(tmp.data(), tmp.data() + len, len, mode);
                       for (int64_t i = 0; i < len; ++i) yp[i * inner] = tmp[len + i];
                     }
                   }
                 });
  }

  // Attention rows are long (whisper's encoder: 6 x 1500 rows of 1500 per
  // layer), and the exponentials dominated: with std::exp Softmax took 39 %
  // of whisper_tiny_encoder's time (528 ms of 1300; about 115 ms with the
  // loops below). Hence the branch-free exp for float and reductions split
  // over kLanes independent partial results, so that the max, exp and sum
  // loops vectorise.
  static constexpr int kLanes = 8;

  // e^v for v <= 0. Below ln(FLT_MIN) the result is flushed to 0 rather
  // than left denormal: masked scores (-inf) would otherwise give 1e-45
  // weights that slow down the MatMul reading them.
  template <typename T>
  static T exp_of(T v) {
    if constexpr (std::is_same_v<T, float>) {
      float e = vmath::exp_f32(v);
      return v < -87.33f ? 0.0f : e;
    } else {
      return std::exp(v);
    }
  }

  // Largest element; a NaN is skipped as the running `x > m` test skips it
  // (it still turns the row into NaN through its exponential).
  template <typename T>
  static T max_of(const T* x, int64_t n) {
    T lane[kLanes];
    std::fill(lane, lane + kLanes, x[0]);
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; ++j) lane[j] = x[i + j] > lane[j] ? x[i + j] : lane[j];
    T m = lane[0];
    for (int j = 1; j < kLanes; ++j) m = lane[j] > m ? lane[j] : m;
    for (; i < n; ++i) m = x[i] > m ? x[i] : m;
    return m;
  }

  template <typename T>
  static T sum_of(const T* y, int64_t n) {
    T lane[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; ++j) lane[j] += y[i + j];
    T sum = 0;
    for (int j = 0; j < kLanes; ++j) sum += lane[j];
    for (; i < n; ++i) sum += y[i];
    return sum;
  }

  template <typename T>
  static void row(const T* x, T* y, int64_t n, Mode mode) {
    if (mode == Mode::kHardmax) {
      // The first of equal maxima wins, so this one keeps its index.
      T m = x[0];
      int64_t arg = 0;
      for (int64_t i = 1; i < n; ++i)
        if (x[i] > m) {
          m = x[i];
          arg = i;
        }
      for (int64_t i = 0; i < n; ++i) y[i] = T(0);
      y[arg] = T(1);
      return;
    }
    if constexpr (std::is_same_v<T, float>) {
      if (mode == Mode::kSoftmax) return softmax_row_f32(x, y, n);  // softmax_row.h
    }
    const T m = max_of(x, n);
    if (mode == Mode::kSoftmax) {
      for (int64_t i = 0; i < n; ++i) y[i] = exp_of(x[i] - m);
      T inv = T(1) / sum_of(y, n);
      for (int64_t i = 0; i < n; ++i) y[i] *= inv;
    } else {
      // y may be x (in place), so the exponentials are not stored in y.
      T sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += exp_of(x[i] - m);
      T l = std::log(sum) + m;
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] - l;
    }
  }

  Mode mode_;
  int64_t axis_;
  bool coerce_;
};

}  // namespace parallax::softmax
