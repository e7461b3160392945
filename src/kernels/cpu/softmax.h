// Shared implementation of Softmax, LogSoftmax and Hardmax.
// Before opset 13 the input is coerced to 2-D at `axis` (default 1) and the op
// runs over the flattened trailing block; from opset 13 it runs along the
// single `axis` (default -1).
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

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
      if (i < axis) outer *= d;
      else if (i == axis || coerce_) len *= d;
      else inner *= d;
    }
    if (x.numel() == 0) return Status::ok();
    switch (x.dtype()) {
      case DataType::kFloat32: run<float>(x.data<float>(), y.data<float>(), outer, len, inner, ctx.num_threads()); break;
      case DataType::kFloat64: run<double>(x.data<double>(), y.data<double>(), outer, len, inner, ctx.num_threads()); break;
      default:
        return error(StatusCode::kUnsupported, "element type ", data_type_name(x.dtype()), " is not supported here");
    }
    return Status::ok();
  }

 private:
  template <typename T>
  void run(const T* x, T* y, int64_t outer, int64_t len, int64_t inner, int threads) const {
    const Mode mode = mode_;
    parallel_for(threads, outer * inner, std::max<int64_t>(1, 16384 / std::max<int64_t>(len, 1)), [&](int64_t b, int64_t e) {
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

  template <typename T>
  static void row(const T* x, T* y, int64_t n, Mode mode) {
    T m = x[0];
    int64_t arg = 0;
    for (int64_t i = 1; i < n; ++i)
      if (x[i] > m) {
        m = x[i];
        arg = i;
      }
    if (mode == Mode::kHardmax) {
      for (int64_t i = 0; i < n; ++i) y[i] = T(0);
      y[arg] = T(1);
      return;
    }
    T sum = 0;
    if (mode == Mode::kSoftmax) {
      for (int64_t i = 0; i < n; ++i) {
        y[i] = std::exp(x[i] - m);
        sum += y[i];
      }
      T inv = T(1) / sum;
      for (int64_t i = 0; i < n; ++i) y[i] *= inv;
    } else {
      for (int64_t i = 0; i < n; ++i) sum += std::exp(x[i] - m);
      T l = std::log(sum) + m;
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] - l;
    }
  }

  Mode mode_;
  int64_t axis_;
  bool coerce_;
};

}  // namespace parallax::softmax
