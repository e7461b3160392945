// The separable float32 fast path of Resize (kernels/cpu/resize_separable.h)
// against the generic double-precision path of resize.h on random shapes,
// modes and coordinate transforms: equal within float rounding, bitwise the
// same for any thread count, and declined where it does not apply.
#include "kernels/cpu/resize_separable.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/cpu/resize.h"

namespace parallax::resize {
namespace {

struct Case {
  Options o;
  Shape xs, ys;
  std::vector<double> scales, roi;
};

std::vector<DimTaps> taps_of(const Case& c) {
  std::vector<DimTaps> t;
  const size_t r = c.xs.size();
  for (size_t d = 0; d < r; ++d) {
    double rs = c.roi.empty() ? 0.0 : c.roi[d], re = c.roi.empty() ? 1.0 : c.roi[d + r];
    t.push_back(build_taps(c.o, c.xs[d], c.ys[d], c.scales[d], rs, re));
  }
  return t;
}

Case random_case(std::mt19937& rng, int resized_dims) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  Case c;
  c.o.mode = pick(2) ? Mode::kLinear : Mode::kCubic;
  const Coord coords[] = {Coord::kHalfPixel,  Coord::kPytorchHalfPixel, Coord::kAlignCorners,
                          Coord::kAsymmetric, Coord::kTfHalfPixelForNn, Coord::kTfCropAndResize};
  c.o.coord = coords[pick(6)];
  c.o.exclude_outside = pick(2) != 0;
  c.o.cubic_a = pick(2) ? -0.75f : -0.5f;
  const int rank = 1 + pick(4);
  for (int d = 0; d < rank; ++d) c.xs.push_back(1 + pick(d == rank - 1 ? 40 : 9));
  std::vector<int> dims(static_cast<size_t>(rank));
  for (int d = 0; d < rank; ++d) dims[static_cast<size_t>(d)] = d;
  std::shuffle(dims.begin(), dims.end(), rng);
  c.ys = c.xs;
  c.scales.assign(static_cast<size_t>(rank), 1.0);
  if (c.o.coord == Coord::kTfCropAndResize) c.roi.assign(2 * static_cast<size_t>(rank), 0.0);
  for (int k = 0; k < std::min(resized_dims, rank); ++k) {
    const size_t d = static_cast<size_t>(dims[static_cast<size_t>(k)]);
    if (!c.roi.empty()) {
      // A crop on the resized dims only (elsewhere the whole [0, 1]).
      std::uniform_real_distribution<double> u(0.0, 0.4);
      c.roi[d] = u(rng);
      c.roi[d + static_cast<size_t>(rank)] = 1.0 - u(rng);
    }
    const double factors[] = {0.5, 0.6, 1.0, 1.7, 2.0, 3.0, 8.0};
    c.ys[d] = std::max<int64_t>(1, static_cast<int64_t>(std::floor(static_cast<double>(c.xs[d]) * factors[pick(7)])));
    c.scales[d] = static_cast<double>(c.ys[d]) / static_cast<double>(c.xs[d]);
  }
  if (!c.roi.empty())
    for (size_t d = 0; d < static_cast<size_t>(rank); ++d)
      if (c.ys[d] == c.xs[d]) {
        c.roi[d] = 0.0;
        c.roi[d + static_cast<size_t>(rank)] = 1.0;
      }
  return c;
}

TEST(ResizeSeparable, MatchesGenericPathAndIgnoresThreadCount) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  int ran = 0;
  for (int iter = 0; iter < 600; ++iter) {
    const Case c = random_case(rng, 1 + iter % 2);
    const std::vector<DimTaps> taps = taps_of(c);
    std::vector<float> x(static_cast<size_t>(shape_numel(c.xs)));
    for (float& v : x) v = u(rng);
    std::vector<double> xd(x.begin(), x.end());
    const size_t n = static_cast<size_t>(shape_numel(c.ys));
    std::vector<double> ref(n);
    interpolate<double>(c.o, xd.data(), c.xs, ref.data(), c.ys, taps, 1);
    std::vector<float> y1(n, NAN), y3(n, NAN);
    const int max_taps = c.o.mode == Mode::kCubic ? 4 : 2;
    const bool ok = separable_interpolate(x.data(), c.xs, y1.data(), c.ys, taps, max_taps, 1);
    bool outside = false;
    for (const DimTaps& t : taps)
      for (char o : t.outside) outside |= o != 0;
    // tf_half_pixel_for_nn shifts unchanged dims too, so they count as resized.
    if (c.o.coord == Coord::kTfHalfPixelForNn)
      EXPECT_TRUE(ok || outside || c.xs.size() > 2) << "iteration " << iter;
    else
      EXPECT_EQ(ok, !outside) << "iteration " << iter;
    if (!ok) continue;
    ++ran;
    ASSERT_TRUE(separable_interpolate(x.data(), c.xs, y3.data(), c.ys, taps, max_taps, 3));
    EXPECT_EQ(std::memcmp(y1.data(), y3.data(), n * sizeof(float)), 0) << "iteration " << iter;
    for (size_t i = 0; i < n; ++i)
      ASSERT_NEAR(y1[i], ref[i], 1e-5 + 1e-5 * std::fabs(ref[i])) << "iteration " << iter << " element " << i;
    // interpolate<float> takes the fast path.
    std::vector<float> yf(n, NAN);
    interpolate<float>(c.o, x.data(), c.xs, yf.data(), c.ys, taps, 2);
    EXPECT_EQ(std::memcmp(y1.data(), yf.data(), n * sizeof(float)), 0) << "iteration " << iter;
  }
  EXPECT_GT(ran, 400);
}

TEST(ResizeSeparable, LargeUpsampleIsThreadIndependent) {
  Case c;
  c.o.mode = Mode::kLinear;
  c.xs = {1, 21, 28, 28};
  c.ys = {1, 21, 224, 224};
  c.scales = {1, 1, 8, 8};
  const std::vector<DimTaps> taps = taps_of(c);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(shape_numel(c.xs)));
  for (float& v : x) v = u(rng);
  const size_t n = static_cast<size_t>(shape_numel(c.ys));
  std::vector<float> a(n), b(n);
  ASSERT_TRUE(separable_interpolate(x.data(), c.xs, a.data(), c.ys, taps, 2, 1));
  ASSERT_TRUE(separable_interpolate(x.data(), c.xs, b.data(), c.ys, taps, 2, 4));
  EXPECT_EQ(std::memcmp(a.data(), b.data(), n * sizeof(float)), 0);
}

TEST(ResizeSeparable, DeclinesThreeResizedDims) {
  Case c;
  c.o.mode = Mode::kLinear;
  c.xs = {2, 3, 4};
  c.ys = {4, 6, 8};
  c.scales = {2, 2, 2};
  const std::vector<DimTaps> taps = taps_of(c);
  std::vector<float> x(24, 1.0f), y(192, 0.0f);
  EXPECT_FALSE(separable_interpolate(x.data(), c.xs, y.data(), c.ys, taps, 2, 1));
}

}  // namespace
}  // namespace parallax::resize
