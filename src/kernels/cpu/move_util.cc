// Shared helpers for the data-movement kernels; see move_util.h.
#include "kernels/cpu/move_util.h"

#include <algorithm>
#include <numeric>

#if defined(__SSE2__) || defined(__AVX__)
#include <immintrin.h>
#endif

namespace parallax::move {

Result<size_t> element_bytes(DataType type) {
  size_t e = element_size(type);
  if (e == 0) return error(StatusCode::kUnsupported, "element type ", data_type_name(type), " is not supported");
  return e;
}

Status copy_input_to_output(ComputeContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0);
  if (y.nbytes() != x.nbytes())
    return error(StatusCode::kInternal, "output holds ", y.nbytes(), " bytes but the input has ", x.nbytes());
  const size_t bytes = x.nbytes();
  if (bytes >= (size_t{1} << 22) && ctx.num_threads() > 1) {
    const char* src = static_cast<const char*>(x.raw());
    char* dst = static_cast<char*>(y.raw());
    if (src != dst) {
      const int64_t blocks = static_cast<int64_t>((bytes + 65535) / 65536);
      parallel_for(ctx.num_threads(), blocks, 16, [&](int64_t b, int64_t e) {
        size_t lo = static_cast<size_t>(b) * 65536, hi = std::min(bytes, static_cast<size_t>(e) * 65536);
        std::memcpy(dst + lo, src + lo, hi - lo);
      });
    }
  } else {
    copy_bytes(y.raw(), x.raw(), bytes);
  }
  return Status::ok();
}

void copy_rows(void* dst, int64_t dst_stride, const void* src, int64_t src_stride, int64_t rows, int64_t row_bytes,
               int threads) {
  if (rows <= 0 || row_bytes <= 0) return;
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  if (rows == 1 || (dst_stride == row_bytes && src_stride == row_bytes)) {
    // One contiguous block.
    const int64_t total = rows * row_bytes;
    const int64_t blocks = (total + 65535) / 65536;
    parallel_for(threads, blocks, 16, [&](int64_t b, int64_t e) {
      int64_t lo = b * 65536, hi = std::min(total, e * 65536);
      std::memcpy(d + lo, s + lo, static_cast<size_t>(hi - lo));
    });
    return;
  }
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / row_bytes);
  parallel_for(threads, rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r)
      std::memcpy(d + r * dst_stride, s + r * src_stride, static_cast<size_t>(row_bytes));
  });
}

Result<std::vector<int64_t>> read_indices(const Tensor& t, int64_t dim, const char* what) {
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  Status s = visit_index(t.dtype(), [&]<typename I>() {
    const I* p = t.data<I>();
    for (size_t i = 0; i < out.size(); ++i) {
      int64_t v = static_cast<int64_t>(p[i]);
      if (v < 0) v += dim;
      if (v < 0 || v >= dim)
        return error(StatusCode::kInvalidArgument, what, " value ", static_cast<int64_t>(p[i]),
                     " is out of range for a dimension of size ", dim);
      out[i] = v;
    }
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return out;
}

namespace {

// The permutation with size-1 dimensions dropped and runs of input dimensions
// that stay adjacent in the output merged into one.
struct Reduced {
  Shape shape;                // input shape, reduced
  std::vector<int64_t> perm;  // output dim j reads reduced input dim perm[j]
};

Reduced reduce_permutation(const Shape& shape, const std::vector<int64_t>& perm) {
  const size_t rank = shape.size();
  std::vector<int64_t> new_index(rank, -1);
  Shape kept;
  for (size_t d = 0; d < rank; ++d) {
    if (shape[d] != 1) {
      new_index[d] = static_cast<int64_t>(kept.size());
      kept.push_back(shape[d]);
    }
  }
  std::vector<int64_t> p;
  for (int64_t q : perm)
    if (new_index[static_cast<size_t>(q)] >= 0) p.push_back(new_index[static_cast<size_t>(q)]);
  // Groups of consecutive input dims, in output order: [first, last].
  std::vector<std::pair<int64_t, int64_t>> groups;
  for (int64_t q : p) {
    if (!groups.empty() && groups.back().second + 1 == q) {
      groups.back().second = q;
    } else {
      groups.push_back({q, q});
    }
  }
  std::vector<size_t> order(groups.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return groups[x].first < groups[y].first; });
  std::vector<int64_t> input_pos(groups.size());
  for (size_t k = 0; k < order.size(); ++k) input_pos[order[k]] = static_cast<int64_t>(k);
  Reduced r;
  r.shape.resize(groups.size());
  r.perm.resize(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    int64_t size = 1;
    for (int64_t d = groups[g].first; d <= groups[g].second; ++d) size *= kept[static_cast<size_t>(d)];
    r.shape[static_cast<size_t>(input_pos[g])] = size;
    r.perm[g] = input_pos[g];
  }
  return r;
}

// Register-level micro-kernels: an N x N tile, src rows `sa` apart, dst rows `ob` apart.
template <typename T>
struct Micro {
  static constexpr int64_t kSize = 0;
};

#if defined(__AVX__)
template <>
struct Micro<uint32_t> {
  static constexpr int64_t kSize = 8;
  static inline void run(const uint32_t* s, int64_t sa, uint32_t* d, int64_t ob) {
    const float* p = reinterpret_cast<const float*>(s);
    float* q = reinterpret_cast<float*>(d);
    const __m256 r0 = _mm256_loadu_ps(p), r1 = _mm256_loadu_ps(p + sa), r2 = _mm256_loadu_ps(p + 2 * sa),
                 r3 = _mm256_loadu_ps(p + 3 * sa), r4 = _mm256_loadu_ps(p + 4 * sa), r5 = _mm256_loadu_ps(p + 5 * sa),
                 r6 = _mm256_loadu_ps(p + 6 * sa), r7 = _mm256_loadu_ps(p + 7 * sa);
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(q, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(q + ob, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(q + 2 * ob, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(q + 3 * ob, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(q + 4 * ob, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(q + 5 * ob, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(q + 6 * ob, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(q + 7 * ob, _mm256_permute2f128_ps(u3, u7, 0x31));
  }
};
template <>
struct Micro<uint64_t> {
  static constexpr int64_t kSize = 4;
  static inline void run(const uint64_t* s, int64_t sa, uint64_t* d, int64_t ob) {
    const double* p = reinterpret_cast<const double*>(s);
    double* q = reinterpret_cast<double*>(d);
    const __m256d r0 = _mm256_loadu_pd(p), r1 = _mm256_loadu_pd(p + sa), r2 = _mm256_loadu_pd(p + 2 * sa),
                  r3 = _mm256_loadu_pd(p + 3 * sa);
    const __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
    const __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
    _mm256_storeu_pd(q, _mm256_permute2f128_pd(t0, t2, 0x20));
    _mm256_storeu_pd(q + ob, _mm256_permute2f128_pd(t1, t3, 0x20));
    _mm256_storeu_pd(q + 2 * ob, _mm256_permute2f128_pd(t0, t2, 0x31));
    _mm256_storeu_pd(q + 3 * ob, _mm256_permute2f128_pd(t1, t3, 0x31));
  }
};
#elif defined(__SSE2__)
template <>
struct Micro<uint32_t> {
  static constexpr int64_t kSize = 4;
  static inline void run(const uint32_t* s, int64_t sa, uint32_t* d, int64_t ob) {
    const float* p = reinterpret_cast<const float*>(s);
    float* q = reinterpret_cast<float*>(d);
    __m128 r0 = _mm_loadu_ps(p), r1 = _mm_loadu_ps(p + sa), r2 = _mm_loadu_ps(p + 2 * sa), r3 = _mm_loadu_ps(p + 3 * sa);
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    _mm_storeu_ps(q, r0);
    _mm_storeu_ps(q + ob, r1);
    _mm_storeu_ps(q + 2 * ob, r2);
    _mm_storeu_ps(q + 3 * ob, r3);
  }
};
#endif

// transpose_strip for a fixed, narrow A (an image's 1-4 channels going
// channels-last): the loop over a unrolls and the compiler interleaves whole
// vectors of b, where the general loop moves one element at a time
// ([1,3,224,224] to NHWC: 125 -> 40 us per run).
template <typename T, int kA>
inline void transpose_narrow(const T* src, int64_t sa, T* dst, int64_t ob, int64_t b0, int64_t b1) {
  for (int64_t b = b0; b < b1; ++b)
    for (int a = 0; a < kA; ++a) dst[b * ob + a] = src[a * sa + b];
}

// out[b * ob + a] = in[a * sa + b] for a in [0, A), b in [b0, b1).
template <typename T>
inline void transpose_strip(const T* src, int64_t sa, T* dst, int64_t ob, int64_t A, int64_t b0, int64_t b1) {
  switch (A) {
    case 1: return transpose_narrow<T, 1>(src, sa, dst, ob, b0, b1);
    case 2: return transpose_narrow<T, 2>(src, sa, dst, ob, b0, b1);
    case 3: return transpose_narrow<T, 3>(src, sa, dst, ob, b0, b1);
    case 4: return transpose_narrow<T, 4>(src, sa, dst, ob, b0, b1);
    default: break;
  }
  int64_t a0 = 0;
  if constexpr (Micro<T>::kSize > 0) {
    constexpr int64_t K = Micro<T>::kSize;
    for (; a0 + K <= A; a0 += K) {
      int64_t b = b0;
      for (; b + K <= b1; b += K) Micro<T>::run(src + a0 * sa + b, sa, dst + b * ob + a0, ob);
      for (; b < b1; ++b)
        for (int64_t a = a0; a < a0 + K; ++a) dst[b * ob + a] = src[a * sa + b];
    }
  }
  for (; a0 < A; a0 += 16) {
    const int64_t a1 = std::min(A, a0 + 16);
    for (int64_t b = b0; b < b1; ++b) {
      const T* s = src + b;
      T* d = dst + b * ob;
      for (int64_t a = a0; a < a1; ++a) d[a] = s[a * sa];
    }
  }
}

// Tiled transpose over the two "fast" dimensions: the output's last dimension
// (length A, input stride sa) and the input's last dimension (length B, output
// stride ob). Remaining dimensions are walked by an odometer per work item.
template <typename T>
void transpose_tiled(const T* in, T* out, int64_t A, int64_t sa, int64_t B, int64_t ob, const Odometer& outer_proto,
                     int64_t outer_count, int threads) {
  // Columns per work item: one cache line of input per row, more when rows are few
  // (about 2K elements per item, so short rows do not drown in loop overhead).
  constexpr int64_t kLine = std::max<int64_t>(16, 64 / static_cast<int64_t>(sizeof(T)));
  const int64_t tile_b = std::max<int64_t>(kLine, (2048 / std::max<int64_t>(A, 1)) / kLine * kLine);
  const int64_t b_blocks = (B + tile_b - 1) / tile_b;
  const int64_t items = outer_count * b_blocks;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(1, tile_b * A));
  parallel_for(threads, items, grain, [&](int64_t begin, int64_t end) {
    Odometer od = outer_proto;
    int64_t outer = begin / b_blocks;
    od.seek(outer);
    for (int64_t item = begin; item < end; ++item) {
      const int64_t o = item / b_blocks;
      if (o != outer) {
        od.next();
        outer = o;
      }
      const int64_t b0 = (item - o * b_blocks) * tile_b, b1 = std::min(B, b0 + tile_b);
      transpose_strip<T>(in + od.a, sa, out + od.b, ob, A, b0, b1);
    }
  });
}

}  // namespace

Status transpose(const void* in, void* out, size_t esize, const Shape& in_shape, const std::vector<int64_t>& perm,
                 int threads) {
  const int64_t n = shape_numel(in_shape);
  if (n == 0) return Status::ok();
  Reduced r = reduce_permutation(in_shape, perm);
  const size_t R = r.shape.size();
  if (R <= 1) {
    copy_rows(out, 0, in, 0, 1, n * static_cast<int64_t>(esize), threads);
    return Status::ok();
  }
  const std::vector<int64_t> istr = strides_of(r.shape);
  Shape oshape(R);
  for (size_t j = 0; j < R; ++j) oshape[j] = r.shape[static_cast<size_t>(r.perm[j])];
  const std::vector<int64_t> ostr = strides_of(oshape);
  const char* src = static_cast<const char*>(in);
  char* dst = static_cast<char*>(out);

  if (r.perm[R - 1] == static_cast<int64_t>(R - 1)) {
    // The innermost input run stays innermost: copy it whole.
    const int64_t inner_bytes = oshape[R - 1] * static_cast<int64_t>(esize);
    const int64_t rows = n / oshape[R - 1];
    std::vector<int64_t> dims(oshape.begin(), oshape.end() - 1), sa(R - 1);
    for (size_t j = 0; j + 1 < R; ++j) sa[j] = istr[static_cast<size_t>(r.perm[j])] * static_cast<int64_t>(esize);
    Odometer proto(dims, sa, {});
    const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 15) / inner_bytes);
    parallel_for(threads, rows, grain, [&](int64_t b, int64_t e) {
      Odometer od = proto;
      od.seek(b);
      for (int64_t row = b; row < e; ++row) {
        std::memcpy(dst + row * inner_bytes, src + od.a, static_cast<size_t>(inner_bytes));
        od.next();
      }
    });
    return Status::ok();
  }

  // Output's last dim reads input dim perm[R-1]; input's last dim lands at output position pb.
  size_t pb = 0;
  for (size_t j = 0; j < R; ++j)
    if (r.perm[j] == static_cast<int64_t>(R - 1)) pb = j;
  const int64_t A = oshape[R - 1], sa = istr[static_cast<size_t>(r.perm[R - 1])];
  const int64_t B = r.shape[R - 1], ob = ostr[pb];
  std::vector<int64_t> dims, in_s, out_s;
  for (size_t j = 0; j + 1 < R; ++j) {
    if (j == pb) continue;
    dims.push_back(oshape[j]);
    in_s.push_back(istr[static_cast<size_t>(r.perm[j])]);
    out_s.push_back(ostr[j]);
  }
  int64_t outer_count = 1;
  for (int64_t d : dims) outer_count *= d;
  Odometer proto(dims, in_s, out_s);
  return visit_by_size(bytes_type(esize), [&]<typename T>() {
    transpose_tiled<T>(static_cast<const T*>(in), static_cast<T*>(out), A, sa, B, ob, proto, outer_count, threads);
    return Status::ok();
  });
}

Status strided_copy(const void* in, int64_t base, std::vector<int64_t> in_strides, void* out, Shape out_shape,
                    size_t esize, int threads) {
  const int64_t n = shape_numel(out_shape);
  if (n == 0) return Status::ok();
  // Drop size-1 dims, then merge dims whose input layout is contiguous across them.
  Shape shape;
  std::vector<int64_t> st;
  for (size_t d = 0; d < out_shape.size(); ++d) {
    if (out_shape[d] == 1) continue;
    if (!shape.empty() && st.back() == in_strides[d] * out_shape[d]) {
      shape.back() *= out_shape[d];
      st.back() = in_strides[d];
    } else {
      shape.push_back(out_shape[d]);
      st.push_back(in_strides[d]);
    }
  }
  const char* src = static_cast<const char*>(in) + base * static_cast<int64_t>(esize);
  char* dst = static_cast<char*>(out);
  if (shape.empty()) {
    std::memcpy(dst, src, esize);
    return Status::ok();
  }
  const size_t R = shape.size();
  const int64_t inner = shape[R - 1], inner_stride = st[R - 1];
  const int64_t rows = n / inner;
  std::vector<int64_t> dims(shape.begin(), shape.end() - 1), sa(st.begin(), st.end() - 1);
  Odometer proto(dims, sa, {});
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 14) / inner);
  if (inner_stride == 1) {
    const size_t row_bytes = static_cast<size_t>(inner) * esize;
    parallel_for(threads, rows, grain, [&](int64_t b, int64_t e) {
      Odometer od = proto;
      od.seek(b);
      for (int64_t row = b; row < e; ++row) {
        std::memcpy(dst + static_cast<size_t>(row) * row_bytes, src + od.a * static_cast<int64_t>(esize), row_bytes);
        od.next();
      }
    });
    return Status::ok();
  }
  return visit_by_size(bytes_type(esize), [&]<typename T>() {
    const T* s = reinterpret_cast<const T*>(src);
    T* o = reinterpret_cast<T*>(dst);
    parallel_for(threads, rows, grain, [&](int64_t b, int64_t e) {
      Odometer od = proto;
      od.seek(b);
      for (int64_t row = b; row < e; ++row) {
        const T* p = s + od.a;
        T* q = o + row * inner;
        for (int64_t i = 0; i < inner; ++i) q[i] = p[i * inner_stride];
        od.next();
      }
    });
    return Status::ok();
  });
}

}  // namespace parallax::move
