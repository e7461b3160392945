#include "schedule/execution_planner.h"

#include <algorithm>
#include <numeric>

#include "core/status_macros.h"
#include "memory/branch_arenas.h"
#include "memory/concurrent_planner.h"
#include "memory/greedy_planner.h"
#include "partition/branches.h"
#include "partition/work_estimate.h"

namespace parallax {

namespace {

size_t bytes_of(const ValuePlan& vp) {
  return static_cast<size_t>(shape_numel(vp.shape)) * element_size(vp.dtype);
}

// Relative step costs for priorities before any run has been measured: MACs
// at ~1 GMAC/s plus a fixed dispatch cost, so that cheap ops still count.
double estimated_cost_us(const NodeWork& w) {
  return 2.0 + w.macs * 1e-3;
}

struct Builder {
  const Graph& g;
  const ExecutionPlanOptions& opts;
  std::shared_ptr<ExecutionPlan> ep = std::make_shared<ExecutionPlan>();
  Partition part;
  std::vector<NodeWork> work;
  std::vector<NodeId> nodes;  // per position

  Builder(const Graph& graph, const ExecutionPlanOptions& o) : g(graph), opts(o) {}

  const ShapePlan& shapes() const { return *ep->shapes; }
  int32_t branch_of(NodeId n) const {
    BranchId b = part.nodes[n.index()].branch;
    return b.valid() ? static_cast<int32_t>(b.index()) : -1;
  }

  Status build();
  void order_by_layers();
  void add_layer_orders(const std::vector<std::vector<uint32_t>>& runs_in_layer,
                        const std::vector<size_t>& concurrent_in_layer);
  void plan_sequential_memory();
  void plan_concurrent_memory();
  void branch_memory(const ValueUses& uses, const std::vector<size_t>& arena_values);
};

Status Builder::build() {
  const ShapePlan& sp = shapes();
  const size_t n = sp.steps.size();
  PX_ASSIGN_OR_RETURN(PlannedPartition planned, plan_partition(g, sp, opts));
  part = std::move(planned.partition);
  work = std::move(planned.work);
  ep->num_branches = part.branches.size();

  ep->mode = opts.mode;
  if (ep->mode != ExecutionMode::kSequential && opts.threads < 2 && !opts.device_beside) {
    ep->mode = ExecutionMode::kSequential;
    ep->note = "1 thread: nothing to run concurrently";
  } else if (ep->mode != ExecutionMode::kSequential && n > kMaxReachabilitySteps) {
    ep->mode = ExecutionMode::kSequential;
    ep->note = std::to_string(n) + " steps: above the concurrent planner's limit, runs sequentially";
  }

  ep->order.resize(n);
  std::iota(ep->order.begin(), ep->order.end(), 0u);
  if (ep->mode == ExecutionMode::kLayer)
    order_by_layers();  // also adds the layer orders
  else {
    nodes.resize(n);
    for (size_t p = 0; p < n; ++p) nodes[p] = sp.steps[p].node;
    ep->dag = data_dependencies(g, nodes);
  }
  for (const auto& s : ep->dag.succs) ep->data_edges += s.size();
  if (ep->mode == ExecutionMode::kLayer) ep->data_edges -= ep->schedule_edges;

  ep->sequential_arena_bytes = sp.arena_bytes;
  ep->lower_bound_bytes = sp.lower_bound_bytes;
  ep->naive_bytes = sp.naive_bytes;
  if (sp.arena_bytes > opts.memory_budget)
    return error(StatusCode::kResourceExhausted, "the memory budget of ", opts.memory_budget, " bytes is below the ",
                 sp.arena_bytes, " bytes the sequential plan needs for these input shapes");
  if (ep->mode == ExecutionMode::kSequential)
    plan_sequential_memory();
  else
    plan_concurrent_memory();

  ep->cost_us.resize(n);
  ep->branch.resize(n);
  ep->layer.resize(n);
  for (size_t p = 0; p < n; ++p) {
    ep->cost_us[p] = estimated_cost_us(work[nodes[p].index()]);
    ep->branch[p] = branch_of(nodes[p]);
    ep->layer[p] = ep->branch[p] >= 0 ? static_cast<int32_t>(part.branches[ep->branch[p]].layer.index()) : -1;
  }
  return Status::ok();
}

// The paper's layer mode: layers one after another; inside a layer that the
// refinement rule lets run in parallel, the largest set of branches whose
// peaks M_i fit the budget runs concurrently (smallest peaks first), the rest
// after them one by one. Positions follow that execution order.
void Builder::order_by_layers() {
  const ShapePlan& sp = shapes();
  std::vector<uint32_t> step_of_node(g.nodes.size(), UINT32_MAX);
  for (uint32_t s = 0; s < sp.steps.size(); ++s) step_of_node[sp.steps[s].node.index()] = s;

  // Peaks need positions; the plan's own order gives the same per-branch order.
  {
    std::vector<NodeId> seq(sp.steps.size());
    for (size_t s = 0; s < seq.size(); ++s) seq[s] = sp.steps[s].node;
    nodes = seq;
    ValueUses uses = arena_value_uses(g, seq, sp);
    std::vector<size_t> arena_values;
    for (size_t v = 0; v < g.values.size(); ++v)
      if (sp.values[v].storage == Storage::kArena) arena_values.push_back(v);
    branch_memory(uses, arena_values);
  }

  std::vector<std::vector<uint32_t>> runs_in_layer;  // per layer: branches in execution order
  std::vector<size_t> concurrent_in_layer;           // per layer: how many lead branches run together
  std::vector<uint32_t> order;
  size_t limited = 0;
  for (const Layer& layer : part.layers) {
    std::vector<uint32_t> bs;
    for (BranchId b : layer.branches) bs.push_back(b.index());
    size_t together = 1;
    if (layer.parallel && bs.size() > 1) {
      std::stable_sort(bs.begin(), bs.end(),
                       [&](uint32_t a, uint32_t b) { return ep->branch_peak[a] < ep->branch_peak[b]; });
      size_t sum = 0;
      together = 0;
      for (uint32_t b : bs) {
        if (sum + ep->branch_peak[b] > opts.memory_budget) break;
        sum += ep->branch_peak[b];
        ++together;
      }
      if (together < bs.size()) ++limited;
      together = std::max<size_t>(together, 1);
    }
    runs_in_layer.push_back(bs);
    concurrent_in_layer.push_back(together);
    for (uint32_t b : bs)
      for (NodeId nid : part.branches[b].nodes)
        if (step_of_node[nid.index()] != UINT32_MAX) order.push_back(step_of_node[nid.index()]);
  }
  if (order.size() != sp.steps.size()) {
    // Cannot happen for a consistent partition; run in dataflow order rather than drop steps.
    ep->mode = ExecutionMode::kDataflow;
    ep->note = "layer order does not cover every step; ran as dataflow";
    ep->dag = data_dependencies(g, nodes);
    return;
  }
  if (limited) ep->note = std::to_string(limited) + " parallel layers limited by the memory budget";
  ep->order = order;
  for (size_t p = 0; p < order.size(); ++p) nodes[p] = sp.steps[order[p]].node;
  ep->dag = data_dependencies(g, nodes);
  add_layer_orders(runs_in_layer, concurrent_in_layer);
}

void Builder::add_layer_orders(const std::vector<std::vector<uint32_t>>& runs_in_layer,
                               const std::vector<size_t>& concurrent_in_layer) {
  // First and last position of each branch in the new order.
  std::vector<uint32_t> first(part.branches.size(), UINT32_MAX), last(part.branches.size(), 0);
  for (uint32_t p = 0; p < nodes.size(); ++p) {
    int32_t b = branch_of(nodes[p]);
    if (b < 0) continue;
    first[b] = std::min(first[b], p);
    last[b] = std::max(last[b], p);
  }
  size_t before = 0;
  for (const auto& s : ep->dag.succs) before += s.size();
  auto order = [&](uint32_t a, uint32_t b) {
    if (first[b] == UINT32_MAX || first[a] == UINT32_MAX) return;
    ep->dag.add_edge(last[a], first[b]);
  };
  for (size_t l = 0; l < runs_in_layer.size(); ++l) {
    const auto& bs = runs_in_layer[l];
    const size_t together = concurrent_in_layer[l];
    // Branches after the concurrent lead run one by one.
    for (size_t k = together; k < bs.size(); ++k) {
      if (k == together)
        for (size_t c = 0; c < together; ++c) order(bs[c], bs[k]);
      else
        order(bs[k - 1], bs[k]);
    }
    // Barrier: the next layer starts when this one is done.
    if (l + 1 < runs_in_layer.size())
      for (uint32_t a : bs)
        for (uint32_t b : runs_in_layer[l + 1]) order(a, b);
  }
  size_t after = 0;
  for (const auto& s : ep->dag.succs) after += s.size();
  ep->schedule_edges = after - before;
}

void Builder::plan_sequential_memory() {
  const ShapePlan& sp = shapes();
  // The ShapePlan's offsets hold for its own order only.
  std::iota(ep->order.begin(), ep->order.end(), 0u);
  nodes.resize(sp.steps.size());
  for (size_t p = 0; p < nodes.size(); ++p) nodes[p] = sp.steps[p].node;
  ep->schedule_edges = 0;
  ep->dag = StepDag{};
  ep->dag.succs.resize(sp.steps.size());
  ep->dag.num_preds.assign(sp.steps.size(), 0);
  for (uint32_t p = 0; p + 1 < sp.steps.size(); ++p) ep->dag.add_edge(p, p + 1);
  ep->offsets.resize(g.values.size());
  for (size_t v = 0; v < g.values.size(); ++v) ep->offsets[v] = sp.values[v].offset;
  ep->arena_bytes = sp.arena_bytes;
  ValueUses uses = arena_value_uses(g, nodes, sp);
  ep->readers.resize(g.values.size());
  std::vector<size_t> arena_values;
  for (size_t v = 0; v < g.values.size(); ++v) {
    ep->readers[v] = static_cast<uint32_t>(uses.readers[v].size());
    if (sp.values[v].storage == Storage::kArena) arena_values.push_back(v);
  }
  branch_memory(uses, arena_values);
}

void Builder::plan_concurrent_memory() {
  const ShapePlan& sp = shapes();
  ValueUses uses = arena_value_uses(g, nodes, sp);
  std::vector<size_t> arena_values;
  std::vector<BufferRequest> requests;
  ep->readers.resize(g.values.size());
  for (size_t v = 0; v < g.values.size(); ++v) {
    ep->readers[v] = static_cast<uint32_t>(uses.readers[v].size());
    if (sp.values[v].storage != Storage::kArena || uses.writer[v] < 0) continue;
    int32_t last = uses.writer[v];
    for (uint32_t r : uses.readers[v]) last = std::max(last, static_cast<int32_t>(r));
    arena_values.push_back(v);
    requests.push_back({bytes_of(sp.values[v]), uses.writer[v], last});
  }
  if (ep->branch_peak.empty()) branch_memory(uses, arena_values);

  Reachability reach(ep->dag);
  // a before b: every step touching a happens before b's writer.
  auto before = [&](size_t a, size_t b) {
    const size_t va = arena_values[a], vb = arena_values[b];
    const auto wb = static_cast<uint32_t>(uses.writer[vb]);
    if (!reach.reaches(static_cast<uint32_t>(uses.writer[va]), wb)) return false;
    for (uint32_t r : uses.readers[va])
      if (!reach.reaches(r, wb)) return false;
    return true;
  };
  auto ordered = [&](size_t a, size_t b) { return before(a, b) || before(b, a); };
  const double cap =
      std::min(static_cast<double>(opts.memory_budget), opts.max_arena_growth * static_cast<double>(sp.arena_bytes));
  ConcurrentArenaPlan plan = plan_concurrent(requests, ordered, static_cast<size_t>(cap));

  if (plan.arena.arena_bytes > opts.memory_budget) {
    ep->note = "memory budget too small for concurrency: ran sequentially";
    ep->mode = ExecutionMode::kSequential;
    plan_sequential_memory();
    return;
  }
  ep->offsets.assign(g.values.size(), 0);
  for (size_t i = 0; i < arena_values.size(); ++i) ep->offsets[arena_values[i]] = plan.arena.offsets[i];
  for (size_t v = 0; v < g.values.size(); ++v)
    if (sp.values[v].storage == Storage::kArenaView) ep->offsets[v] = ep->offsets[sp.values[v].view_of.index()];
  ep->arena_bytes = plan.arena.arena_bytes;

  // Sharing without an order in the DAG: the earlier value's steps run before the later one's writer.
  size_t before_edges = 0;
  for (const auto& s : ep->dag.succs) before_edges += s.size();
  for (auto [a, b] : plan.added_orders) {
    const size_t va = arena_values[a], vb = arena_values[b];
    const auto wb = static_cast<uint32_t>(uses.writer[vb]);
    auto order = [&](uint32_t x) {
      if (x != wb && !reach.reaches(x, wb)) ep->dag.add_edge(x, wb);
    };
    order(static_cast<uint32_t>(uses.writer[va]));
    for (uint32_t r : uses.readers[va]) order(r);
  }
  size_t after_edges = 0;
  for (const auto& s : ep->dag.succs) after_edges += s.size();
  ep->memory_orders = plan.added_orders.size();
  ep->schedule_edges += after_edges - before_edges;
  if (ep->memory_orders > 0 && ep->note.empty())
    ep->note = std::to_string(ep->memory_orders) + " buffer pairs share bytes by an added order (arena cap " +
               std::to_string(static_cast<size_t>(cap)) + " bytes)";
}

void Builder::branch_memory(const ValueUses& uses, const std::vector<size_t>& arena_values) {
  const ShapePlan& sp = shapes();
  BranchMemoryInput in;
  for (size_t v : arena_values) {
    if (uses.writer[v] < 0) continue;
    in.bytes.push_back(bytes_of(sp.values[v]));
    in.writer_step.push_back(uses.writer[v]);
    in.reader_steps.push_back(uses.readers[v]);
  }
  in.step_branch.resize(nodes.size());
  for (size_t p = 0; p < nodes.size(); ++p) in.step_branch[p] = branch_of(nodes[p]);
  for (const Branch& b : part.branches) in.branch_layer.push_back(static_cast<int32_t>(b.layer.index()));
  BranchMemory bm = plan_branch_arenas(in);
  ep->branch_peak = std::move(bm.branch_peak);
  ep->paper_arena_bytes = bm.paper_arena_bytes;
}

}  // namespace

Result<PlannedPartition> plan_partition(const Graph& graph, const ShapePlan& shapes,
                                        const ExecutionPlanOptions& options) {
  PlannedPartition out;
  out.work = estimate_work(graph, shapes);
  PartitionOptions popts;
  popts.threads = options.threads;
  popts.regions = options.regions;
  PX_ASSIGN_OR_RETURN(out.partition, partition(graph, out.work, popts));
  return out;
}

Result<std::shared_ptr<const ExecutionPlan>> make_execution_plan(const Graph& graph,
                                                                 std::shared_ptr<const ShapePlan> shapes,
                                                                 const ExecutionPlanOptions& options) {
  if (options.threads < 1) return error(StatusCode::kInvalidArgument, "threads must be at least 1");
  if (!(options.max_arena_growth >= 1.0))
    return error(StatusCode::kInvalidArgument, "max_arena_growth must be at least 1, got ", options.max_arena_growth);
  Builder b(graph, options);
  b.ep->shapes = std::move(shapes);
  PX_RETURN_IF_ERROR(b.build());
  return std::shared_ptr<const ExecutionPlan>(std::move(b.ep));
}

}  // namespace parallax
