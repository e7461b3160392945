#include "core/status_macros.h"
#include "graph/passes/pass_util.h"
#include "graph/passes/passes.h"

namespace parallax {

namespace {

// Passes append the nodes they add: sort again, subgraphs included.
Status sort_all(Graph& graph) {
  for (Node& n : graph.nodes)
    for (const auto& [name, attr] : n.attrs.all())
      if (attr.kind == Attribute::Kind::kGraph && attr.g) PX_RETURN_IF_ERROR(sort_all(*attr.g));
  return graph.topological_sort();
}

}  // namespace

Status prepare_graph(Graph& graph) {
  if (passes::widen_half_floats(graph) == 0) return Status::ok();
  return sort_all(graph);
}

Status optimize_graph(Graph& graph, const OptimizeOptions& options) {
  // Subgraphs first: their outer reads are by name and stay valid because no
  // pass renames or removes a value that a subgraph reads (replace_uses refuses).
  for (Node& n : graph.nodes)
    for (const auto& [name, attr] : n.attrs.all())
      if (attr.kind == Attribute::Kind::kGraph && attr.g) PX_RETURN_IF_ERROR(optimize_graph(*attr.g, options));

  passes::remove_identities(graph);
  passes::fold_cast_pairs(graph);
  passes::remove_dead_nodes(graph);
  passes::fuse_dynamic_quant_matmul(graph, options.exact_int8);
  passes::fuse_qdq_conv(graph, options.exact_int8);
  passes::fuse_qdq_matmul(graph, options.exact_int8);
  passes::fold_batch_norm_into_conv(graph);
  passes::fold_pad_into_average_pool(graph);
  passes::fold_conv_affine(graph);
  passes::fuse_hard_swish(graph);
  passes::fuse_gated_activation(graph);
  passes::fuse_gelu(graph);
  passes::fuse_conv_activation(graph);
  if (options.matmul_epilogues) passes::fuse_matmul_epilogue(graph);
  passes::fuse_layer_norm(graph);
  if (options.channels_last) {
    passes::to_channels_last(
        graph,
        {"Conv", "QLinearConv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization"},
        options.exact_int8);
    // The skip connection's Add, then the activation behind it, join the Conv.
    if (passes::fuse_conv_residual(graph) > 0) passes::fuse_conv_activation(graph);
  }
  // After the layout pass, which moves the QDQ Add's and MaxPool's nodes to
  // NHWC as they are.
  passes::fuse_qdq_add(graph);
  passes::fuse_qdq_max_pool(graph);
  // Last: the QDQ pairs no int8 node took.
  passes::fuse_quantize_round_trip(graph);
  // After it: the round trips on a SiLU's sigmoid and an attention's scores
  // join them.
  passes::fuse_qdq_swish(graph);
  if (options.attention) passes::fuse_attention(graph);
  graph.compact();
  return graph.topological_sort();
}

}  // namespace parallax
