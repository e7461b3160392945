#include "plan/plan_text.h"

#include <iomanip>
#include <sstream>

namespace parallax {
namespace {

const char* storage_name(Storage s) {
  switch (s) {
    case Storage::kUnused: return "unused";
    case Storage::kConstant: return "constant";
    case Storage::kInput: return "input";
    case Storage::kOuter: return "outer";
    case Storage::kArena: return "arena";
    case Storage::kOwned: return "owned";
    case Storage::kDynamic: return "run-time";
    case Storage::kArenaView: return "view";
  }
  return "?";
}

std::string mib(size_t bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
  return out.str();
}

// "y1 arena+4096 [1,64,56,56] float32"; shapes of run-time values are unknown.
std::string where(const Graph& graph, const ShapePlan& plan, const std::vector<size_t>* offsets, ValueId id) {
  const ValuePlan& vp = plan.values[id.index()];
  std::ostringstream out;
  out << graph.value(id).name << ' ' << storage_name(vp.storage);
  if (vp.storage == Storage::kArena) out << '+' << (offsets ? (*offsets)[id.index()] : vp.offset);
  if (vp.storage == Storage::kArenaView) out << " of " << graph.value(vp.view_of).name;
  if (vp.storage != Storage::kDynamic && vp.storage != Storage::kUnused)
    out << ' ' << shape_to_string(vp.shape) << ' ' << data_type_name(vp.dtype);
  return out.str();
}

}  // namespace

std::string describe_shape_plan(const Graph& graph, const ShapePlan& plan) {
  std::ostringstream out;
  out << "shape plan: " << plan.steps.size() << " steps (" << plan.folded_nodes << " nodes folded), arena "
      << mib(plan.arena_bytes) << ", one buffer per value " << mib(plan.naive_bytes) << ", lower bound "
      << mib(plan.lower_bound_bytes) << '\n';
  for (size_t v = 0; v < plan.values.size(); ++v)
    if (plan.values[v].storage != Storage::kUnused)
      out << "  " << where(graph, plan, nullptr, ValueId(static_cast<uint32_t>(v))) << '\n';
  return out.str();
}

std::string describe_execution_plan(const Graph& graph, const ExecutionPlan& plan) {
  const ShapePlan& shapes = *plan.shapes;
  // Predecessors per position, from the successor lists.
  std::vector<std::vector<uint32_t>> preds(plan.dag.size());
  for (uint32_t a = 0; a < plan.dag.size(); ++a)
    for (uint32_t b : plan.dag.succs[a]) preds[b].push_back(a);
  std::ostringstream out;
  out << "execution plan: " << execution_mode_name(plan.mode) << ", " << plan.order.size() << " steps, "
      << plan.num_branches << " branches; arena " << mib(plan.arena_bytes) << " (sequential plan "
      << mib(plan.sequential_arena_bytes) << ", lower bound " << mib(plan.lower_bound_bytes) << ")";
  if (!plan.note.empty()) out << "; " << plan.note;
  out << "\n  pos  op  node  branch  layer  waits-for  writes\n";
  for (size_t p = 0; p < plan.order.size(); ++p) {
    const Node& node = graph.node(shapes.steps[plan.order[p]].node);
    out << "  " << p << "  " << node.op_type << "  " << (node.name.empty() ? "-" : node.name) << "  "
        << (p < plan.branch.size() ? plan.branch[p] : -1) << "  " << (p < plan.layer.size() ? plan.layer[p] : -1)
        << "  ";
    if (preds[p].empty()) out << '-';
    for (size_t i = 0; i < preds[p].size(); ++i) out << (i ? "," : "") << preds[p][i];
    out << "  ";
    bool first = true;
    for (ValueId v : node.outputs) {
      if (!v.valid()) continue;
      out << (first ? "" : "; ") << where(graph, shapes, &plan.offsets, v);
      first = false;
    }
    out << '\n';
  }
  return out.str();
}

}  // namespace parallax
