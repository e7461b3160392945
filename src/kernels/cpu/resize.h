// Shared implementation of Resize (opsets 10-17) and the deprecated Upsample
// (opsets 7-9): nearest / linear / cubic interpolation over any number of
// dims, every coordinate_transformation_mode, nearest_mode, exclude_outside
// and extrapolation_value.
//
// The interpolation is separable: per output dim a table of input taps
// (index, weight) is built once per call, and every output element sums the
// products of its taps over the dims (zero-weight taps dropped, so dims that
// are not resized cost nothing). Float32 linear / cubic with at most two
// resized dims takes the row-cached separable path of resize_separable.h.
#pragma once

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/status_macros.h"
#include "kernels/cpu/resize_separable.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax::resize {

enum class Mode { kNearest, kLinear, kCubic };
enum class Coord { kHalfPixel, kPytorchHalfPixel, kAlignCorners, kAsymmetric, kTfHalfPixelForNn, kTfCropAndResize };
enum class Nearest { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

struct Options {
  Mode mode = Mode::kNearest;
  Coord coord = Coord::kHalfPixel;
  Nearest nearest = Nearest::kRoundPreferFloor;
  float cubic_a = -0.75f;
  bool exclude_outside = false;
  float extrapolation = 0.0f;

  static Result<Options> parse(const Attributes& a, bool legacy) {
    Options o;
    PX_ASSIGN_OR_RETURN(std::string mode, a.get_string("mode", std::string("nearest")));
    if (mode == "nearest") o.mode = Mode::kNearest;
    else if (mode == "linear" || mode == "bilinear" || mode == "trilinear") o.mode = Mode::kLinear;
    else if (mode == "cubic" && !legacy) o.mode = Mode::kCubic;
    else return error(StatusCode::kInvalidArgument, "attribute mode has unsupported value '", mode, "'");
    if (legacy) {
      // Upsample and Resize-10: asymmetric coordinates, nearest rounds down.
      o.coord = Coord::kAsymmetric;
      o.nearest = Nearest::kFloor;
      return o;
    }
    PX_ASSIGN_OR_RETURN(std::string ctm, a.get_string("coordinate_transformation_mode", std::string("half_pixel")));
    if (ctm == "half_pixel") o.coord = Coord::kHalfPixel;
    else if (ctm == "pytorch_half_pixel") o.coord = Coord::kPytorchHalfPixel;
    else if (ctm == "align_corners") o.coord = Coord::kAlignCorners;
    else if (ctm == "asymmetric") o.coord = Coord::kAsymmetric;
    else if (ctm == "tf_half_pixel_for_nn") o.coord = Coord::kTfHalfPixelForNn;
    else if (ctm == "tf_crop_and_resize") o.coord = Coord::kTfCropAndResize;
    else return error(StatusCode::kInvalidArgument, "attribute coordinate_transformation_mode has unknown value '", ctm, "'");
    PX_ASSIGN_OR_RETURN(std::string nm, a.get_string("nearest_mode", std::string("round_prefer_floor")));
    if (nm == "round_prefer_floor") o.nearest = Nearest::kRoundPreferFloor;
    else if (nm == "round_prefer_ceil") o.nearest = Nearest::kRoundPreferCeil;
    else if (nm == "floor") o.nearest = Nearest::kFloor;
    else if (nm == "ceil") o.nearest = Nearest::kCeil;
    else return error(StatusCode::kInvalidArgument, "attribute nearest_mode has unknown value '", nm, "'");
    PX_ASSIGN_OR_RETURN(o.cubic_a, a.get_float("cubic_coeff_a", -0.75f));
    PX_ASSIGN_OR_RETURN(int64_t ex, a.get_int("exclude_outside", 0));
    o.exclude_outside = ex != 0;
    PX_ASSIGN_OR_RETURN(o.extrapolation, a.get_float("extrapolation_value", 0.0f));
    return o;
  }
};

struct Tap {
  int64_t index;
  double weight;
};

// Taps of one output coordinate along one dim; `outside` = extrapolate.
struct DimTaps {
  std::vector<int64_t> begin;  // per output index, offset into taps (size out + 1)
  std::vector<Tap> taps;
  std::vector<char> outside;
};

inline DimTaps build_taps(const Options& o, int64_t in, int64_t out, double scale, double roi_start, double roi_end) {
  DimTaps t;
  t.begin.reserve(static_cast<size_t>(out + 1));
  t.outside.assign(static_cast<size_t>(out), 0);
  for (int64_t x = 0; x < out; ++x) {
    t.begin.push_back(static_cast<int64_t>(t.taps.size()));
    // As the ONNX reference does, the "resized length" in the formulas is
    // in * scale, unrounded (equal to the output size when sizes are given).
    double xr = static_cast<double>(x), xo = 0, len = static_cast<double>(in) * scale;
    switch (o.coord) {
      case Coord::kHalfPixel: xo = (xr + 0.5) / scale - 0.5; break;
      case Coord::kPytorchHalfPixel: xo = len > 1 ? (xr + 0.5) / scale - 0.5 : 0.0; break;
      case Coord::kAlignCorners: xo = len == 1 ? 0.0 : xr * static_cast<double>(in - 1) / (len - 1); break;
      case Coord::kAsymmetric: xo = xr / scale; break;
      case Coord::kTfHalfPixelForNn: xo = (xr + 0.5) / scale; break;
      case Coord::kTfCropAndResize:
        xo = len > 1 ? roi_start * static_cast<double>(in - 1) +
                           xr * (roi_end - roi_start) * static_cast<double>(in - 1) / (len - 1)
                     : 0.5 * (roi_start + roi_end) * static_cast<double>(in - 1);
        if (xo < 0 || xo > static_cast<double>(in - 1)) {
          t.outside[static_cast<size_t>(x)] = 1;
          continue;
        }
        break;
    }
    auto clampi = [in](int64_t i) { return i < 0 ? int64_t{0} : (i >= in ? in - 1 : i); };
    if (o.mode == Mode::kNearest) {
      double f = std::floor(xo), r = xo - f;
      int64_t i = static_cast<int64_t>(f);
      switch (o.nearest) {
        case Nearest::kRoundPreferFloor: i += r > 0.5 ? 1 : 0; break;
        case Nearest::kRoundPreferCeil: i += r >= 0.5 ? 1 : 0; break;
        case Nearest::kFloor: break;
        case Nearest::kCeil: i += r > 0 ? 1 : 0; break;
      }
      t.taps.push_back({clampi(i), 1.0});
    } else if (o.mode == Mode::kLinear) {
      double f = std::floor(xo), r = xo - f;
      int64_t i = static_cast<int64_t>(f);
      if (r != 1.0) t.taps.push_back({clampi(i), 1.0 - r});
      if (r != 0.0) t.taps.push_back({clampi(i + 1), r});
    } else {
      double f = std::floor(xo), r = xo - f, a = o.cubic_a;
      int64_t i = static_cast<int64_t>(f);
      double c[4];
      double t1 = r + 1, t2 = 1 - r, t3 = 2 - r;
      c[0] = ((a * t1 - 5 * a) * t1 + 8 * a) * t1 - 4 * a;
      c[1] = ((a + 2) * r - (a + 3)) * r * r + 1;
      c[2] = ((a + 2) * t2 - (a + 3)) * t2 * t2 + 1;
      c[3] = ((a * t3 - 5 * a) * t3 + 8 * a) * t3 - 4 * a;
      if (o.exclude_outside) {
        double sum = 0;
        for (int k = 0; k < 4; ++k) {
          int64_t j = i - 1 + k;
          if (j < 0 || j >= in) c[k] = 0;
          sum += c[k];
        }
        if (sum != 0)
          for (double& v : c) v /= sum;
      }
      for (int k = 0; k < 4; ++k)
        if (c[k] != 0) t.taps.push_back({clampi(i - 1 + k), c[k]});
    }
  }
  t.begin.push_back(static_cast<int64_t>(t.taps.size()));
  return t;
}

// Output size for a scale (floor of in * scale, tolerant of float error).
// A scale of inf (or one that makes the size pass 2^31) is refused before
// the conversion to int64, which would be undefined.
inline Result<int64_t> scaled_size(int64_t in, double scale) {
  const double size = std::floor(static_cast<double>(in) * scale + 1e-5);
  if (!std::isfinite(scale) || !(size >= 0) || size > static_cast<double>(int64_t{1} << 31))
    return error(StatusCode::kInvalidArgument, "scale ", scale, " gives an output size out of range for input size ", in);
  return static_cast<int64_t>(size);
}

// Nearest mode with no extrapolated cells: every output element copies one
// input element, so each output row is a gather from one input row (a plain
// copy when the last dim is not resized), and the index arithmetic happens
// once per row instead of once per element.
template <typename T>
bool nearest_fast_path(const T* x, const Shape& xs, T* y, const Shape& ys, const std::vector<DimTaps>& taps,
                       int threads) {
  const size_t r = xs.size();
  for (size_t d = 0; d < r; ++d) {
    for (char out : taps[d].outside)
      if (out) return false;
    if (taps[d].taps.size() != static_cast<size_t>(ys[d])) return false;  // one tap per output index
  }
  const std::vector<int64_t> xst = strides_of(xs);
  const int64_t last = ys[r - 1];
  const int64_t rows = last ? shape_numel(ys) / last : 0;
  const std::vector<Tap>& last_taps = taps[r - 1].taps;
  bool identity_last = xs[r - 1] == last;
  for (int64_t i = 0; identity_last && i < last; ++i) identity_last = last_taps[static_cast<size_t>(i)].index == i;
  parallel_for(threads, rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(last, 1)), [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      int64_t rem = row, off = 0;
      for (size_t d = r - 1; d-- > 0;) {
        off += taps[d].taps[static_cast<size_t>(rem % ys[d])].index * xst[d];
        rem /= ys[d];
      }
      const T* xrow = x + off;
      T* yrow = y + row * last;
      if (identity_last) {
        std::memcpy(yrow, xrow, static_cast<size_t>(last) * sizeof(T));
      } else {
        for (int64_t i = 0; i < last; ++i) yrow[i] = xrow[last_taps[static_cast<size_t>(i)].index];
      }
    }
  });
  return true;
}

template <typename T>
void interpolate(const Options& o, const T* x, const Shape& xs, T* y, const Shape& ys, const std::vector<DimTaps>& taps,
                 int threads) {
  size_t r = xs.size();
  if (o.mode == Mode::kNearest && r > 0 && nearest_fast_path(x, xs, y, ys, taps, threads)) return;
  if constexpr (std::is_same_v<T, float>) {
    if (o.mode != Mode::kNearest && separable_interpolate(x, xs, y, ys, taps, o.mode == Mode::kCubic ? 4 : 2, threads))
      return;
  }
  std::vector<int64_t> xst = strides_of(xs);
  int64_t total = shape_numel(ys);
  int64_t last = r ? ys[r - 1] : 1;
  int64_t rows = last ? total / last : 0;
  parallel_for(threads, rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(last, 1)), [&](int64_t b, int64_t e) {
    std::vector<int64_t> idx(r, 0);
    std::vector<size_t> cur(r);
    for (int64_t row = b; row < e; ++row) {
      // Coordinates of the row's first element.
      int64_t rem = row;
      for (size_t d = r - 1; d-- > 0;) {
        idx[d] = rem % ys[d];
        rem /= ys[d];
      }
      bool row_out = false;
      for (size_t d = 0; d + 1 < r; ++d) row_out |= taps[d].outside[static_cast<size_t>(idx[d])] != 0;
      T* yrow = y + row * last;
      for (int64_t xi = 0; xi < last; ++xi) {
        idx[r - 1] = xi;
        if (row_out || taps[r - 1].outside[static_cast<size_t>(xi)]) {
          yrow[xi] = static_cast<T>(o.extrapolation);
          continue;
        }
        // Odometer over the taps of every dim.
        for (size_t d = 0; d < r; ++d) cur[d] = static_cast<size_t>(taps[d].begin[static_cast<size_t>(idx[d])]);
        double acc = 0;
        while (true) {
          double w = 1;
          int64_t off = 0;
          for (size_t d = 0; d < r; ++d) {
            const Tap& tp = taps[d].taps[cur[d]];
            w *= tp.weight;
            off += tp.index * xst[d];
          }
          acc += w * static_cast<double>(x[off]);
          size_t d = r;
          while (d-- > 0) {
            if (++cur[d] < static_cast<size_t>(taps[d].begin[static_cast<size_t>(idx[d]) + 1])) break;
            cur[d] = static_cast<size_t>(taps[d].begin[static_cast<size_t>(idx[d])]);
          }
          if (d == static_cast<size_t>(-1)) break;
        }
        if constexpr (std::is_integral_v<T>) {
          yrow[xi] = static_cast<T>(o.mode == Mode::kNearest ? acc : std::nearbyint(acc));
        } else {
          yrow[xi] = static_cast<T>(acc);
        }
      }
    }
  });
}

// The resize proper, once output shape and per-dim scales are known.
inline Status run(const Options& o, const Tensor& x, Tensor& y, const std::vector<double>& scales,
                  const std::vector<double>& roi, int threads) {
  size_t r = x.rank();
  if (y.numel() == 0) return Status::ok();
  if (r == 0) {
    std::memcpy(y.raw(), x.raw(), x.nbytes());
    return Status::ok();
  }
  if (x.numel() == 0) return error(StatusCode::kInvalidArgument, "cannot resize an empty tensor to a non-empty one");
  std::vector<DimTaps> taps;
  for (size_t d = 0; d < r; ++d) {
    double rs = roi.size() == 2 * r ? roi[d] : 0.0, re = roi.size() == 2 * r ? roi[d + r] : 1.0;
    taps.push_back(build_taps(o, x.dim(d), y.dim(d), scales[d], rs, re));
  }
  auto go = [&]<typename T>() -> Status {
    interpolate<T>(o, x.data<T>(), x.shape(), y.data<T>(), y.shape(), taps, threads);
    return Status::ok();
  };
  switch (x.dtype()) {
    case DataType::kFloat32: return go.template operator()<float>();
    case DataType::kFloat64: return go.template operator()<double>();
    case DataType::kInt8: return go.template operator()<int8_t>();
    case DataType::kUInt8: return go.template operator()<uint8_t>();
    case DataType::kInt32: return go.template operator()<int32_t>();
    case DataType::kInt64: return go.template operator()<int64_t>();
    default:
      return error(StatusCode::kUnsupported, "element type ", data_type_name(x.dtype()), " is not supported here");
  }
}

// Reads a float tensor (scales / roi) as doubles.
inline Result<std::vector<double>> read_floats(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  if (t.dtype() == DataType::kFloat32) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<float>()[i];
  } else if (t.dtype() == DataType::kFloat64) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<double>()[i];
  } else {
    return error(StatusCode::kInvalidArgument, "expected a float tensor, got ", data_type_name(t.dtype()));
  }
  return v;
}

}  // namespace parallax::resize
