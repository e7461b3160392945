// Tile: repeats the input `repeats[d]` times along each dim (opset 6+;
// opset 1 took a scalar `tiles` and `axis`). The input is placed once, then
// doubled up from the innermost dimension outwards with block memcpys.
#include <algorithm>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class TileKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<TileKernel>();
    k->legacy_ = ctx.opset() < 6;
    if (!ctx.has_input(1) || (k->legacy_ && !ctx.has_input(2)))
      return error(StatusCode::kInvalidModel, "Tile is missing its repeats input");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Tensor* r = ctx.input_value(1);
    const Tensor* a = legacy_ ? ctx.input_value(2) : nullptr;
    if (r == nullptr || (legacy_ && a == nullptr)) return ctx.defer();
    const Shape& in = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> reps, repeats(in.size(), *r, a));
    PX_ASSIGN_OR_RETURN(Shape out, tiled_shape(in, reps));
    ctx.set_output(0, ctx.input_dtype(0), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> reps,
                        repeats(x.rank(), ctx.input(1), legacy_ ? &ctx.input(2) : nullptr));
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    PX_ASSIGN_OR_RETURN(Shape expect, tiled_shape(x.shape(), reps));
    if (expect != y.shape())
      return error(StatusCode::kInternal, "Tile output shape ", shape_to_string(y.shape()), " differs from ",
                   shape_to_string(expect));
    if (y.numel() == 0) return Status::ok();
    const Shape& in = x.shape();
    const size_t R = in.size();
    if (R == 0) {
      std::memcpy(y.raw(), x.raw(), esize);
      return Status::ok();
    }
    const int64_t e = static_cast<int64_t>(esize);
    const std::vector<int64_t> ostr = strides_of(y.shape());
    const char* src = static_cast<const char*>(x.raw());
    char* dst = static_cast<char*>(y.raw());
    // 1. Every input row at its repeat-0 place, repeated along the last dim.
    const int64_t row = in[R - 1];
    const int64_t row_bytes = row * e;
    const int64_t rows = x.numel() / row;
    std::vector<int64_t> dims(in.begin(), in.end() - 1), sa(R - 1);
    for (size_t d = 0; d + 1 < R; ++d) sa[d] = ostr[d] * e;
    move::Odometer proto(dims, sa, {});
    const int64_t rep_last = reps[R - 1];
    parallel_for(ctx.num_threads(), rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, row_bytes * rep_last)),
                 [&](int64_t b, int64_t end) {
                   move::Odometer od = proto;
                   od.seek(b);
                   for (int64_t r = b; r < end; ++r) {
                     char* out = dst + od.a;
                     const char* in_row = src + r * row_bytes;
                     for (int64_t k = 0; k < rep_last; ++k) std::memcpy(out + k * row_bytes, in_row, row_bytes);
                     od.next();
                   }
                 });
    // 2. For d = R-2 .. 0: copy the filled block of each repeat-0 prefix rep[d]-1 more times.
    for (size_t d = R - 1; d-- > 0;) {
      if (reps[d] == 1) continue;
      const int64_t block = in[d] * ostr[d] * e;
      std::vector<int64_t> pdims(in.begin(), in.begin() + static_cast<int64_t>(d)), psa(d);
      for (size_t k = 0; k < d; ++k) psa[k] = ostr[k] * e;
      move::Odometer pod(pdims, psa, {});
      const int64_t prefixes = move::prod(in, 0, d);
      const int64_t copies = reps[d];
      parallel_for(ctx.num_threads(), prefixes, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, block * copies)),
                   [&](int64_t b, int64_t end) {
                     move::Odometer od = pod;
                     od.seek(b);
                     for (int64_t p = b; p < end; ++p) {
                       char* base = dst + od.a;
                       for (int64_t k = 1; k < copies; ++k) std::memcpy(base + k * block, base, block);
                       od.next();
                     }
                   });
    }
    return Status::ok();
  }

 private:
  // in[d] * repeats[d]. The repeats are values from the model (unbounded), so
  // the product is checked; the runtime then applies the admission rule.
  static Result<Shape> tiled_shape(const Shape& in, const std::vector<int64_t>& reps) {
    Shape out(in.size());
    for (size_t d = 0; d < in.size(); ++d) {
      auto dim = checked_mul(in[d], reps[d]);
      if (!dim.is_ok())
        return error(StatusCode::kInvalidArgument, "Tile 'repeats' value ", reps[d], " overflows axis ", d, " of size ",
                     in[d]);
      out[d] = dim.value();
    }
    return out;
  }

  Result<std::vector<int64_t>> repeats(size_t rank, const Tensor& r, const Tensor* axis_t) const {
    if (legacy_) {
      PX_ASSIGN_OR_RETURN(std::vector<int64_t> tiles, move::int_list_of(r, "Tile 'tiles'"));
      PX_ASSIGN_OR_RETURN(std::vector<int64_t> axis, move::int_list_of(*axis_t, "Tile 'axis'"));
      if (tiles.size() != 1 || axis.size() != 1)
        return error(StatusCode::kInvalidArgument, "Tile 'tiles' and 'axis' must be scalars");
      PX_ASSIGN_OR_RETURN(int64_t a, normalize_axis(axis[0], static_cast<int64_t>(rank)));
      std::vector<int64_t> reps(rank, 1);
      if (tiles[0] < 0) return error(StatusCode::kInvalidArgument, "Tile 'tiles' must be >= 0");
      reps[static_cast<size_t>(a)] = tiles[0];
      return reps;
    }
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> reps, move::int_list_of(r, "Tile 'repeats'"));
    if (reps.size() != rank)
      return error(StatusCode::kInvalidArgument, "Tile 'repeats' has ", reps.size(), " entries for an input of rank ",
                   rank);
    for (int64_t v : reps)
      if (v < 0) return error(StatusCode::kInvalidArgument, "Tile 'repeats' has negative value ", v);
    return reps;
  }

  bool legacy_ = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "Tile", 1, kMaxOpset, make_kernel<TileKernel>);

}  // namespace parallax
