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
// A SequenceProto of tensors (a sequence input or output): its items' type
// is `element_type`, or the first item's when that is kUndefined.
Result<Tensor> read_sequence_file(const std::filesystem::path& path, DataType element_type,
                                  std::string* name = nullptr);
// A TensorProto, or a SequenceProto for a sequence.
Status write_tensor_file(const std::filesystem::path& path, const Tensor& tensor, const std::string& name);

}  // namespace parallax
