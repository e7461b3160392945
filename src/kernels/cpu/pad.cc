// Pad: constant / reflect / edge padding (negative pads crop). Pads and the
// constant come from attributes before opset 11 (`paddings` at opset 1) and
// from inputs from 11 (`axes` input at 18). Each output row maps to one input
// row; its interior is one memcpy and only the borders are filled per element.
#include <algorithm>
#include <limits>
#include <type_traits>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/move_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

enum class PadMode { kConstant, kReflect, kEdge };

// Maps an output coordinate shifted by the begin pad (i in (-inf, inf)) to an
// input coordinate in [0, n), or -1 for constant padding.
inline int64_t map_coord(int64_t i, int64_t n, PadMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::kConstant: return -1;
    case PadMode::kEdge: return i < 0 ? 0 : n - 1;
    case PadMode::kReflect: {
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      int64_t m = i % period;
      if (m < 0) m += period;
      return m < n ? m : period - m;
    }
  }
  return -1;
}

class PadKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<PadKernel>();
    PX_ASSIGN_OR_RETURN(std::string mode, ctx.attrs().get_string("mode", "constant"));
    if (mode == "constant") {
      k->mode_ = PadMode::kConstant;
    } else if (mode == "reflect") {
      k->mode_ = PadMode::kReflect;
    } else if (mode == "edge") {
      k->mode_ = PadMode::kEdge;
    } else {
      return error(StatusCode::kUnsupported, "Pad 'mode' '", mode, "' is not supported");
    }
    k->from_attrs_ = ctx.opset() < 11;
    if (k->from_attrs_) {
      PX_ASSIGN_OR_RETURN(k->pads_, ctx.attrs().get_ints(ctx.opset() < 2 ? "paddings" : "pads"));
      PX_ASSIGN_OR_RETURN(float v, ctx.attrs().get_float("value", 0.0f));
      k->value_ = v;
    } else if (!ctx.has_input(1)) {
      return error(StatusCode::kInvalidModel, "Pad needs its 'pads' input");
    }
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Tensor* pads_t = nullptr;
    const Tensor* axes_t = nullptr;
    if (!from_attrs_) {
      pads_t = ctx.input_value(1);
      if (pads_t == nullptr) return ctx.defer();
      if (ctx.has_input(3)) {
        axes_t = ctx.input_value(3);
        if (axes_t == nullptr) return ctx.defer();
      }
    }
    const Shape& in = ctx.input_shape(0);
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> pads, full_pads(in.size(), pads_t, axes_t));
    PX_ASSIGN_OR_RETURN(Shape out, out_shape(in, pads));
    ctx.set_output(0, ctx.input_dtype(0), std::move(out));
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const Tensor* pads_t = from_attrs_ ? nullptr : &ctx.input(1);
    const Tensor* axes_t = !from_attrs_ && ctx.has_input(3) ? &ctx.input(3) : nullptr;
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> pads, full_pads(x.rank(), pads_t, axes_t));
    PX_ASSIGN_OR_RETURN(Shape oshape, out_shape(x.shape(), pads));
    if (oshape != y.shape())
      return error(StatusCode::kInternal, "Pad output shape ", shape_to_string(y.shape()), " differs from ",
                   shape_to_string(oshape));
    PX_ASSIGN_OR_RETURN(size_t esize, move::element_bytes(x.dtype()));
    if (y.numel() == 0) return Status::ok();
    const Shape& in = x.shape();
    const size_t R = in.size();
    if (R == 0) {
      std::memcpy(y.raw(), x.raw(), esize);
      return Status::ok();
    }
    if (x.numel() == 0 && mode_ != PadMode::kConstant)
      return error(StatusCode::kInvalidArgument, "Pad mode ", mode_ == PadMode::kEdge ? "edge" : "reflect",
                   " cannot pad an empty input ", shape_to_string(in));

    // The fill value as raw bits of the element type.
    double value = value_;
    const Tensor* cv = !from_attrs_ && ctx.has_input(2) && ctx.input(2).numel() > 0 ? &ctx.input(2) : nullptr;
    if (cv) {
      PX_ASSIGN_OR_RETURN(value, read_scalar(*cv));
    }
    uint64_t bits = 0;
    if (mode_ == PadMode::kConstant && cv && cv->dtype() == x.dtype()) {
      std::memcpy(&bits, cv->raw(), esize);  // exact: int64 values past 2^53 do not survive a double
    } else if (mode_ == PadMode::kConstant) {
      PX_RETURN_IF_ERROR(visit_all(x.dtype(), [&]<typename V>() {
        if constexpr (std::is_integral_v<V> && !std::is_same_v<V, bool>) {
          // NaN or a value outside V's range has no V (the conversion is undefined).
          if (!(value >= static_cast<double>(std::numeric_limits<V>::lowest()) &&
                value < static_cast<double>(std::numeric_limits<V>::max()) + 1.0))
            return error(StatusCode::kInvalidArgument, "Pad constant value ", value, " does not fit ",
                         data_type_name(x.dtype()));
        }
        V v = static_cast<V>(value);
        std::memcpy(&bits, &v, sizeof(V));
        return Status::ok();
      }));
    }

    return visit_by_size(move::bytes_type(esize), [&]<typename T>() {
      T fill;
      std::memcpy(&fill, &bits, sizeof(T));
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      const Shape& out = y.shape();
      const std::vector<int64_t> istr = strides_of(in);
      const int64_t in_last = in[R - 1], out_last = out[R - 1], pb = pads[R - 1];
      const int64_t rows = y.numel() / out_last;
      // Interior of the last dim: output positions [lo, hi) read input [lo - pb, hi - pb).
      const int64_t lo = std::clamp<int64_t>(pb, 0, out_last);
      const int64_t hi = std::clamp<int64_t>(pb + in_last, lo, out_last);
      parallel_for(ctx.num_threads(), rows, std::max<int64_t>(1, 16384 / out_last), [&](int64_t b, int64_t e) {
        std::vector<int64_t> idx(R - 1, 0);
        int64_t rem = b;
        for (size_t d = R - 1; d-- > 0;) {
          idx[d] = rem % out[d];
          rem /= out[d];
        }
        for (int64_t r = b; r < e; ++r) {
          T* o = dst + r * out_last;
          int64_t off = 0;
          bool inside = true;
          for (size_t d = 0; d + 1 < R; ++d) {
            const int64_t c = map_coord(idx[d] - pads[d], in[d], mode_);
            if (c < 0) {
              inside = false;
              break;
            }
            off += c * istr[d];
          }
          if (!inside) {
            std::fill(o, o + out_last, fill);
          } else {
            const T* row = src + off;
            for (int64_t i = 0; i < lo; ++i) {
              const int64_t c = map_coord(i - pb, in_last, mode_);
              o[i] = c < 0 ? fill : row[c];
            }
            if (hi > lo) std::memcpy(o + lo, row + (lo - pb), static_cast<size_t>(hi - lo) * sizeof(T));
            for (int64_t i = hi; i < out_last; ++i) {
              const int64_t c = map_coord(i - pb, in_last, mode_);
              o[i] = c < 0 ? fill : row[c];
            }
          }
          for (size_t d = R - 1; d-- > 0;) {
            if (++idx[d] < out[d]) break;
            idx[d] = 0;
          }
        }
      });
      return Status::ok();
    });
  }

 private:
  // 2*rank pads [begin..., end...] from the attribute or the pads/axes inputs.
  Result<std::vector<int64_t>> full_pads(size_t rank, const Tensor* pads_t, const Tensor* axes_t) const {
    std::vector<int64_t> pads = pads_;
    if (pads_t) {
      PX_ASSIGN_OR_RETURN(pads, move::int_list_of(*pads_t, "Pad 'pads'"));
    }
    if (axes_t) {
      PX_ASSIGN_OR_RETURN(std::vector<int64_t> axes, move::int_list_of(*axes_t, "Pad 'axes'"));
      if (pads.size() != 2 * axes.size())
        return error(StatusCode::kInvalidArgument, "Pad 'pads' has ", pads.size(), " entries for ", axes.size(),
                     " axes");
      if (rank == 0 && !axes.empty())
        return error(StatusCode::kInvalidArgument, "Pad 'axes' names ", axes.size(), " axes of a scalar");
      std::vector<int64_t> full(2 * rank, 0);
      for (size_t i = 0; i < axes.size(); ++i) {
        PX_ASSIGN_OR_RETURN(int64_t a, normalize_axis(axes[i], static_cast<int64_t>(rank)));
        full[static_cast<size_t>(a)] = pads[i];
        full[static_cast<size_t>(a) + rank] = pads[i + axes.size()];
      }
      pads = std::move(full);
    }
    if (pads.size() != 2 * rank)
      return error(StatusCode::kInvalidArgument, "Pad 'pads' has ", pads.size(), " entries for an input of rank ",
                   rank);
    return pads;
  }

  Result<Shape> out_shape(const Shape& in, const std::vector<int64_t>& pads) const {
    Shape out(in.size());
    for (size_t d = 0; d < in.size(); ++d) {
      // compute() works with coordinates shifted by the pads: bounding them by
      // the admission limit keeps that arithmetic in range (an output that
      // needs a larger pad would be refused anyway).
      for (int64_t p : {pads[d], pads[d + in.size()]})
        if (p < -kMaxShapeExtent || p > kMaxShapeExtent)
          return error(StatusCode::kInvalidArgument, "Pad 'pads' value ", p, " on axis ", d, " is out of range");
      // Hostile pads near INT64_MAX must not overflow (found by fuzz_run_shapes).
      if (__builtin_add_overflow(in[d], pads[d], &out[d]) || __builtin_add_overflow(out[d], pads[d + in.size()], &out[d]))
        return error(StatusCode::kInvalidArgument, "Pad sizes overflow on axis ", d, " for input ",
                     shape_to_string(in));
      if (out[d] < 0)
        return error(StatusCode::kInvalidArgument, "Pad gives a negative size on axis ", d, " for input ",
                     shape_to_string(in));
      if (mode_ != PadMode::kConstant && in[d] == 0 && out[d] > 0)
        return error(StatusCode::kInvalidArgument, "Pad cannot ", mode_ == PadMode::kEdge ? "edge" : "reflect",
                     "-pad an empty axis ", d);
    }
    return out;
  }

  PadMode mode_ = PadMode::kConstant;
  bool from_attrs_ = false;
  std::vector<int64_t> pads_;
  double value_ = 0.0;
};

}  // namespace

PX_REGISTER_KERNEL("", "Pad", 1, kMaxOpset, make_kernel<PadKernel>);

}  // namespace parallax

