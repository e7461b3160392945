// One kernel template for every elementwise unary op (Abs, Exp, Sigmoid,
// Elu, IsNaN...). An op is a small functor type:
//
//   struct ExpOp {
//     static constexpr const char* kName = "Exp";
//     template <class T> static constexpr bool accepts = kIsFloat<T>;  // input types
//     template <class T> T operator()(T x) const { ... }              // may return another type (IsNaN: bool)
//     // optional: static Result<ExpOp> make(const KernelCreateContext&);  reads attributes
//     // optional: static constexpr int64_t kCost = 8;                    per-element cost vs an add
//     // optional: static constexpr bool kVectorized = true; with an overload
//     //   simd::F32 operator()(simd::F32 x) const: float runs in whole vectors
//     //   (for math GCC does not vectorise by itself, vmath's)
//   };
//   PX_REGISTER_KERNEL("", "Exp", 1, kMaxOpset, make_kernel<UnaryKernel<ExpOp>>);
//
// The functor is inlined into a flat loop over the tensor, so branch-free
// element functions (see elementwise_math.h) vectorise.
#pragma once

#include <memory>
#include <utility>

#include "core/status_macros.h"
#include "kernels/cpu/simd_f32.h"
#include "kernels/cpu/elementwise_common.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {

template <class Op>
class UnaryKernel final : public OpKernel {
 public:
  explicit UnaryKernel(Op op) : op_(std::move(op)) {}

  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    if constexpr (requires { Op::make(ctx); }) {
      PX_ASSIGN_OR_RETURN(Op op, Op::make(ctx));
      return std::unique_ptr<OpKernel>(std::make_unique<UnaryKernel>(std::move(op)));
    } else {
      return std::unique_ptr<OpKernel>(std::make_unique<UnaryKernel>(Op{}));
    }
  }

  Status infer(InferContext& ctx) const override {
    DataType out = DataType::kUndefined;
    PX_RETURN_IF_ERROR(visit_all(ctx.input_dtype(0), [&]<typename T>() -> Status {
      if constexpr (Op::template accepts<T>) {
        out = data_type_of<Out<T>>();
        return Status::ok();
      } else {
        return unsupported_type(Op::kName, ctx.input_dtype(0));
      }
    }));
    ctx.set_output(0, out, ctx.input_shape(0));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    return visit_all(x.dtype(), [&]<typename T>() -> Status {
      if constexpr (Op::template accepts<T>) {
        const T* in = x.data<T>();
        Out<T>* out = y.data<Out<T>>();
        if constexpr (std::is_same_v<T, float> && kVectorized) {
          parallel_for(ctx.num_threads(), x.numel(), elementwise_grain(), [&](int64_t b, int64_t e) {
            const Op f = op_;
            // auto: clang checks a non-generic lambda's f(F32) even in the
            // discarded branch, where Op may have no such overload.
            simd::transform(in + b, out + b, e - b, [&](auto v) { return f(v); });
          });
          return Status::ok();
        }
        parallel_for(ctx.num_threads(), x.numel(), elementwise_grain(), [&](int64_t b, int64_t e) {
          const Op f = op_;  // a local copy keeps attributes in registers
          for (int64_t i = b; i < e; ++i) out[i] = f(in[i]);
        });
        return Status::ok();
      } else {
        return unsupported_type(Op::kName, x.dtype());
      }
    });
  }

 private:
  template <class T>
  using Out = decltype(std::declval<const Op&>()(std::declval<T>()));

  static constexpr bool kVectorized = requires { requires Op::kVectorized; };

  static int64_t elementwise_grain() {
    int64_t cost = 1;
    if constexpr (requires { Op::kCost; }) cost = Op::kCost;
    return std::max<int64_t>(1024, (int64_t{1} << 15) / cost);
  }

  Op op_;
};

}  // namespace parallax
