// Inputs that once crashed a libFuzzer target (fuzz/), replayed the way that
// target feeds them, so that each bug stays fixed in the normal build too.
// Files in tests/unit/fuzz_regressions/ are named <target>-<what it hit>:
//   model_load-*    model bytes: open, then run once on zero inputs
//   tensor_proto-*  a selector byte, then a serialized TensorProto
// Each must give success or a clean error Status, never a crash or UB.
// What each one hit (the fix is named in the tests below, or here):
//   model_load-quantize_linear_zero_scale     NaN to uint8 (quant_util.h)
//   model_load-lstm_int8_recurrence_weights   heap overflow reading R (rnn_util.h)
//   model_load-roi_align_nan_roi              NaN to int64 (roi_align.cc)
//   model_load-maxpool_without_inputs_...     inputs[0] of an input-less MaxPool
//                                             (graph/passes/channels_last.cc nhwc_op)
//   model_load-reduce_log_sum_uint64_zero     log(0) = -inf to uint64 (reduce.h saturate_to)
//   model_load-max_unpool_short_strides       heap overflow reading strides[1] of a
//                                             one-value strides (max_unpool.cc create)
//   model_load-flatten_without_inputs         inputs[0] of an input-less Flatten folded as
//                                             a view (runtime/shape_planner.cc; found by
//                                             fuzz_capi_model_bytes)
//   model_load-cast_with_empty_output         a Cast whose output name is empty: the cast-pair
//                                             fold read the value of an invalid id
//                                             (graph/passes/fold_cast_pairs.cc; found by
//                                             fuzz_capi_model_bytes after 8.6 M runs)
//   run_shapes-*  bytes for fuzz/fuzz_run_shapes.cc (they pick one of its
//                 built-in models); replayed below as the model and inputs
//                 they decode to, so the test does not depend on that file:
//     run_shapes-reshape_target_overflow   int64 overflow of a Reshape target's product (reshape.cc)
//     run_shapes-empty_tensor_huge_dims    overflow in shape_numel of [huge, 22, 0] (core/tensor.cc)
//     run_shapes-pad_overflow              int64 overflow of input size + pads (pad.cc out_shape)
//     run_shapes-gather_empty_huge_dims    Gather's inner block of an empty [0, 50, 2^58] (the
//                                          admission rule of core/shape_arith.h refuses the shape)
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "format/tensor_proto.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

namespace fs = std::filesystem;

const fs::path kRegressions = fs::path(PX_SOURCE_DIR) / "tests" / "unit" / "fuzz_regressions";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> reproducers(const std::string& target) {
  std::vector<fs::path> files;
  if (!fs::is_directory(kRegressions)) return files;
  for (const auto& entry : fs::directory_iterator(kRegressions))
    if (entry.path().filename().string().rfind(target + "-", 0) == 0) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// What fuzz/fuzz_model_load.cc does with its bytes.
Status open_and_run(const std::string& bytes) {
  SessionOptions options;
  options.max_tensor_bytes = size_t{64} << 20;
  options.max_loop_iterations = 10000;  // a fuzzed while-loop may never end
  auto session = Session::open_from_bytes(bytes, options);
  if (!session.is_ok()) return session.status();
  std::vector<NamedTensor> inputs;
  for (const TensorInfo& info : (*session)->inputs()) {
    if (!is_supported(info.dtype) || !info.has_shape) return Status::ok();
    for (int64_t d : info.shape)
      if (d < 0 || d > (1 << 16)) return Status::ok();
    if (shape_numel(info.shape) > (1 << 16)) return Status::ok();
    inputs.push_back({info.name, Tensor::allocate(info.dtype, info.shape)});
  }
  return (*session)->run(inputs).status();
}

// What fuzz/fuzz_tensor_proto.cc does, without its external-data folder.
Status decode_tensor(const std::string& bytes) {
  if (bytes.empty()) return Status::ok();
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data() + 1, static_cast<int>(bytes.size() - 1)))
    return error(StatusCode::kInvalidArgument, "not a TensorProto");
  TensorReadOptions options;
  options.max_bytes = size_t{64} << 20;
  return tensor_from_proto(proto, options).status();
}

void expect_ok_or_clean_error(const fs::path& file, const Status& s) {
  if (!s.is_ok()) {
    EXPECT_FALSE(s.message().empty()) << file;
  }
  std::cout << "[fuzz regression] " << file.filename().string() << ": "
            << (s.is_ok() ? std::string("ok") : s.to_string()) << '\n';
}

TEST(FuzzRegression, ModelLoadReproducers) {
  const auto files = reproducers("model_load");
  if (files.empty()) GTEST_SKIP() << "no model_load reproducers in " << kRegressions;
  for (const fs::path& file : files) expect_ok_or_clean_error(file, open_and_run(read_file(file)));
}

TEST(FuzzRegression, TensorProtoReproducers) {
  const auto files = reproducers("tensor_proto");
  if (files.empty()) GTEST_SKIP() << "no tensor_proto reproducers in " << kRegressions;
  for (const fs::path& file : files) expect_ok_or_clean_error(file, decode_tensor(read_file(file)));
}

// QuantizeLinear with y_scale = 0 on x = 0: 0/0 is NaN, whose conversion to
// uint8 was undefined behaviour (quant_util.h saturate_round). NaN now
// saturates to the type's lowest value.
TEST(FuzzRegression, QuantizeLinearZeroScaleGivesLowest) {
  const fs::path file = kRegressions / "model_load-quantize_linear_zero_scale.onnx";
  ASSERT_TRUE(fs::exists(file)) << file;
  auto session = Session::open_from_bytes(read_file(file));
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  std::vector<NamedTensor> inputs;
  for (const TensorInfo& info : (*session)->inputs())
    inputs.push_back({info.name, Tensor::allocate(info.dtype, info.shape)});
  auto outputs = (*session)->run(inputs);
  ASSERT_TRUE(outputs.is_ok()) << outputs.status().to_string();
  const Tensor& y = outputs->at(0);
  ASSERT_EQ(y.dtype(), DataType::kUInt8);
  for (int64_t i = 0; i < y.numel(); ++i) EXPECT_EQ(y.data<uint8_t>()[i], 0) << i;
}

// A Flatten whose only input was turned into its name: kernels read a missing
// input as an untyped empty tensor, so its output had no type, and the
// planner folded it as a view of inputs[0], which does not exist.
TEST(FuzzRegression, NodeMissingItsInputIsRefused) {
  const fs::path file = kRegressions / "model_load-flatten_without_inputs.onnx";
  ASSERT_TRUE(fs::exists(file)) << file;
  const Status s = open_and_run(read_file(file));
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel) << s.to_string();
  EXPECT_NE(s.message().find("required input missing"), std::string::npos) << s.to_string();
}

// LSTM whose R is int8 while X is float: the shapes agree, so R was read as
// floats, four times past its end (rnn_util.h infer_recurrent_outputs now
// requires every float input to have X's type).
TEST(FuzzRegression, LstmWeightsOfAnotherTypeAreRefused) {
  const fs::path file = kRegressions / "model_load-lstm_int8_recurrence_weights.onnx";
  ASSERT_TRUE(fs::exists(file)) << file;
  const Status s = open_and_run(read_file(file));
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel) << s.to_string();
  EXPECT_NE(s.message().find("input 2 is int8"), std::string::npos) << s.to_string();
}

// RoiAlign with an infinite spatial_scale: the roi's size became NaN and its
// conversion to a sampling-grid size was undefined (roi_align.cc now checks
// the rois before sampling).
TEST(FuzzRegression, RoiAlignNonFiniteRoiIsRefused) {
  const fs::path file = kRegressions / "model_load-roi_align_nan_roi.onnx";
  ASSERT_TRUE(fs::exists(file)) << file;
  const Status s = open_and_run(read_file(file));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
  EXPECT_NE(s.message().find("non-finite"), std::string::npos) << s.to_string();
}

// ReduceLogSum over uint64 zeros: log(0) = -inf was converted to uint64
// (undefined); integer results now saturate, so the sum of zeros gives 0.
TEST(FuzzRegression, ReduceLogSumOfIntegerZerosSaturates) {
  const fs::path file = kRegressions / "model_load-reduce_log_sum_uint64_zero.onnx";
  ASSERT_TRUE(fs::exists(file)) << file;
  const Status s = open_and_run(read_file(file));
  if (!s.is_ok()) {
    EXPECT_FALSE(s.message().empty());
  }
}

// A Reshape target whose dims multiply past int64 (an input, so only known at
// run time) overflowed while being multiplied; now a clean InvalidArgument.
TEST(FuzzRegression, ReshapeTargetOverflowIsRefused) {
  testing::ModelBuilder b(13);
  b.input("d", onnx::TensorProto::FLOAT, {2, 3});
  b.input("target", onnx::TensorProto::INT64, {3});
  b.node("Reshape", {"d", "target"}, {"r"});
  b.output("r", onnx::TensorProto::FLOAT, {});
  b.proto().mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  auto session = Session::open_from_bytes(b.bytes());
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  Tensor target = Tensor::allocate(DataType::kInt64, {3});
  target.data<int64_t>()[0] = 1113717415198227840;
  target.data<int64_t>()[1] = 22;
  target.data<int64_t>()[2] = 1;
  auto out = (*session)->run({{"d", Tensor::allocate(DataType::kFloat32, {2, 3})}, {"target", target}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << out.status().to_string();
  EXPECT_NE(out.status().message().find("too many elements"), std::string::npos) << out.status().to_string();
}

// An empty tensor with huge other dims passes the size checks (it holds no
// bytes) but shape_numel multiplied the huge dims before reaching the 0.
TEST(FuzzRegression, EmptyTensorWithHugeDimsHasNoElements) {
  const Shape shape = {2088987561740851200, 22, 0};
  EXPECT_EQ(shape_numel(shape), 0);
  Tensor t = Tensor::allocate(DataType::kFloat32, shape);
  EXPECT_EQ(t.numel(), 0);
  EXPECT_EQ(t.nbytes(), 0u);
}

// Pads near INT64_MAX overflowed the output size (signed overflow, UB); pads
// beyond +-2^31 are now refused before any arithmetic.
TEST(FuzzRegression, PadSizeOverflowIsRefused) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 4});
  b.input("pads", onnx::TensorProto::INT64, {4});
  b.node("Pad", {"x", "pads"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {});
  b.proto().mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  auto session = Session::open_from_bytes(b.bytes());
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  Tensor pads = Tensor::allocate(DataType::kInt64, {4});
  pads.data<int64_t>()[0] = 0;
  pads.data<int64_t>()[1] = 7;
  pads.data<int64_t>()[2] = 0;
  pads.data<int64_t>()[3] = INT64_MAX;
  auto out = (*session)->run({{"x", Tensor::allocate(DataType::kFloat32, {1, 4})}, {"pads", pads}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << out.status().to_string();
  EXPECT_NE(out.status().message().find("out of range"), std::string::npos) << out.status().to_string();
}

// MaxUnpool with kernel_shape [2, 2] and a single stride: the output size
// read strides[1] past the end of the attribute (ASan heap-buffer-overflow).
// Attribute lengths are now checked when the kernel is made.
TEST(FuzzRegression, MaxUnpoolShortStridesAreRefused) {
  const fs::path file = kRegressions / "model_load-max_unpool_short_strides.onnx";
  ASSERT_TRUE(fs::exists(file)) << file;
  const Status s = open_and_run(read_file(file));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
  EXPECT_NE(s.message().find("strides has 1 values"), std::string::npos) << s.to_string();
  EXPECT_NE(s.message().find("MaxUnpool"), std::string::npos) << "the error names the node: " << s.to_string();
}

// Reshape of an empty [0, 1] to [0, 50, 289359033639176448] (allowed: zero
// elements), then Gather over it: the size of the block after the axis,
// 50 * 289359033639176448, overflowed int64 (UBSan, move_util.h prod). Such a
// shape is now refused where it is made, by the extent rule.
TEST(FuzzRegression, GatherOverEmptyTensorWithHugeDimsIsRefused) {
  for (ExecutionMode mode : {ExecutionMode::kSequential, ExecutionMode::kDataflow}) {
    testing::ModelBuilder b(13);
    b.input("d", onnx::TensorProto::FLOAT, {0, 1});
    b.input("target", onnx::TensorProto::INT64, {3});
    b.input("idx", onnx::TensorProto::INT64, {0});
    b.node("Reshape", {"d", "target"}, {"f"});
    b.node("Gather", {"f", "idx"}, {"g0"});
    b.output("g0", onnx::TensorProto::FLOAT, {});
    b.proto().mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
    SessionOptions options;
    options.mode = mode;
    options.adapt_schedule = false;  // dataflow runs dataflow, not the trial's sequential arm first
    options.num_threads = mode == ExecutionMode::kSequential ? 1 : 2;
    auto session = Session::open_from_bytes(b.bytes(), options);
    ASSERT_TRUE(session.is_ok()) << session.status().to_string();
    Tensor target = Tensor::allocate(DataType::kInt64, {3});
    target.data<int64_t>()[0] = 0;
    target.data<int64_t>()[1] = 50;
    target.data<int64_t>()[2] = 289359033639176448;
    auto out = (*session)->run({{"d", Tensor::allocate(DataType::kFloat32, {0, 1})},
                                {"target", target},
                                {"idx", Tensor::allocate(DataType::kInt64, {0})}});
    ASSERT_FALSE(out.is_ok());
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << out.status().to_string();
    EXPECT_NE(out.status().message().find("too large"), std::string::npos) << out.status().to_string();
    EXPECT_NE(out.status().message().find("Reshape"), std::string::npos) << out.status().to_string();
  }
}

// Resize with an infinite scale: floor(in * inf) was converted to int64
// (undefined); now a clean InvalidArgument (resize.h scaled_size).
TEST(FuzzRegression, ResizeInfiniteScaleIsRefused) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 1, 2, 2});
  b.input("scales", onnx::TensorProto::FLOAT, {4});
  b.node("Resize", {"x", "", "scales"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {});
  b.proto().mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  auto session = Session::open_from_bytes(b.bytes());
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  Tensor scales = Tensor::allocate(DataType::kFloat32, {4});
  const float values[] = {1.0f, 1.0f, std::numeric_limits<float>::infinity(), 1.0f};
  std::copy(values, values + 4, scales.data<float>());
  auto out = (*session)->run({{"x", Tensor::allocate(DataType::kFloat32, {1, 1, 2, 2})}, {"scales", scales}});
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << out.status().to_string();
  EXPECT_NE(out.status().message().find("out of range"), std::string::npos) << out.status().to_string();
}

}  // namespace
}  // namespace parallax
