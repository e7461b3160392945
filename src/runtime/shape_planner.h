// make_shape_plan: the ShapePlan (plan/shape_plan.h) of one input-shape
// signature, from the kernels' shape inference. Shape-only subgraphs whose
// inputs are all known fold into constants here.
#pragma once

#include <memory>
#include <span>

#include "graph/graph.h"
#include "kernels/op_kernel.h"
#include "parallax/status.h"
#include "parallax/tensor.h"
#include "plan/shape_plan.h"

namespace parallax {

// Plans `graph` for the given input and outer-scope tensors (only their
// dtypes and shapes are read, never their data). `kernels` is indexed by node.
// A planned tensor over `max_tensor_bytes` is refused (ResourceExhausted).
// `wanted_outputs`, per graph output (empty: all): nodes that no wanted
// output depends on get no step, and unwanted outputs stay Storage::kUnused.
Result<std::shared_ptr<const ShapePlan>> make_shape_plan(const Graph& graph,
                                                         std::span<const std::unique_ptr<OpKernel>> kernels,
                                                         std::span<const Tensor> inputs, std::span<const Tensor> outer,
                                                         size_t max_tensor_bytes,
                                                         std::span<const bool> wanted_outputs = {});

}  // namespace parallax
