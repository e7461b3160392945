// TensorProto <-> Tensor, the one place that knows ONNX's tensor encoding
// (raw_data vs typed fields, external data files).
#pragma once

#include <filesystem>
#include <string>

#include "parallax/status.h"
#include "parallax/tensor.h"

namespace onnx {
class TensorProto;
}

namespace parallax {

struct TensorReadOptions {
  // Folder that external-data locations are relative to; empty = external data refused.
  std::filesystem::path base_dir;
  // Refuse tensors larger than this (allocation bombs in hostile files).
  size_t max_bytes = size_t{16} << 30;
};

// Decodes `proto`. May steal proto's raw_data string instead of copying it.
Result<Tensor> tensor_from_proto(onnx::TensorProto& proto, const TensorReadOptions& options);
void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto);

// Whole-file helpers for the test-data layout (input_0.pb / output_0.pb).
Result<Tensor> read_tensor_file(const std::filesystem::path& path, std::string* name = nullptr);
// A graph input's or output's file: a TensorProto, a SequenceProto of
// tensors when `sequence` (its items of `element_type`, or of the first
// item's type when that is kUndefined), in an OptionalProto when `optional`
// (an empty one reads as Tensor::none).
Result<Tensor> read_value_file(const std::filesystem::path& path, bool sequence, bool optional,
                               DataType element_type);
// A TensorProto, a SequenceProto for a sequence, an empty OptionalProto for Tensor::none.
Status write_tensor_file(const std::filesystem::path& path, const Tensor& tensor, const std::string& name);

}  // namespace parallax
