// libFuzzer target: arbitrary bytes as a serialized onnx::TensorProto, read
// by tensor_from_proto (the decoder behind initializers and input_*.pb files).
//
// The first byte picks whether external data is allowed: when it is, the
// locations resolve against a scratch folder that holds one small data file,
// so the path-escape checks and the offset/length arithmetic get fuzzed too.
// A tensor that decodes is written back with tensor_to_proto and decoded
// again; the two must hold the same bytes (the reader and writer agree).
#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "format/tensor_proto.h"

namespace {

namespace fs = std::filesystem;

// Made once per process: a folder with data.bin (4 KiB) and a nested sub/ folder.
const fs::path& scratch_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("parallax_fuzz_tensor_proto_" + std::to_string(::getpid()));
    fs::create_directories(d / "sub");
    std::ofstream out(d / "data.bin", std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>(i * 31));
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  parallax::TensorReadOptions options;
  options.max_bytes = size_t{64} << 20;
  if (data[0] & 1) options.base_dir = scratch_dir();
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
  auto tensor = parallax::tensor_from_proto(proto, options);
  if (!tensor.is_ok()) return 0;

  onnx::TensorProto again;
  parallax::tensor_to_proto(*tensor, proto.name(), &again);
  auto round_trip = parallax::tensor_from_proto(again, {});
  if (!round_trip.is_ok() || round_trip->shape() != tensor->shape() || round_trip->dtype() != tensor->dtype() ||
      round_trip->nbytes() != tensor->nbytes() ||
      (tensor->nbytes() != 0 && std::memcmp(round_trip->raw(), tensor->raw(), tensor->nbytes()) != 0))
    std::abort();  // the writer and the reader disagree: a bug, make libFuzzer keep the input
  return 0;
}
