// TfIdfVectorizer (opset 9): counts, per row of X ([C] or [N, C], int32 or
// int64), how often each n-gram of the pool occurs, with n-grams of
// min_gram_length..max_gram_length items taken every `d` items for d =
// 1..max_skip_count + 1 (1-grams are counted once, not once per distance),
// and writes count (TF), weight where count > 0 (IDF) or count * weight
// (TFIDF) at the n-gram's ngram_indexes entry of a float [.., max index + 1].
//
// The pool (pool_int64s) holds the 1-grams from ngram_counts[0], the 2-grams
// from ngram_counts[1] and so on, each n-gram n items long. String pools
// are not supported: tensors here hold numbers.
#include <algorithm>
#include <map>
#include <vector>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

class TfIdfVectorizerKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<TfIdfVectorizerKernel>();
    const Attributes& a = ctx.attrs();
    if (a.has("pool_strings"))
      return error(StatusCode::kUnsupported, "TfIdfVectorizer: string pools are not supported");
    PX_ASSIGN_OR_RETURN(k->min_n_, a.get_int("min_gram_length"));
    PX_ASSIGN_OR_RETURN(k->max_n_, a.get_int("max_gram_length"));
    PX_ASSIGN_OR_RETURN(k->max_skip_, a.get_int("max_skip_count"));
    PX_ASSIGN_OR_RETURN(std::string mode, a.get_string("mode"));
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> counts, a.get_ints("ngram_counts"));
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> indexes, a.get_ints("ngram_indexes"));
    PX_ASSIGN_OR_RETURN(std::vector<int64_t> pool, a.get_ints("pool_int64s"));
    PX_ASSIGN_OR_RETURN(k->weights_, a.get_floats("weights", std::vector<float>{}));
    if (mode == "TF")
      k->mode_ = Mode::kTf;
    else if (mode == "IDF")
      k->mode_ = Mode::kIdf;
    else if (mode == "TFIDF")
      k->mode_ = Mode::kTfIdf;
    else
      return error(StatusCode::kInvalidArgument, "TfIdfVectorizer: mode must be TF, IDF or TFIDF, not '", mode, "'");
    if (k->min_n_ < 1 || k->max_n_ < k->min_n_ || k->max_skip_ < 0 || k->max_n_ > static_cast<int64_t>(counts.size()))
      return error(StatusCode::kInvalidArgument, "TfIdfVectorizer: need 1 <= min_gram_length <= max_gram_length <= ",
                   "the entries of ngram_counts, and max_skip_count >= 0");
    // The pool's n-grams, in order: each gets the next ngram_indexes entry.
    size_t next = 0;
    for (size_t level = 0; level < counts.size(); ++level) {
      const int64_t n = static_cast<int64_t>(level) + 1;
      const int64_t begin = counts[level];
      const int64_t end = level + 1 < counts.size() ? counts[level + 1] : static_cast<int64_t>(pool.size());
      if (begin < 0 || end < begin || end > static_cast<int64_t>(pool.size()) || (end - begin) % n != 0)
        return error(StatusCode::kInvalidArgument, "TfIdfVectorizer: ngram_counts do not split pool_int64s into ",
                     "whole n-grams");
      for (int64_t p = begin; p < end; p += n, ++next) {
        if (next >= indexes.size() || indexes[next] < 0 || indexes[next] > (int64_t{1} << 30))
          return error(StatusCode::kInvalidArgument, "TfIdfVectorizer: ngram_indexes must give each n-gram an index");
        k->ngrams_[std::vector<int64_t>(pool.begin() + p, pool.begin() + p + n)] = next;
      }
    }
    k->slot_ = std::vector<int64_t>(indexes.begin(), indexes.begin() + static_cast<std::ptrdiff_t>(next));
    if (!k->weights_.empty() && k->weights_.size() != next)
      return error(StatusCode::kInvalidArgument, "TfIdfVectorizer: weights must have one value per n-gram");
    k->width_ = k->slot_.empty() ? 0 : *std::max_element(k->slot_.begin(), k->slot_.end()) + 1;
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    const Shape& x = ctx.input_shape(0);
    const DataType t = ctx.input_dtype(0);
    if (t != DataType::kUndefined && t != DataType::kInt32 && t != DataType::kInt64)
      return error(StatusCode::kUnsupported, "TfIdfVectorizer: X must be int32 or int64, got ", data_type_name(t));
    if (x.size() == 1)
      ctx.set_output(0, DataType::kFloat32, {width_});
    else if (x.size() == 2)
      ctx.set_output(0, DataType::kFloat32, {x[0], width_});
    else
      return error(StatusCode::kInvalidArgument, "TfIdfVectorizer: X must be [C] or [N, C]");
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t rows = x.rank() == 2 ? x.dim(0) : 1, c = x.rank() == 2 ? x.dim(1) : x.dim(0);
    std::vector<int64_t> items(static_cast<size_t>(x.numel()));
    for (int64_t i = 0; i < x.numel(); ++i)
      items[static_cast<size_t>(i)] = x.dtype() == DataType::kInt32 ? x.data<int32_t>()[i] : x.data<int64_t>()[i];
    std::vector<int64_t> count(slot_.size());
    std::vector<int64_t> gram;
    for (int64_t r = 0; r < rows; ++r) {
      std::fill(count.begin(), count.end(), 0);
      const int64_t* row = items.data() + r * c;
      int64_t first_n = min_n_;  // 1-grams count in the first pass only
      for (int64_t d = 1; d <= max_skip_ + 1; ++d) {
        for (int64_t s = 0; s < c; ++s) {
          gram.clear();
          for (int64_t n = 1, at = s; n <= max_n_ && at < c; ++n, at += d) {
            gram.push_back(row[at]);
            if (n < first_n) continue;
            if (auto it = ngrams_.find(gram); it != ngrams_.end()) ++count[it->second];
          }
        }
        if (first_n == 1 && ++first_n > max_n_) break;
      }
      float* out = y.data<float>() + r * width_;
      std::fill(out, out + width_, 0.0f);
      for (size_t k = 0; k < slot_.size(); ++k) {
        const float w = weights_.empty() ? 1.0f : weights_[k];
        const float v = mode_ == Mode::kTf    ? static_cast<float>(count[k])
                        : mode_ == Mode::kIdf ? (count[k] > 0 ? w : 0.0f)
                                              : static_cast<float>(count[k]) * w;
        out[slot_[k]] = v;
      }
    }
    return Status::ok();
  }

 private:
  enum class Mode { kTf, kIdf, kTfIdf };
  int64_t min_n_ = 1, max_n_ = 1, max_skip_ = 0, width_ = 0;
  Mode mode_ = Mode::kTf;
  std::map<std::vector<int64_t>, size_t> ngrams_;  // n-gram -> its position in the pool
  std::vector<int64_t> slot_;                      // position in the pool -> output index
  std::vector<float> weights_;
};

}  // namespace

PX_REGISTER_KERNEL("", "TfIdfVectorizer", 9, kMaxOpset, TfIdfVectorizerKernel::create);

}  // namespace parallax
