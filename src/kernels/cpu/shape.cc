// Shape: the input's dimensions as an int64 vector (opset 15 adds start/end).
#include <algorithm>
#include <optional>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class ShapeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<ShapeKernel>();
    PX_ASSIGN_OR_RETURN(k->start_, ctx.attrs().get_int("start", 0));
    if (ctx.attrs().has("end")) {
      PX_ASSIGN_OR_RETURN(int64_t end, ctx.attrs().get_int("end"));
      k->end_ = end;
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    auto [b, e] = range(static_cast<int64_t>(ctx.input_shape(0).size()));
    ctx.set_output(0, DataType::kInt64, {e - b});
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Shape& s = ctx.input(0).shape();
    auto [b, e] = range(static_cast<int64_t>(s.size()));
    int64_t* out = ctx.output(0).data<int64_t>();
    for (int64_t i = b; i < e; ++i) out[i - b] = s[static_cast<size_t>(i)];
    return Status::ok();
  }

 private:
  std::pair<int64_t, int64_t> range(int64_t rank) const {
    auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
    int64_t b = clamp(start_), e = end_ ? clamp(*end_) : rank;
    return {b, std::max(b, e)};
  }
  int64_t start_ = 0;
  std::optional<int64_t> end_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Shape", 1, kMaxOpset, make_kernel<ShapeKernel>);

}  // namespace parallax
