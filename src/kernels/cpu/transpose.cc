// Transpose: permutes dimensions (`perm`, default reversed). Dimensions are
// coalesced first, so NCHW<->NHWC and batched 2-D swaps become a tiled 2-D
// transpose, and permutations keeping the last dimension become row memcpys.
#include <numeric>

#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class TransposeKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<TransposeKernel>();
    if (ctx.attrs().has("perm")) {
      PX_ASSIGN_OR_RETURN(k->perm_, ctx.attrs().get_ints("perm"));
      k->has_perm_ = true;
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& in = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> perm, perm_for(in.size()));
    Shape out(in.size());
    for (size_t j = 0; j < in.size(); ++j) out[j] = in[static_cast<size_t>(perm[j])];
    ctx.set_output(0, ctx.input_dtype(0), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> perm, perm_for(x.rank()));
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    return move::transpose(x.raw(), ctx.output(0).raw(), esize, x.shape(), perm, ctx.num_threads());
  }

 private:
  Result<std::vector<int64_t>> perm_for(size_t rank) const {
    std::vector<int64_t> perm(rank);
    if (!has_perm_) {
      for (size_t j = 0; j < rank; ++j) perm[j] = static_cast<int64_t>(rank - 1 - j);
      return perm;
    }
    if (perm_.size() != rank)
      return error(StatusCode::kInvalidArgument, "Transpose 'perm' has ", perm_.size(), " entries for an input of rank ",
                   rank);
    std::vector<bool> seen(rank, false);
    for (size_t j = 0; j < rank; ++j) {
      int64_t p = perm_[j];
      if (p < 0) p += static_cast<int64_t>(rank);
      if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)])
        return error(StatusCode::kInvalidArgument, "Transpose 'perm' is not a permutation of [0, ", rank, ")");
      seen[static_cast<size_t>(p)] = true;
      perm[j] = p;
    }
    return perm;
  }

  bool has_perm_ = false;
  std::vector<int64_t> perm_;
};

}  // namespace

PX_REGISTER_KERNEL("", "Transpose", 1, kMaxOpset, make_kernel<TransposeKernel>);

}  // namespace parallax
