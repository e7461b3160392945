// Small queries and edits shared by the graph passes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace parallax::passes {

// The only live node reading `v`, if exactly one reads it and `v` is not a graph output.
std::optional<NodeId> sole_consumer(const Graph& g, ValueId v);
// Constant data of `v`, or null.
const Tensor* constant_of(const Graph& g, ValueId v);
// Makes every reader of `from` read `to` instead. Refuses (returns false) when
// a reader gets `from` as an outer-scope value (its subgraph names it) or
// `from` is a graph output.
bool replace_uses(Graph& g, ValueId from, ValueId to);
// Adds an initializer value named after `base` (made unique).
ValueId add_constant(Graph& g, const std::string& base, Tensor t);

// Each pass: returns how many rewrites it made.
size_t remove_identities(Graph& g);
size_t remove_dead_nodes(Graph& g);
size_t fold_batch_norm_into_conv(Graph& g);
size_t fuse_conv_add(Graph& g);
size_t fuse_conv_activation(Graph& g);
size_t fuse_layer_norm(Graph& g);
size_t fold_conv_affine(Graph& g);
size_t fuse_hard_swish(Graph& g);
size_t fuse_gated_activation(Graph& g);
// Runs `nhwc_ops` (Conv, pooling) on NHWC data and keeps activations NHWC
// between them; see channels_last.cc.
size_t to_channels_last(Graph& g, const std::vector<std::string>& nhwc_ops);

}  // namespace parallax::passes
