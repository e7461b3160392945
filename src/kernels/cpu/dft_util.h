// Shared by DFT and STFT: a direct complex DFT of one line (any length),
// computed in double with a twiddle table, radix-2 FFT when the length is a power of two.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <vector>

namespace parallax {
namespace dft_detail {

class Dft {
 public:
  // Transform of length L, sign -1 forward / +1 inverse (no scaling here).
  Dft(int64_t L, bool inverse) : L_(L), inverse_(inverse), tw_(static_cast<size_t>(L)) {
    const double sign = inverse ? 1.0 : -1.0;
    for (int64_t j = 0; j < L; ++j) {
      const double a = sign * 2.0 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(L);
      tw_[static_cast<size_t>(j)] = {std::cos(a), std::sin(a)};
    }
    pow2_ = L > 0 && (L & (L - 1)) == 0;
  }

  // in: L complex values, of which only the first `used` may be non-zero
  // (the rest is dft_length's zero padding); out: first K outputs.
  // The direct sum skips the padding: a 3-sample signal padded to a length
  // of 250,000 costs K * 3 products, not K * L (89 s, a fuzzer's find).
  void run(std::vector<std::complex<double>>& in, std::vector<std::complex<double>>& out, int64_t K,
           int64_t used) const {
    out.resize(static_cast<size_t>(std::max<int64_t>(K, L_)));
    if (pow2_ && L_ >= 8) {
      fft(in, out);
      return;
    }
    used = std::min(used, L_);
    for (int64_t k = 0; k < K; ++k) {
      std::complex<double> s = 0;
      int64_t idx = 0;
      for (int64_t j = 0; j < used; ++j) {
        s += in[static_cast<size_t>(j)] * tw_[static_cast<size_t>(idx)];
        idx += k;
        if (idx >= L_) idx %= L_;
      }
      out[static_cast<size_t>(k)] = s;
    }
  }

 private:
  void fft(const std::vector<std::complex<double>>& in, std::vector<std::complex<double>>& out) const {
    // bit-reversal copy
    int bits = 0;
    while ((int64_t{1} << bits) < L_) ++bits;
    for (int64_t i = 0; i < L_; ++i) {
      int64_t r = 0;
      for (int b = 0; b < bits; ++b)
        if (i & (int64_t{1} << b)) r |= int64_t{1} << (bits - 1 - b);
      out[static_cast<size_t>(r)] = in[static_cast<size_t>(i)];
    }
    for (int64_t len = 2; len <= L_; len <<= 1) {
      const int64_t step = L_ / len;
      for (int64_t i = 0; i < L_; i += len)
        for (int64_t j = 0; j < len / 2; ++j) {
          const std::complex<double> w = tw_[static_cast<size_t>(j * step)];
          const std::complex<double> u = out[static_cast<size_t>(i + j)];
          const std::complex<double> v = out[static_cast<size_t>(i + j + len / 2)] * w;
          out[static_cast<size_t>(i + j)] = u + v;
          out[static_cast<size_t>(i + j + len / 2)] = u - v;
        }
    }
  }

  int64_t L_;
  bool inverse_;
  bool pow2_ = false;
  std::vector<std::complex<double>> tw_;
};

}  // namespace dft_detail
}  // namespace parallax
