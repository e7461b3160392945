// Session: the public entry point, in the style of ONNX Runtime's Ort::Session.
//
//   parallax::SessionOptions options;
//   options.num_threads = 2;
//   auto session = parallax::Session::open("model.onnx", options);
//   if (!session.is_ok()) { std::cerr << session.status().to_string(); return 1; }
//   for (const auto& in : (*session)->inputs()) std::cout << in.name << '\n';
//   parallax::Tensor image = parallax::Tensor::allocate(parallax::DataType::kFloat32, {1, 3, 224, 224});
//   auto outputs = (*session)->run({{"input", image}});
//   // outputs->at(0) is the first graph output, owned by the caller.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax {

struct SessionOptions {
  int num_threads = 1;                          // intra-op threads
  size_t max_tensor_bytes = size_t{16} << 30;   // refuse larger weights (hostile files)
  bool optimize = true;                         // graph cleanups and fusions before planning
  bool profile = false;                         // time every op (see Session::op_profile)
};

// Time spent per op type over all runs so far (with SessionOptions::profile).
struct OpProfileEntry {
  std::string op;
  int64_t calls = 0;
  double total_ms = 0;
};

// A graph input or output as declared by the model. Unknown or symbolic
// dims are -1, with the symbol's name (if any) in `symbols`.
struct TensorInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;
  bool has_shape = false;
  std::vector<int64_t> shape;
  std::vector<std::string> symbols;
};

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

struct ModelInfo {
  int64_t ir_version = 0;
  std::string producer;
  std::vector<std::pair<std::string, int>> opsets;  // (domain, version)
  size_t num_nodes = 0;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> open(const std::filesystem::path& model_path,
                                               const SessionOptions& options = {});
  static Result<std::unique_ptr<Session>> open_from_bytes(std::string_view model_bytes,
                                                          const SessionOptions& options = {});
  ~Session();

  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  const ModelInfo& model_info() const;

  // Runs the model. Every graph input must be given by name; returns all
  // graph outputs in declared order (or those named in `output_names`).
  Result<std::vector<Tensor>> run(const std::vector<NamedTensor>& inputs,
                                  const std::vector<std::string>& output_names = {});

  // Bytes of the activation arena planned for the last run's input shapes.
  size_t last_arena_bytes() const;
  std::vector<OpProfileEntry> op_profile() const;

  struct Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parallax
