// Shared helpers for the data-movement kernels; see move_util.h.
#include "kernels/cpu/move_util.h"

#include <algorithm>
#include <numeric>

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

// Tiled transpose over the two "fast" dimensions: the output's last dimension
// (length A, input stride sa) and the input's last dimension (length B, output
// stride ob). Remaining dimensions are walked by an odometer per work item.
template <typename T>
void transpose_tiled(const T* in, T* out, int64_t A, int64_t sa, int64_t B, int64_t ob, const Odometer& outer_proto,
                     int64_t outer_count, int threads) {
  constexpr int64_t kTileB = std::max<int64_t>(16, 64 / static_cast<int64_t>(sizeof(T)));
  constexpr int64_t kTileA = 16;
  const int64_t b_blocks = (B + kTileB - 1) / kTileB;
  const int64_t items = outer_count * b_blocks;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(1, kTileB * A));
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
      const int64_t b0 = (item - o * b_blocks) * kTileB, b1 = std::min(B, b0 + kTileB);
      const T* src = in + od.a;
      T* dst = out + od.b;
      for (int64_t a0 = 0; a0 < A; a0 += kTileA) {
        const int64_t a1 = std::min(A, a0 + kTileA);
        for (int64_t b = b0; b < b1; ++b) {
          const T* s = src + b;
          T* d = dst + b * ob;
          for (int64_t a = a0; a < a1; ++a) d[a] = s[a * sa];
        }
      }
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
