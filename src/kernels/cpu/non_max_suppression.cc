// NonMaxSuppression: per batch and class, greedily keeps the highest-scoring
// boxes whose IoU with every kept box is at most iou_threshold. Output is
// [num_selected, 3] int64 rows (batch, class, box), size known only at run time.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/status_macros.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

struct Box {
  float y1, x1, y2, x2, area;
};

class NonMaxSuppressionKernel final : public OpKernel {
 public:
  static Result<std::unique_ptr<OpKernel>> create(const KernelCreateContext& ctx) {
    auto k = std::make_unique<NonMaxSuppressionKernel>();
    PX_ASSIGN_OR_RETURN(k->center_, ctx.attrs().get_int("center_point_box", 0));
    if (k->center_ != 0 && k->center_ != 1)
      return error(StatusCode::kInvalidArgument, "NonMaxSuppression: center_point_box must be 0 or 1, got ", k->center_);
    return std::unique_ptr<OpKernel>(std::move(k));
  }

  Status infer(InferContext& ctx) const override {
    ctx.set_output_dynamic(0, DataType::kInt64);
    return Status::ok();
  }

  Status compute(ComputeContext& ctx) override {
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    if (boxes.dtype() != DataType::kFloat32 || scores.dtype() != DataType::kFloat32)
      return error(StatusCode::kUnsupported, "NonMaxSuppression: only float32 boxes and scores are supported");
    if (boxes.rank() != 3 || boxes.dim(2) != 4)
      return error(StatusCode::kInvalidArgument, "NonMaxSuppression: boxes must be [batch, boxes, 4], got ",
                   shape_to_string(boxes.shape()));
    if (scores.rank() != 3 || scores.dim(0) != boxes.dim(0) || scores.dim(2) != boxes.dim(1))
      return error(StatusCode::kInvalidArgument, "NonMaxSuppression: scores shape ", shape_to_string(scores.shape()),
                   " does not match boxes ", shape_to_string(boxes.shape()));
    int64_t max_out = 0;
    float iou_th = 0.0f, score_th = 0.0f;
    bool has_score_th = false;
    if (ctx.has_input(2) && ctx.input(2).numel() > 0) {
      PX_ASSIGN_OR_RETURN(max_out, read_int_scalar(ctx.input(2)));
    }
    if (ctx.has_input(3) && ctx.input(3).numel() > 0) {
      PX_ASSIGN_OR_RETURN(double v, read_scalar(ctx.input(3)));
      iou_th = static_cast<float>(v);
    }
    if (ctx.has_input(4) && ctx.input(4).numel() > 0) {
      PX_ASSIGN_OR_RETURN(double v, read_scalar(ctx.input(4)));
      score_th = static_cast<float>(v);
      has_score_th = true;
    }
    if (iou_th < 0.0f || iou_th > 1.0f)
      return error(StatusCode::kInvalidArgument, "NonMaxSuppression: iou_threshold must be in [0, 1], got ", iou_th);
    const int64_t nb = boxes.dim(0), nbox = boxes.dim(1), nc = scores.dim(1);
    std::vector<int64_t> sel;
    std::vector<Box> bx(static_cast<size_t>(nbox));
    std::vector<int64_t> cand;
    std::vector<int64_t> kept;
    for (int64_t b = 0; b < nb && max_out > 0; ++b) {
      const float* bp = boxes.data<float>() + b * nbox * 4;
      for (int64_t i = 0; i < nbox; ++i) {
        const float* p = bp + i * 4;
        Box& q = bx[static_cast<size_t>(i)];
        if (center_ == 0) {
          q.y1 = std::min(p[0], p[2]); q.y2 = std::max(p[0], p[2]);
          q.x1 = std::min(p[1], p[3]); q.x2 = std::max(p[1], p[3]);
        } else {
          q.x1 = p[0] - p[2] / 2; q.x2 = p[0] + p[2] / 2;
          q.y1 = p[1] - p[3] / 2; q.y2 = p[1] + p[3] / 2;
        }
        q.area = (q.y2 - q.y1) * (q.x2 - q.x1);
      }
      for (int64_t c = 0; c < nc; ++c) {
        const float* sp = scores.data<float>() + (b * nc + c) * nbox;
        cand.clear();
        for (int64_t i = 0; i < nbox; ++i)
          if (!has_score_th || sp[i] > score_th) cand.push_back(i);
        std::stable_sort(cand.begin(), cand.end(), [sp](int64_t a, int64_t d) { return sp[a] > sp[d]; });
        kept.clear();
        for (int64_t i : cand) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          const Box& q = bx[static_cast<size_t>(i)];
          bool keep = true;
          for (int64_t j : kept) {
            const Box& r = bx[static_cast<size_t>(j)];
            float ih = std::min(q.y2, r.y2) - std::max(q.y1, r.y1);
            float iw = std::min(q.x2, r.x2) - std::max(q.x1, r.x1);
            if (ih <= 0 || iw <= 0) continue;
            float inter = ih * iw;
            float uni = q.area + r.area - inter;
            if (uni <= 0) continue;
            if (inter / uni > iou_th) { keep = false; break; }
          }
          if (keep) {
            kept.push_back(i);
            sel.push_back(b); sel.push_back(c); sel.push_back(i);
          }
        }
      }
    }
    int64_t count = static_cast<int64_t>(sel.size() / 3);
    PX_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DataType::kInt64, {count, 3}));
    std::copy(sel.begin(), sel.end(), out->data<int64_t>());
    return Status::ok();
  }

 private:
  int64_t center_ = 0;
};

}  // namespace

PX_REGISTER_KERNEL("", "NonMaxSuppression", 10, kMaxOpset, make_kernel<NonMaxSuppressionKernel>);

}  // namespace parallax
