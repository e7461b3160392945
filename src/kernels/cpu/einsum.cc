// Einsum (opsets 12-17): general Einstein summation — explicit or implicit
// output, "..." broadcasting, repeated labels (diagonals), any number of
// operands. Each distinct label gets one loop index; per operand a combined
// stride per label turns the index vector into an offset, and an odometer
// walks the summed labels for every output element.
//
// Fast path: a float32 two-operand contraction whose labels are all batch
// (both operands and output), M / N (one operand and output) or K (both
// operands, summed) is permuted into [batch, M, K] x [batch, K, N] and run as
// one oneDNN batched matmul.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "core/shape_arith.h"
#include "core/status_macros.h"
#include "kernels/cpu/dnnl_matmul.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

constexpr int kEllipsisBase = 52;

int letter_id(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return 26 + (c - 'A');
  return -1;
}

struct Term {
  std::vector<int> labels;  // letter ids, with -1 marking where "..." sits
  bool has_ellipsis = false;
};

Result<Term> parse_term(const std::string& s) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ') continue;
    if (c == '.') {
      if (s.compare(i, 3, "...") != 0 || t.has_ellipsis)
        return error(StatusCode::kInvalidArgument, "Einsum equation has a malformed ellipsis in '", s, "'");
      t.has_ellipsis = true;
      t.labels.push_back(-1);
      i += 2;
      continue;
    }
    int id = letter_id(c);
    if (id < 0) return error(StatusCode::kInvalidArgument, "Einsum equation has an invalid label '", c, "'");
    t.labels.push_back(id);
  }
  return t;
}

struct Plan {
  std::vector<int> out_labels;            // label per output dim
  std::vector<std::vector<int>> in_labels;  // label per input dim
  std::vector<int64_t> size;              // per label id (-1 unused)
  std::vector<int> sum_labels;
  Shape out_shape;
};

class EinsumKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<EinsumKernel>();
    PX_ASSIGN_OR_RETURN(std::string eq, ctx.attrs().get_string("equation"));
    size_t arrow = eq.find("->");
    std::string lhs = arrow == std::string::npos ? eq : eq.substr(0, arrow);
    k->explicit_ = arrow != std::string::npos;
    if (k->explicit_) {
      PX_ASSIGN_OR_RETURN(k->out_term_, parse_term(eq.substr(arrow + 2)));
    }
    size_t start = 0;
    while (true) {
      size_t comma = lhs.find(',', start);
      PX_ASSIGN_OR_RETURN(Term t, parse_term(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      k->terms_.push_back(t);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (k->terms_.size() != ctx.num_inputs())
      return error(StatusCode::kInvalidArgument, "Einsum equation has ", k->terms_.size(), " operands but the node has ",
                   ctx.num_inputs(), " inputs");
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Result<Plan> plan(const std::vector<const Shape*>& shapes) const {
    Plan p;
    p.size.assign(kEllipsisBase + 16, -1);
    // Ellipsis rank: max over operands.
    int64_t erank = 0;
    std::vector<int64_t> ecount(terms_.size(), 0);
    for (size_t i = 0; i < terms_.size(); ++i) {
      int64_t named = static_cast<int64_t>(terms_[i].labels.size()) - (terms_[i].has_ellipsis ? 1 : 0);
      int64_t r = static_cast<int64_t>(shapes[i]->size());
      if (terms_[i].has_ellipsis ? r < named : r != named)
        return error(StatusCode::kInvalidArgument, "Einsum operand ", i, " has rank ", r, " but its term names ", named,
                     " dims");
      ecount[i] = r - named;
      erank = std::max(erank, ecount[i]);
    }
    if (erank > 16) return error(StatusCode::kUnsupported, "Einsum ellipsis covers too many dims");
    std::vector<int> count(kEllipsisBase + 16, 0);
    for (size_t i = 0; i < terms_.size(); ++i) {
      std::vector<int> labels;
      for (int l : terms_[i].labels) {
        if (l >= 0) {
          labels.push_back(l);
        } else {
          for (int64_t j = 0; j < ecount[i]; ++j) labels.push_back(kEllipsisBase + static_cast<int>(erank - ecount[i] + j));
        }
      }
      for (size_t d = 0; d < labels.size(); ++d) {
        int l = labels[d];
        int64_t n = (*shapes[i])[d];
        bool ell = l >= kEllipsisBase;
        if (p.size[l] < 0 || (ell && p.size[l] == 1)) {
          p.size[l] = n;
        } else if (p.size[l] != n && !(ell && n == 1)) {
          return error(StatusCode::kInvalidArgument, "Einsum label has inconsistent sizes ", p.size[l], " and ", n);
        }
        ++count[l];
      }
      p.in_labels.push_back(labels);
    }
    if (explicit_) {
      for (int l : out_term_.labels) {
        if (l >= 0) {
          if (p.size[l] < 0) return error(StatusCode::kInvalidArgument, "Einsum output label does not appear in the inputs");
          if (std::find(p.out_labels.begin(), p.out_labels.end(), l) != p.out_labels.end())
            return error(StatusCode::kInvalidArgument, "Einsum output repeats a label");
          p.out_labels.push_back(l);
        } else {
          for (int64_t j = 0; j < erank; ++j) p.out_labels.push_back(kEllipsisBase + static_cast<int>(j));
        }
      }
    } else {
      for (int64_t j = 0; j < erank; ++j) p.out_labels.push_back(kEllipsisBase + static_cast<int>(j));
      // Letters used exactly once, in ASCII order (uppercase first).
      for (int l = 26; l < 52; ++l)
        if (count[l] == 1) p.out_labels.push_back(l);
      for (int l = 0; l < 26; ++l)
        if (count[l] == 1) p.out_labels.push_back(l);
    }
    for (int l = 0; l < kEllipsisBase + 16; ++l)
      if (p.size[l] >= 0 && std::find(p.out_labels.begin(), p.out_labels.end(), l) == p.out_labels.end())
        p.sum_labels.push_back(l);
    for (int l : p.out_labels) p.out_shape.push_back(p.size[l]);
    return p;
  }

  Status infer(InferContext& ctx) const override {
    std::vector<const Shape*> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(&ctx.input_shape(i));
    PX_ASSIGN_OR_RETURN(Plan p, plan(shapes));
    ctx.set_output(0, ctx.input_dtype(0), p.out_shape);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    std::vector<const Shape*> shapes;
    size_t n = ctx.num_inputs();
    for (size_t i = 0; i < n; ++i) {
      shapes.push_back(&ctx.input(i).shape());
      if (ctx.input(i).dtype() != ctx.input(0).dtype())
        return error(StatusCode::kInvalidArgument, "Einsum operands must share one element type");
    }
    PX_ASSIGN_OR_RETURN(Plan p, plan(shapes));
    // Combined stride per operand per loop position (output labels, then summed).
    std::vector<int> loop = p.out_labels;
    loop.insert(loop.end(), p.sum_labels.begin(), p.sum_labels.end());
    size_t nl = loop.size(), no = p.out_labels.size();
    std::vector<std::vector<int64_t>> st(n, std::vector<int64_t>(nl, 0));
    for (size_t i = 0; i < n; ++i) {
      std::vector<int64_t> s = strides_of(*shapes[i]);
      for (size_t d = 0; d < p.in_labels[i].size(); ++d) {
        if ((*shapes[i])[d] == 1 && p.size[p.in_labels[i][d]] != 1) continue;  // broadcast
        size_t pos = std::find(loop.begin(), loop.end(), p.in_labels[i][d]) - loop.begin();
        st[i][pos] += s[d];
      }
    }
    std::vector<int64_t> dims(nl);
    for (size_t j = 0; j < nl; ++j) dims[j] = p.size[loop[j]];
    // Summed labels may come from different operands: their product is checked.
    const int64_t total_out = shape_numel(p.out_shape);
    PX_ASSIGN_OR_RETURN(const int64_t total_sum,
                        checked_numel(Shape(dims.begin() + static_cast<std::ptrdiff_t>(no), dims.end())));
    Tensor& y = ctx.output(0);
    if (n == 2 && ctx.input(0).dtype() == DataType::kFloat32 && y.numel() > 0) {
      bool done = false;
      PX_RETURN_IF_ERROR(try_matmul(ctx.input(0), ctx.input(1), p, y, &done));
      if (done) return Status::ok();
    }
    return visit_numeric(ctx.input(0).dtype(), [&]<typename T>() -> Status {
      std::vector<const T*> ptr(n);
      for (size_t i = 0; i < n; ++i) ptr[i] = ctx.input(i).data<T>();
      T* yp = y.data<T>();
      parallel_for(ctx.num_threads(), total_out, std::max<int64_t>(1, 4096 / std::max<int64_t>(total_sum, 1)),
                   [&](int64_t b, int64_t e) {
                     std::vector<int64_t> idx(nl, 0), off(n, 0);
                     for (int64_t o = b; o < e; ++o) {
                       int64_t rem = o;
                       for (size_t j = no; j-- > 0;) {
                         idx[j] = rem % dims[j];
                         rem /= dims[j];
                       }
                       for (size_t j = no; j < nl; ++j) idx[j] = 0;
                       for (size_t i = 0; i < n; ++i) {
                         off[i] = 0;
                         for (size_t j = 0; j < no; ++j) off[i] += idx[j] * st[i][j];
                       }
                       T acc = T(0);
                       for (int64_t s = 0; s < total_sum; ++s) {
                         T prod = ptr[0][off[0]];
                         for (size_t i = 1; i < n; ++i) prod = static_cast<T>(prod * ptr[i][off[i]]);
                         acc = static_cast<T>(acc + prod);
                         for (size_t j = nl; j-- > no;) {
                           if (++idx[j] < dims[j]) {
                             for (size_t i = 0; i < n; ++i) off[i] += st[i][j];
                             break;
                           }
                           for (size_t i = 0; i < n; ++i) off[i] -= st[i][j] * (dims[j] - 1);
                           idx[j] = 0;
                         }
                       }
                       yp[o] = acc;
                     }
                   });
      return Status::ok();
    });
  }

 private:
  // Copies `src` (dims labelled `labels`) into `dst` with dims in `order`.
  static void permute(const float* src, const Shape& shape, const std::vector<int>& labels, const std::vector<int>& order,
                      float* dst) {
    size_t r = order.size();
    std::vector<int64_t> st = strides_of(shape), pst(r), dims(r);
    for (size_t i = 0; i < r; ++i) {
      size_t d = std::find(labels.begin(), labels.end(), order[i]) - labels.begin();
      pst[i] = st[d];
      dims[i] = shape[d];
    }
    int64_t total = shape_numel(shape);
    std::vector<int64_t> idx(r, 0);
    int64_t off = 0;
    for (int64_t i = 0; i < total; ++i) {
      dst[i] = src[off];
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < dims[d]) {
          off += pst[d];
          break;
        }
        off -= pst[d] * (dims[d] - 1);
        idx[d] = 0;
      }
    }
  }

  Status try_matmul(const Tensor& a, const Tensor& b, const Plan& p, Tensor& y, bool* done) {
    const std::vector<int>& la = p.in_labels[0];
    const std::vector<int>& lb = p.in_labels[1];
    auto has = [](const std::vector<int>& v, int l) { return std::find(v.begin(), v.end(), l) != v.end(); };
    for (const auto* ls : {&la, &lb}) {
      std::vector<int> sorted = *ls;
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return Status::ok();  // diagonal
    }
    for (size_t d = 0; d < la.size(); ++d)
      if (a.dim(d) != p.size[la[d]]) return Status::ok();  // broadcast
    for (size_t d = 0; d < lb.size(); ++d)
      if (b.dim(d) != p.size[lb[d]]) return Status::ok();
    std::vector<int> batch, m, n, k;
    for (int l : p.out_labels) {
      bool ia = has(la, l), ib = has(lb, l);
      if (ia && ib) batch.push_back(l);
      else if (ia) m.push_back(l);
      else n.push_back(l);
    }
    for (int l : la)
      if (!has(p.out_labels, l)) {
        if (!has(lb, l)) return Status::ok();  // summed in A alone
        k.push_back(l);
      }
    for (int l : lb)
      if (!has(p.out_labels, l) && !has(la, l)) return Status::ok();
    auto prod = [&](const std::vector<int>& ls) {
      int64_t v = 1;
      for (int l : ls) v *= p.size[l];
      return v;
    };
    int64_t nb = prod(batch), nm = prod(m), nn = prod(n), nk = prod(k);
    if (nk == 0) return Status::ok();
    std::vector<int> oa = batch, ob = batch, oy = batch;
    oa.insert(oa.end(), m.begin(), m.end());
    oa.insert(oa.end(), k.begin(), k.end());
    ob.insert(ob.end(), k.begin(), k.end());
    ob.insert(ob.end(), n.begin(), n.end());
    oy.insert(oy.end(), m.begin(), m.end());
    oy.insert(oy.end(), n.begin(), n.end());
    const float* ap = a.data<float>();
    const float* bp = b.data<float>();
    if (oa != la) {
      buf_a_.resize(static_cast<size_t>(a.numel()));
      permute(ap, a.shape(), la, oa, buf_a_.data());
      ap = buf_a_.data();
    }
    if (ob != lb) {
      buf_b_.resize(static_cast<size_t>(b.numel()));
      permute(bp, b.shape(), lb, ob, buf_b_.data());
      bp = buf_b_.data();
    }
    bool direct = oy == p.out_labels;
    if (!direct) buf_y_.resize(static_cast<size_t>(y.numel()));
    float* yp = direct ? y.data<float>() : buf_y_.data();
    dnnl_util::MatmulProblem mp;
    mp.a = {nb, nm, nk};
    mp.a_strides = {nm * nk, nk, 1};
    mp.b = {nb, nk, nn};
    mp.b_strides = {nk * nn, nn, 1};
    mp.dst = {nb, nm, nn};
    if (!mm_.run(mp, ap, bp, nullptr, yp, nullptr).is_ok()) return Status::ok();
    if (!direct) {
      Shape ys;
      for (int l : oy) ys.push_back(p.size[l]);
      permute(yp, ys, oy, p.out_labels, y.data<float>());
    }
    *done = true;
    return Status::ok();
  }

  dnnl_util::CachedMatmul mm_;
  std::vector<float> buf_a_, buf_b_, buf_y_;
  std::vector<Term> terms_;
  Term out_term_;
  bool explicit_ = false;
};

}  // namespace

PX_REGISTER_KERNEL("", "Einsum", 12, kMaxOpset, make_kernel<EinsumKernel>);

}  // namespace parallax
