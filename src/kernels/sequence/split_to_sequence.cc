// SplitToSequence: `input` cut along `axis` into a sequence. `split` absent:
// pieces of 1 (the axis dropped when keepdims = 0); a scalar: pieces of that
// length, the last one shorter; a 1-D tensor: the pieces' lengths.
#include <cstring>

#include "kernels/kernel_util.h"
#include "kernels/registry.h"
#include "kernels/sequence/sequence_util.h"

namespace parallax {
namespace {

class SplitToSequenceKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<SplitToSequenceKernel>();
    PX_ASSIGN_OR_RETURN(k->axis_, ctx.attrs().get_int("axis", 0));
    PX_ASSIGN_OR_RETURN(int64_t keepdims, ctx.attrs().get_int("keepdims", 1));
    k->keepdims_ = keepdims != 0;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, DataType::kSequence);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    if (!is_supported(x.dtype()))
      return error(StatusCode::kUnsupported, "a sequence of ", data_type_name(x.dtype()), " tensors is not supported");
    PX_ASSIGN_OR_RETURN(int64_t a, normalize_axis(axis_, static_cast<int64_t>(x.rank())));
    const auto axis = static_cast<size_t>(a);
    const int64_t dim = x.dim(axis);
    if (!ctx.has_input(1)) PX_RETURN_IF_ERROR(check_sequence_length(dim));
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> lengths, piece_lengths(ctx, dim));
    const bool drop_axis = !ctx.has_input(1) && !keepdims_;

    int64_t outer = 1, inner = 1;
    for (size_t d = 0; d < axis; ++d) outer *= x.dim(d);
    for (size_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    const size_t unit = static_cast<size_t>(inner) * element_size(x.dtype());
    const auto* src = static_cast<const std::byte*>(x.raw());
    std::vector<Tensor> items;
    items.reserve(lengths.size());
    int64_t start = 0;
    for (int64_t len : lengths) {
      Shape shape = x.shape();
      shape[axis] = len;
      if (drop_axis) shape.erase(shape.begin() + static_cast<long>(axis));
      PX_ASSIGN_OR_RETURN(Tensor piece, Tensor::create(x.dtype(), std::move(shape)));
      const size_t row = static_cast<size_t>(len) * unit;
      auto* dst = static_cast<std::byte*>(piece.raw());
      for (int64_t o = 0; o < outer && row > 0; ++o)
        std::memcpy(dst + static_cast<size_t>(o) * row, src + (static_cast<size_t>(o * dim + start)) * unit, row);
      items.push_back(std::move(piece));
      start += len;
    }
    return ctx.set_dynamic_output(0, Tensor::sequence(x.dtype(), std::move(items)));
  }

 private:
  // The pieces' lengths along an axis of `dim` elements; they sum to `dim`.
  static Result<std::vector<int64_t>> piece_lengths(const ComputeContext& ctx, int64_t dim) {
    if (!ctx.has_input(1)) return std::vector<int64_t>(static_cast<size_t>(dim), 1);
    const Tensor& split = ctx.input(1);
    if (split.rank() > 1)
      return error(StatusCode::kInvalidArgument, "'split' must be a scalar or 1-D, got shape ",
                   shape_to_string(split.shape()));
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> given, read_int_list(split));
    if (split.rank() == 0) {
      const int64_t piece = given.at(0);
      if (piece <= 0) return error(StatusCode::kInvalidArgument, "'split' ", piece, " must be positive");
      PX_RETURN_IF_ERROR(check_sequence_length(dim / piece + 1));
      std::vector<int64_t> lengths;
      for (int64_t left = dim; left > 0; left -= piece) lengths.push_back(left < piece ? left : piece);
      return lengths;
    }
    PX_RETURN_IF_ERROR(check_sequence_length(static_cast<int64_t>(given.size())));
    int64_t sum = 0;
    for (int64_t len : given) {
      if (len < 0 || len > dim - sum)
        return error(StatusCode::kInvalidArgument, "'split' lengths must be non-negative and sum to ", dim);
      sum += len;
    }
    if (sum != dim) return error(StatusCode::kInvalidArgument, "'split' lengths sum to ", sum, ", not ", dim);
    return given;
  }

  int64_t axis_ = 0;
  bool keepdims_ = true;
};

}  // namespace

PX_REGISTER_KERNEL("", "SplitToSequence", 11, kMaxOpset, make_kernel<SplitToSequenceKernel>);

}  // namespace parallax
