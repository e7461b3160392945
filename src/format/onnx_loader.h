// Loads an ONNX model file into the graph IR.
//
//   PX_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, load_model("net.onnx", {}));
//   const Graph& g = *model->graph;
//
// What the loader guarantees to later stages: every node input names a value
// (no dangling names), nodes are topologically sorted, Constant nodes have
// become initializers, initializer data is decoded (raw_data adopted without
// a copy), and subgraphs list their outer-scope reads.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status_macros.h"
#include "graph/graph.h"
#include "parallax/status.h"

namespace parallax {

struct LoadOptions {
  size_t max_tensor_bytes = size_t{16} << 30;  // refuse larger initializers
  int max_subgraph_depth = 32;                  // recursion bombs in nested If/Loop
};

struct Model {
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::map<std::string, int> opsets;  // domain -> version ("" = ai.onnx)
  std::shared_ptr<Graph> graph;
};

Result<std::unique_ptr<Model>> load_model(const std::filesystem::path& path, const LoadOptions& options);
// `base_dir` resolves external data; empty refuses it.
Result<std::unique_ptr<Model>> load_model_from_bytes(std::string_view bytes, const std::filesystem::path& base_dir,
                                                     const LoadOptions& options);

}  // namespace parallax
