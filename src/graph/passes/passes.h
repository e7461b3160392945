// Graph cleanups run between loading and compiling, in a fixed order.
// Each pass is a function from graph to graph (edited in place on the
// session's private copy), and keeps the graph topologically sorted.
#pragma once

#include "graph/graph.h"
#include "parallax/status.h"

namespace parallax {

struct OptimizeOptions {
  // The NHWC rewrite suits the CPU's oneDNN kernels; an accelerator's
  // kernels take NCHW, so with one it runs only once the nodes are placed,
  // on the CPU's (runtime/compiled_model.cc).
  bool channels_last = true;
  // Bias and activation fused into MatMul/Gemm (px_bias, px_activation):
  // the CPU's oneDNN GEMM applies them; an accelerator's MatMul takes none.
  bool matmul_epilogues = true;
  // Attention's MatMul -> Softmax -> MatMul as one CPU kernel
  // (com.parallax.SoftmaxAttention), which no accelerator has.
  bool attention = true;
  // SessionOptions::exact_int8: int8 weights that could saturate this CPU's
  // int8 products stay unfused (core/int8_dot.h).
  bool exact_int8 = false;
};

// Rewrites the graph into what the CPU kernels can run, whether or not it is
// optimised: float16/bfloat16 values are computed in float32.
Status prepare_graph(Graph& graph);

// Runs every pass below, in order, on `graph` and its subgraphs.
Status optimize_graph(Graph& graph, const OptimizeOptions& options = {});

}  // namespace parallax
