#include "runtime/shape_planner.h"

#include <algorithm>

#include "core/status_macros.h"
#include "memory/greedy_planner.h"
#include "runtime/kernel_contexts.h"

namespace parallax {

namespace {

// Plan-time folding is for shape arithmetic (Shape -> Gather -> Concat ->
// Reshape chains); big constant results stay computed at run time so that
// plans stay small.
constexpr size_t kFoldLimitBytes = 64 * 1024;

// Ops whose output depends only on the input's shape, never its data.
bool reads_shape_only(const Node& n) {
  return n.domain.empty() && (n.op_type == "Shape" || n.op_type == "Size");
}

bool never_fold(const Node& n) {
  return n.num_explicit_inputs != n.inputs.size() ||  // control flow reads outer values
         n.op_type.rfind("Random", 0) == 0 || n.op_type == "Bernoulli" || n.op_type == "Multinomial";
}

size_t bytes_of(DataType t, const Shape& s) {
  return static_cast<size_t>(shape_numel(s)) * element_size(t);
}

class Planner {
 public:
  Planner(const Graph& g, std::span<const std::unique_ptr<OpKernel>> kernels, size_t max_tensor_bytes)
      : g_(g), kernels_(kernels), max_tensor_bytes_(max_tensor_bytes) {}

  Result<std::shared_ptr<const ShapePlan>> plan(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                                std::span<const bool> wanted_outputs);

 private:
  // Per node: whether a wanted graph output depends on it (all, when every
  // output is wanted).
  std::vector<bool> needed_nodes(std::span<const bool> wanted_outputs) const;
  Status plan_node(NodeId id);
  Status fold(NodeId id, BasicInferContext& ictx);
  // A view of a constant is the constant with a new shape, whatever its size.
  Status fold_view(NodeId id, BasicInferContext& ictx);
  // Output 0 of a view kernel shares input 0's arena bytes.
  void view_input(const Node& node);
  void assign_arena();

  const Graph& g_;
  std::span<const std::unique_ptr<OpKernel>> kernels_;
  size_t max_tensor_bytes_;
  std::shared_ptr<ShapePlan> plan_;
};

std::vector<bool> Planner::needed_nodes(std::span<const bool> wanted_outputs) const {
  const bool all =
      wanted_outputs.empty() || std::all_of(wanted_outputs.begin(), wanted_outputs.end(), [](bool w) { return w; });
  std::vector<bool> needed(g_.nodes.size(), all);
  if (all) return needed;
  std::vector<bool> value_needed(g_.values.size(), false);
  for (size_t o = 0; o < g_.outputs.size() && o < wanted_outputs.size(); ++o)
    if (wanted_outputs[o]) value_needed[g_.outputs[o].index()] = true;
  // Nodes are in topological order: walking back, a node's readers are decided before it.
  for (size_t i = g_.nodes.size(); i-- > 0;) {
    const Node& node = g_.nodes[i];
    for (ValueId v : node.outputs)
      if (v.valid() && value_needed[v.index()]) needed[i] = true;
    if (!needed[i]) continue;
    for (ValueId v : node.inputs)  // implicit inputs of control flow included
      if (v.valid()) value_needed[v.index()] = true;
  }
  return needed;
}

Result<std::shared_ptr<const ShapePlan>> Planner::plan(std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                                       std::span<const bool> wanted_outputs) {
  plan_ = std::make_shared<ShapePlan>();
  plan_->values.resize(g_.values.size());
  for (size_t i = 0; i < g_.values.size(); ++i) {
    const Value& v = g_.values[i];
    if (v.initializer) {
      ValuePlan& vp = plan_->values[i];
      vp.storage = Storage::kConstant;
      vp.dtype = v.initializer->dtype();
      vp.shape = v.initializer->shape();
      vp.constant = *v.initializer;
    }
  }
  auto bind = [&](ValueId id, const Tensor& t, Storage s) {
    ValuePlan& vp = plan_->values[id.index()];
    vp.storage = s;
    vp.dtype = t.dtype();
    vp.shape = t.shape();
  };
  for (size_t i = 0; i < g_.inputs.size() && i < inputs.size(); ++i) bind(g_.inputs[i], inputs[i], Storage::kInput);
  for (size_t i = 0; i < g_.outer_values.size() && i < outer.size(); ++i)
    bind(g_.outer_values[i], outer[i], Storage::kOuter);

  // Nodes no wanted output depends on get no step: their values stay kUnused.
  const std::vector<bool> needed = needed_nodes(wanted_outputs);
  for (size_t i = 0; i < g_.nodes.size(); ++i)
    if (needed[i]) PX_RETURN_IF_ERROR(plan_node(NodeId(i)));
  assign_arena();
  return std::shared_ptr<const ShapePlan>(std::move(plan_));
}

Status Planner::plan_node(NodeId id) {
  const Node& node = g_.node(id);
  std::vector<BasicInferContext::Input> ins(node.num_explicit_inputs);
  bool all_static = true, all_constant = true;
  for (size_t i = 0; i < node.num_explicit_inputs; ++i) {
    if (!node.inputs[i].valid()) continue;
    const ValuePlan& vp = plan_->values[node.inputs[i].index()];
    if (vp.storage == Storage::kDynamic || vp.storage == Storage::kUnused) {
      all_static = false;
      all_constant = false;
      continue;
    }
    ins[i] = {vp.dtype, &vp.shape, vp.storage == Storage::kConstant ? &vp.constant : nullptr};
    if (vp.storage != Storage::kConstant) all_constant = false;
  }

  PlanStep step;
  step.node = id;
  if (all_static) {
    BasicInferContext ictx(&node, std::move(ins));
    PX_RETURN_IF_ERROR(ictx.check_non_tensor_inputs(*kernels_[id.index()]));
    Status s = kernels_[id.index()]->infer(ictx);
    if (!s.is_ok()) return s.with_context(node.describe());
    if (!ictx.deferred()) {
      bool foldable = !never_fold(node) && (all_constant || reads_shape_only(node));
      size_t out_bytes = 0;
      for (size_t o = 0; o < node.outputs.size(); ++o) {
        if (!node.outputs[o].valid()) continue;
        auto& out = ictx.outputs()[o];
        if (!out.set) return error(StatusCode::kInternal, node.describe(), ": kernel did not infer output ", o);
        // Kernels read a missing input as an untyped, empty tensor; one that
        // passes its input's type through then has nothing to pass.
        if (!out.dynamic && out.dtype == DataType::kUndefined)
          return error(StatusCode::kInvalidModel, node.describe(), ": output ", o,
                       " has no element type (is a required input missing?)");
        for (int64_t d : out.shape)
          if (d < 0)
            return error(StatusCode::kInvalidArgument, node.describe(), ": inferred output ", o, " shape ",
                         shape_to_string(out.shape), " has a negative dimension");
        if (!out.dynamic) {
          Status size_ok = check_tensor_bytes(out.dtype, out.shape, max_tensor_bytes_);
          if (!size_ok.is_ok()) return size_ok.with_context(node.describe() + ": output " + std::to_string(o));
        }
        out_bytes += out.dynamic ? 0 : bytes_of(out.dtype, out.shape);
      }
      const OpKernel& kernel = *kernels_[id.index()];
      const bool has_viewed_input = node.num_explicit_inputs > 0 && node.inputs[0].valid();
      if (foldable && kernel.output_views_input() && has_viewed_input && !ictx.outputs()[0].dynamic)
        return fold_view(id, ictx);
      if (foldable && out_bytes <= kFoldLimitBytes) return fold(id, ictx);
      for (size_t o = 0; o < node.outputs.size(); ++o) {
        ValueId vid = node.outputs[o];
        if (!vid.valid()) continue;
        auto& out = ictx.outputs()[o];
        ValuePlan& vp = plan_->values[vid.index()];
        vp.dtype = out.dtype;
        if (out.dynamic) {
          vp.storage = Storage::kDynamic;
          step.static_shapes = false;
        } else {
          vp.storage = g_.value(vid).is_graph_output ? Storage::kOwned : Storage::kArena;
          vp.shape = std::move(out.shape);
        }
      }
      if (kernel.output_views_input()) view_input(node);
      plan_->steps.push_back(std::move(step));
      return Status::ok();
    }
  }
  // Shapes decided at run time.
  step.static_shapes = false;
  for (ValueId vid : node.outputs)
    if (vid.valid()) plan_->values[vid.index()].storage = Storage::kDynamic;
  plan_->steps.push_back(std::move(step));
  return Status::ok();
}

Status Planner::fold(NodeId id, BasicInferContext& ictx) {
  const Node& node = g_.node(id);
  std::vector<Tensor> shape_only(node.num_explicit_inputs);
  std::vector<const Tensor*> ins(node.num_explicit_inputs, nullptr);
  for (size_t i = 0; i < node.num_explicit_inputs; ++i) {
    if (!node.inputs[i].valid()) continue;
    const ValuePlan& vp = plan_->values[node.inputs[i].index()];
    if (vp.storage == Storage::kConstant) {
      ins[i] = &vp.constant;
    } else {  // Shape / Size read only the shape
      shape_only[i] = Tensor::view(vp.dtype, vp.shape, nullptr);
      ins[i] = &shape_only[i];
    }
  }
  std::vector<Tensor> results(node.outputs.size());
  std::vector<Tensor*> outs(node.outputs.size(), nullptr);
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    if (!node.outputs[o].valid()) continue;
    auto& out = ictx.outputs()[o];
    if (!out.dynamic) results[o] = Tensor::allocate(out.dtype, out.shape);
    outs[o] = &results[o];
  }
  BasicComputeContext cctx(&node, ins, outs, {}, 1, max_tensor_bytes_);
  Status s = kernels_[id.index()]->compute(cctx);
  if (!s.is_ok()) return s.with_context(node.describe());
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    ValueId vid = node.outputs[o];
    if (!vid.valid()) continue;
    if (results[o].empty()) return error(StatusCode::kInternal, node.describe(), ": kernel did not produce output ", o);
    ValuePlan& vp = plan_->values[vid.index()];
    vp.storage = Storage::kConstant;
    vp.dtype = results[o].dtype();
    vp.shape = results[o].shape();
    vp.constant = std::move(results[o]);
  }
  ++plan_->folded_nodes;
  return Status::ok();
}

Status Planner::fold_view(NodeId id, BasicInferContext& ictx) {
  const Node& node = g_.node(id);
  const ValuePlan& in = plan_->values[node.inputs[0].index()];
  auto& out = ictx.outputs()[0];
  if (bytes_of(out.dtype, out.shape) != in.constant.nbytes() || out.dtype != in.constant.dtype())
    return error(StatusCode::kInternal, node.describe(), ": a view changes the size or type of its input");
  ValuePlan& vp = plan_->values[node.outputs[0].index()];
  vp.storage = Storage::kConstant;
  vp.dtype = out.dtype;
  vp.shape = out.shape;
  vp.constant = in.constant.reshaped(out.shape);
  ++plan_->folded_nodes;
  return Status::ok();
}

// Graph outputs keep bytes of their own (the caller owns them), and only
// planned arena bytes are shared: the owner then lives until the view's last
// reader (assign_arena), and nothing writes either after the owner's step.
void Planner::view_input(const Node& node) {
  if (node.num_explicit_inputs == 0 || !node.inputs[0].valid() || node.outputs.empty() || !node.outputs[0].valid())
    return;
  const ValuePlan& in = plan_->values[node.inputs[0].index()];
  ValuePlan& out = plan_->values[node.outputs[0].index()];
  if (out.storage != Storage::kArena || (in.storage != Storage::kArena && in.storage != Storage::kArenaView)) return;
  if (out.dtype != in.dtype || shape_numel(out.shape) != shape_numel(in.shape)) return;
  out.storage = Storage::kArenaView;
  out.view_of = in.storage == Storage::kArenaView ? in.view_of : node.inputs[0];
}

void Planner::assign_arena() {
  const size_t nv = g_.values.size();
  std::vector<int32_t> first(nv, -1), last(nv, -1);
  for (size_t s = 0; s < plan_->steps.size(); ++s) {
    const Node& node = g_.node(plan_->steps[s].node);
    for (ValueId v : node.inputs)
      if (v.valid()) last[v.index()] = static_cast<int32_t>(s);
    for (ValueId v : node.outputs)
      if (v.valid()) {
        first[v.index()] = static_cast<int32_t>(s);
        last[v.index()] = std::max(last[v.index()], static_cast<int32_t>(s));
      }
  }
  // A view is planned by its owner, whose bytes then live until the view's last reader.
  for (size_t v = 0; v < nv; ++v) {
    const ValuePlan& vp = plan_->values[v];
    if (vp.storage == Storage::kArenaView) last[vp.view_of.index()] = std::max(last[vp.view_of.index()], last[v]);
  }
  std::vector<BufferRequest> requests;
  std::vector<size_t> owners;
  for (size_t v = 0; v < nv; ++v) {
    ValuePlan& vp = plan_->values[v];
    if (vp.storage == Storage::kArena) {
      requests.push_back({bytes_of(vp.dtype, vp.shape), first[v], last[v]});
      owners.push_back(v);
    } else if (vp.storage == Storage::kDynamic && !g_.values[v].is_graph_output && last[v] >= 0) {
      plan_->steps[static_cast<size_t>(last[v])].release_after.push_back(ValueId(v));
    }
  }
  ArenaPlan arena = plan_greedy_by_size(requests);
  for (size_t i = 0; i < owners.size(); ++i) {
    plan_->values[owners[i]].offset = arena.offsets[i];
    plan_->naive_bytes += (requests[i].bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
  }
  for (ValuePlan& vp : plan_->values)
    if (vp.storage == Storage::kArenaView) vp.offset = plan_->values[vp.view_of.index()].offset;
  plan_->arena_bytes = arena.arena_bytes;
  plan_->lower_bound_bytes = peak_live_bytes(requests);
}

}  // namespace

Result<std::shared_ptr<const ShapePlan>> make_shape_plan(const Graph& graph,
                                                         std::span<const std::unique_ptr<OpKernel>> kernels,
                                                         std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                                         size_t max_tensor_bytes,
                                                         std::span<const bool> wanted_outputs) {
  return Planner(graph, kernels, max_tensor_bytes).plan(inputs, outer, wanted_outputs);
}

}  // namespace parallax
