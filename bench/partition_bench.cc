// Planning time on synthetic branchy graphs of 10k, 100k and 1M nodes.
//
//   build/bench/partition_bench --benchmark_filter=Partition
//
// The graph is a random DAG built like a CNN: a chain of blocks, each a
// splitter feeding 1-5 branches of 1-6 ops (sometimes a nested split inside a
// branch), joined by a merger; some ops also read a value from up to 200
// nodes back (skip connections). Node work comes from estimate_node_work on
// made-up shapes, so no model or ShapePlan is needed.
//
// BM_Partition: partition() with no accelerator (dataflow, classes,
// branches, Kahn layers, refinement, critical path).
// BM_PartitionAccelerator: the same plus device regions (Conv, Relu and Add
// supported, every region offloaded).
// BM_EstimateWork: estimate_node_work for every node.
// Each reports nodes/s and a fitted complexity over the three sizes.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>
#include <vector>

#include "partition/branches.h"
#include "partition/work_estimate.h"

namespace parallax {
namespace {

struct Synthetic {
  Graph graph;
  std::vector<NodeWork> work;
  // Per node: shapes for estimate_node_work (inputs, outputs).
  std::vector<std::vector<ValueShape>> in_shapes, out_shapes;
};

class Builder {
 public:
  explicit Builder(uint32_t seed) : rng_(seed) {}

  std::unique_ptr<Synthetic> build(int64_t target) {
    auto s = std::make_unique<Synthetic>();
    s_ = s.get();
    Value x;
    x.name = "x";
    x.dtype = DataType::kFloat32;
    x.is_graph_input = true;
    ValueId cur = s_->graph.add_value(x);
    s_->graph.inputs.push_back(cur);
    weight_ = constant("w");
    while (static_cast<int64_t>(s_->graph.nodes.size()) < target) cur = block(cur, 0);
    s_->graph.value(cur).is_graph_output = true;
    s_->graph.outputs.push_back(cur);
    return s;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  ValueId constant(const char* name) {
    Value w;
    w.name = name;
    w.dtype = DataType::kFloat32;
    w.initializer = Tensor::allocate(DataType::kFloat32, Shape{1});
    return s_->graph.add_value(w);
  }

  ValueId op(const char* type, std::vector<ValueId> ins) {
    // A skip connection now and then: an extra input from a recent node.
    const size_t n = s_->graph.nodes.size();
    if (n > 2 && pick(0, 15) == 0) {
      const size_t back = static_cast<size_t>(pick(1, static_cast<int>(std::min<size_t>(n, 200))));
      ins.push_back(s_->graph.nodes[n - back].outputs[0]);
    }
    const bool conv = std::string_view(type) == "Conv";
    Node node;
    node.op_type = type;
    node.inputs = std::move(ins);
    if (conv) node.inputs.push_back(weight_);
    node.num_explicit_inputs = node.inputs.size();
    Value out;
    out.dtype = DataType::kFloat32;
    ValueId y = s_->graph.add_value(std::move(out));
    node.outputs.push_back(y);

    // Made-up shapes: 1x32x28x28 activations, 32x32x3x3 conv weights.
    const Shape act{1, 32, 28, 28};
    std::vector<ValueShape> in(node.inputs.size(), ValueShape{act, DataType::kFloat32, false});
    if (conv) in.back() = ValueShape{Shape{32, 32, 3, 3}, DataType::kFloat32, true};
    std::vector<ValueShape> outs{ValueShape{act, DataType::kFloat32, false}};
    s_->work.push_back(estimate_node_work(node, in, outs));
    s_->in_shapes.push_back(std::move(in));
    s_->out_shapes.push_back(std::move(outs));
    s_->graph.add_node(std::move(node));
    return y;
  }

  // splitter -> 1..5 branches -> merger; branches may nest one more block.
  ValueId block(ValueId in, int depth) {
    static const char* kOps[] = {"Conv", "Relu", "Conv", "Sigmoid", "Conv", "Add"};
    ValueId split = op("Conv", {in});
    const int branches = pick(1, 5);
    if (branches == 1) return op("Relu", {split});
    std::vector<ValueId> ends;
    for (int b = 0; b < branches; ++b) {
      ValueId v = split;
      const int len = pick(1, 6);
      for (int k = 0; k < len; ++k) v = op(kOps[pick(0, 5)], {v});
      if (depth == 0 && pick(0, 7) == 0) v = block(v, depth + 1);
      ends.push_back(v);
    }
    return op(pick(0, 1) ? "Concat" : "Add", ends);
  }

  std::mt19937 rng_;
  Synthetic* s_ = nullptr;
  ValueId weight_;
};

// One graph per size, built once (building is not what is measured).
const Synthetic& graph_of(int64_t nodes) {
  static std::map<int64_t, std::unique_ptr<Synthetic>> cache;
  auto& g = cache[nodes];
  if (!g) g = Builder(42).build(nodes);
  return *g;
}

void BM_Partition(benchmark::State& state) {
  const Synthetic& s = graph_of(state.range(0));
  PartitionOptions o;
  o.threads = 4;
  size_t branches = 0, layers = 0;
  for (auto _ : state) {
    auto p = partition(s.graph, s.work, o);
    if (!p.is_ok()) {
      state.SkipWithError(p.status().to_string().c_str());
      return;
    }
    branches = p->branches.size();
    layers = p->layers.size();
    benchmark::DoNotOptimize(p->bound_macs);
  }
  const auto n = static_cast<int64_t>(s.graph.nodes.size());
  state.SetItemsProcessed(state.iterations() * n);
  state.SetComplexityN(n);
  state.counters["branches"] = static_cast<double>(branches);
  state.counters["layers"] = static_cast<double>(layers);
}

void BM_PartitionAccelerator(benchmark::State& state) {
  const Synthetic& s = graph_of(state.range(0));
  PartitionOptions o;
  o.threads = 4;
  o.accelerator.supported = [](const Node& n) { return n.op_type == "Conv" || n.op_type == "Relu" || n.op_type == "Add"; };
  o.accelerator.rule = OffloadRule::kAlways;
  size_t regions = 0;
  for (auto _ : state) {
    auto p = partition(s.graph, s.work, o);
    if (!p.is_ok()) {
      state.SkipWithError(p.status().to_string().c_str());
      return;
    }
    regions = p->regions.size();
    benchmark::DoNotOptimize(p->bound_macs);
  }
  const auto n = static_cast<int64_t>(s.graph.nodes.size());
  state.SetItemsProcessed(state.iterations() * n);
  state.SetComplexityN(n);
  state.counters["regions"] = static_cast<double>(regions);
}

void BM_EstimateWork(benchmark::State& state) {
  const Synthetic& s = graph_of(state.range(0));
  for (auto _ : state) {
    double total = 0;
    for (size_t i = 0; i < s.graph.nodes.size(); ++i)
      total += estimate_node_work(s.graph.nodes[i], s.in_shapes[i], s.out_shapes[i]).macs;
    benchmark::DoNotOptimize(total);
  }
  const auto n = static_cast<int64_t>(s.graph.nodes.size());
  state.SetItemsProcessed(state.iterations() * n);
  state.SetComplexityN(n);
}

BENCHMARK(BM_Partition)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);
BENCHMARK(BM_PartitionAccelerator)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);
BENCHMARK(BM_EstimateWork)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

}  // namespace
}  // namespace parallax

BENCHMARK_MAIN();
