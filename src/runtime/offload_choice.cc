#include "runtime/offload_choice.h"

#include <sstream>

#include "partition/dataflow.h"
#include "partition/regions.h"
#include "partition/work_estimate.h"
#include "runtime/kernel_contexts.h"
#include "runtime/shape_planner.h"

namespace parallax {

namespace {

// Zero-filled inputs of the declared shapes, symbolic dimensions as 1;
// NotFound when an input declares no shape. A declared shape is the model's
// word: one over `max_bytes`, or whose size overflows, is refused before it
// is allocated.
Result<std::vector<Tensor>> declared_inputs(const Graph& g, size_t max_bytes) {
  std::vector<Tensor> inputs;
  for (ValueId id : g.inputs) {
    const Value& v = g.value(id);
    if (!v.declared_shape || v.dtype == DataType::kUndefined)
      return error(StatusCode::kNotFound, "input '", v.name, "' declares no shape");
    Shape shape;
    for (const Dim& d : *v.declared_shape) shape.push_back(d.known() ? d.value : 1);
    if (Status size_ok = check_tensor_bytes(v.dtype, shape, max_bytes); !size_ok.is_ok())
      return size_ok.with_context("input '" + v.name + "'");
    inputs.push_back(Tensor::allocate(v.dtype, shape));
  }
  return inputs;
}

const char* rule_name(OffloadRule r) {
  switch (r) {
    case OffloadRule::kCostModel: return "cost model";
    case OffloadRule::kFixedThresholds: return "fixed thresholds";
    case OffloadRule::kAlways: return "always";
  }
  return "?";
}

}  // namespace

OffloadChoice choose_offload(const Graph& graph, std::span<const std::unique_ptr<OpKernel>> kernels,
                             const std::vector<bool>& supported, const OffloadOptions& options) {
  OffloadChoice choice;
  choice.on_device = supported;
  choice.regions.node_region.assign(graph.nodes.size(), RegionId());
  choice.regions.candidate.assign(graph.nodes.size(), RegionId());
  size_t candidates = 0;
  for (bool s : supported) candidates += s;
  if (candidates == 0) {
    choice.summary = "0 supported nodes";
    return choice;
  }
  // Work at the declared shapes; where they do not plan, the regions are
  // still formed (every cost unknown) but nothing is judged: all go.
  std::string unjudged;
  std::vector<NodeWork> work(graph.nodes.size());
  Result<std::vector<Tensor>> inputs = declared_inputs(graph, options.max_tensor_bytes);
  if ((!inputs.is_ok() && inputs.status().code() == StatusCode::kNotFound) || !graph.outer_values.empty()) {
    unjudged = "input shapes not declared, offload not judged";
  } else if (!inputs.is_ok()) {
    unjudged = "declared shapes do not plan (" + inputs.status().message() + ")";
  } else if (auto shapes = make_shape_plan(graph, kernels, *inputs, {}, options.max_tensor_bytes); !shapes.is_ok()) {
    unjudged = "declared shapes do not plan (" + shapes.status().message() + ")";
  } else {
    work = estimate_work(graph, **shapes);
  }
  choice.work = work;
  const OffloadRule rule = unjudged.empty() ? options.rule : OffloadRule::kAlways;
  auto offload_all = [&](const std::string& reason) {
    choice.summary = std::to_string(candidates) + " supported nodes, all offloaded: " + reason;
    return choice;
  };
  auto df = build_dataflow(graph, work);
  if (!df.is_ok()) return offload_all(df.status().message());
  RegionOptions ro;
  ro.supported = [&](const Node& n) { return supported[static_cast<size_t>(&n - graph.nodes.data())]; };
  ro.profile = options.profile;
  ro.rule = rule;
  auto regions = find_regions(graph, work, *df, ro);
  if (!regions.is_ok()) return offload_all(regions.status().message());
  choice.regions = std::move(regions).value();
  std::fill(choice.on_device.begin(), choice.on_device.end(), false);
  size_t kept = 0, kept_nodes = 0, candidate_nodes = 0;
  for (const Region& r : choice.regions.regions) {
    candidate_nodes += r.nodes.size();
    if (!r.offload) continue;
    ++kept;
    kept_nodes += r.nodes.size();
    for (NodeId n : r.nodes) choice.on_device[n.index()] = true;
  }
  std::ostringstream why;
  why << choice.regions.regions.size() << " candidate regions (" << candidate_nodes << " nodes), " << kept << " kept ("
      << kept_nodes << " nodes) by the " << rule_name(rule);
  if (rule != OffloadRule::kAlways) why << " with profile '" << options.profile.name << "'";
  if (!unjudged.empty()) why << ": " << unjudged;
  choice.summary = why.str();
  return choice;
}

Status keep_placed_nodes(const Graph& graph, const OffloadChoice& choice, std::span<const bool> on_device,
                         RegionSet& regions) {
  bool dropped = false;
  for (size_t n = 0; n < on_device.size(); ++n) dropped |= choice.regions.node_region[n].valid() && !on_device[n];
  if (!dropped) return Status::ok();
  PX_ASSIGN_OR_RETURN(Dataflow df, build_dataflow(graph, choice.work));
  RegionOptions ro;
  ro.supported = [&](const Node& n) { return on_device[static_cast<size_t>(&n - graph.nodes.data())]; };
  ro.rule = OffloadRule::kAlways;
  PX_ASSIGN_OR_RETURN(regions, find_regions(graph, choice.work, df, ro));
  for (Region& r : regions.regions) r.reason = "formed again over the nodes that got a device kernel";
  return Status::ok();
}

}  // namespace parallax
