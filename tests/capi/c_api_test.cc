// The C API (include/parallax/c_api.h) through the shared library, as a C
// program sees it: every NULL handle or pointer is an error naming it, bad
// tensors and feeds are errors with the runtime's message, corrupt model bytes
// never crash, and outputs equal the C++ Session's bit for bit.
#include "parallax/c_api.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "parallax/session.h"

namespace {

const std::string kTestData = PX_TESTDATA;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Owns a PxStatus for one check: code and message, freed at scope end.
struct Checked {
  explicit Checked(PxStatus* s) : status(s) {}
  ~Checked() { PxStatusRelease(status); }
  Checked(const Checked&) = delete;
  Checked& operator=(const Checked&) = delete;
  bool ok() const { return status == nullptr; }
  PxStatusCode code() const { return PxStatusGetCode(status); }
  std::string message() const { return PxStatusGetMessage(status); }
  PxStatus* status;
};

#define EXPECT_PX_OK(call)                                  \
  do {                                                      \
    Checked px_checked_(call);                              \
    EXPECT_TRUE(px_checked_.ok()) << px_checked_.message(); \
  } while (0)
#define ASSERT_PX_OK(call)                                  \
  do {                                                      \
    Checked px_checked_(call);                              \
    ASSERT_TRUE(px_checked_.ok()) << px_checked_.message(); \
  } while (0)

// Expects an error of `code` whose message contains `needle`.
void expect_error(PxStatus* status, PxStatusCode code, const std::string& needle) {
  Checked c(status);
  ASSERT_FALSE(c.ok()) << "expected an error mentioning '" << needle << "'";
  EXPECT_EQ(c.code(), code) << c.message();
  EXPECT_NE(c.message().find(needle), std::string::npos) << c.message();
}

PxSession* open_session(const std::string& path, PxSessionOptions* options = nullptr) {
  PxSession* session = nullptr;
  Checked c(PxSessionCreate(path.c_str(), options, &session));
  EXPECT_TRUE(c.ok()) << c.message();
  return session;
}

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * (static_cast<float>(i % 11) - 5.0f);
  return v;
}

TEST(CApi, VersionAndStatusBasics) {
  EXPECT_STREQ(PxGetVersionString(), "0.1.0");
  EXPECT_EQ(PxStatusGetCode(nullptr), PX_OK);
  EXPECT_STREQ(PxStatusGetMessage(nullptr), "");
  EXPECT_STREQ(PxStatusCodeName(PX_NOT_FOUND), "NotFound");
  EXPECT_STREQ(PxStatusCodeName(static_cast<PxStatusCode>(42)), "Unknown");
  PxStatusRelease(nullptr);
  PxSessionRelease(nullptr);
  PxSessionOptionsRelease(nullptr);
  PxTensorRelease(nullptr);
}

TEST(CApi, NullArgumentsAreNamedErrors) {
  const int64_t dims[] = {2};
  float data[2] = {};
  size_t n = 0;
  int64_t rank = 0;
  const int64_t* shape = nullptr;
  const char* name = nullptr;
  PxDataType type = PX_UNDEFINED;
  expect_error(PxSessionOptionsCreate(nullptr), PX_INVALID_ARGUMENT, "PxSessionOptionsCreate: argument 'out' is NULL");
  expect_error(PxSessionOptionsSetNumThreads(nullptr, 2), PX_INVALID_ARGUMENT, "'options'");
  expect_error(PxSessionOptionsSetExecutionMode(nullptr, PX_MODE_LAYER), PX_INVALID_ARGUMENT, "'options'");
  expect_error(PxSessionOptionsSetMemoryBudget(nullptr, 1), PX_INVALID_ARGUMENT, "'options'");
  expect_error(PxSessionOptionsSetMaxTensorBytes(nullptr, 1), PX_INVALID_ARGUMENT, "'options'");
  expect_error(PxSessionOptionsSetMaxLoopIterations(nullptr, 1), PX_INVALID_ARGUMENT, "'options'");
  expect_error(PxSessionOptionsSetGraphOptimization(nullptr, 0), PX_INVALID_ARGUMENT, "'options'");
  expect_error(PxSessionOptionsSetAccelerator(nullptr, "none"), PX_INVALID_ARGUMENT, "'options'");
  PxSession* session = nullptr;
  expect_error(PxSessionCreate(nullptr, nullptr, &session), PX_INVALID_ARGUMENT,
               "PxSessionCreate: argument 'model_path'");
  EXPECT_EQ(session, nullptr);
  expect_error(PxSessionCreate("x.onnx", nullptr, nullptr), PX_INVALID_ARGUMENT, "'out'");
  expect_error(PxSessionCreateFromBytes(nullptr, 10, nullptr, &session), PX_INVALID_ARGUMENT, "'model_bytes'");
  expect_error(PxSessionCreateFromBytes("x", 1, nullptr, nullptr), PX_INVALID_ARGUMENT, "'out'");
  expect_error(PxSessionGetInputCount(nullptr, &n), PX_INVALID_ARGUMENT, "PxSessionGetInputCount: argument 'session'");
  expect_error(PxSessionGetOutputCount(nullptr, &n), PX_INVALID_ARGUMENT, "'session'");
  expect_error(PxSessionGetInputName(nullptr, 0, &name), PX_INVALID_ARGUMENT, "'session'");
  expect_error(PxSessionGetOutputName(nullptr, 0, &name), PX_INVALID_ARGUMENT, "'session'");
  expect_error(PxSessionGetInputType(nullptr, 0, &type), PX_INVALID_ARGUMENT, "'session'");
  expect_error(PxSessionGetOutputType(nullptr, 0, &type), PX_INVALID_ARGUMENT, "'session'");
  expect_error(PxSessionGetInputShape(nullptr, 0, &shape, &rank), PX_INVALID_ARGUMENT, "'session'");
  expect_error(PxSessionGetOutputShape(nullptr, 0, &shape, &rank), PX_INVALID_ARGUMENT, "'session'");
  expect_error(PxSessionRun(nullptr, nullptr, nullptr, 0, nullptr, 0, nullptr), PX_INVALID_ARGUMENT,
               "PxSessionRun: argument 'session'");
  PxTensor* tensor = nullptr;
  expect_error(PxTensorCreate(PX_FLOAT32, dims, 1, nullptr), PX_INVALID_ARGUMENT, "'out'");
  expect_error(PxTensorCreate(PX_FLOAT32, nullptr, 1, &tensor), PX_INVALID_ARGUMENT, "'shape'");
  expect_error(PxTensorCreateView(PX_FLOAT32, dims, 1, nullptr, sizeof data, &tensor), PX_INVALID_ARGUMENT, "'data'");
  expect_error(PxTensorCreateView(PX_FLOAT32, dims, 1, data, sizeof data, nullptr), PX_INVALID_ARGUMENT, "'out'");
  EXPECT_EQ(tensor, nullptr);
  void* raw = nullptr;
  const void* craw = nullptr;
  const int64_t* tdims = nullptr;
  expect_error(PxTensorGetType(nullptr, &type), PX_INVALID_ARGUMENT, "'tensor'");
  expect_error(PxTensorGetShape(nullptr, &tdims, &n), PX_INVALID_ARGUMENT, "'tensor'");
  expect_error(PxTensorGetElementCount(nullptr, &n), PX_INVALID_ARGUMENT, "'tensor'");
  expect_error(PxTensorGetByteSize(nullptr, &n), PX_INVALID_ARGUMENT, "'tensor'");
  expect_error(PxTensorGetData(nullptr, &raw), PX_INVALID_ARGUMENT, "'tensor'");
  expect_error(PxTensorGetConstData(nullptr, &craw), PX_INVALID_ARGUMENT, "'tensor'");

  // Out-pointers of a live object.
  ASSERT_PX_OK(PxTensorCreate(PX_FLOAT32, dims, 1, &tensor));
  expect_error(PxTensorGetType(tensor, nullptr), PX_INVALID_ARGUMENT, "'out'");
  expect_error(PxTensorGetShape(tensor, nullptr, &n), PX_INVALID_ARGUMENT, "'dims'");
  expect_error(PxTensorGetShape(tensor, &tdims, nullptr), PX_INVALID_ARGUMENT, "'rank'");
  expect_error(PxTensorGetData(tensor, nullptr), PX_INVALID_ARGUMENT, "'out'");
  PxTensorRelease(tensor);
  session = open_session(kTestData + "/node/test_relu/model.onnx");
  ASSERT_NE(session, nullptr);
  expect_error(PxSessionGetInputCount(session, nullptr), PX_INVALID_ARGUMENT, "'out'");
  expect_error(PxSessionGetInputName(session, 0, nullptr), PX_INVALID_ARGUMENT, "'out'");
  expect_error(PxSessionGetInputShape(session, 0, nullptr, &rank), PX_INVALID_ARGUMENT, "'dims'");
  expect_error(PxSessionGetInputShape(session, 0, &shape, nullptr), PX_INVALID_ARGUMENT, "'rank'");
  const char* in_names[] = {"x"};
  const char* null_name[] = {nullptr};
  const PxTensor* null_tensor[] = {nullptr};
  PxTensor* out[1] = {};
  expect_error(PxSessionRun(session, nullptr, null_tensor, 1, nullptr, 1, out), PX_INVALID_ARGUMENT, "'input_names'");
  expect_error(PxSessionRun(session, in_names, nullptr, 1, nullptr, 1, out), PX_INVALID_ARGUMENT, "'inputs'");
  expect_error(PxSessionRun(session, null_name, null_tensor, 1, nullptr, 1, out), PX_INVALID_ARGUMENT,
               "input_names[0] is NULL");
  expect_error(PxSessionRun(session, in_names, null_tensor, 1, nullptr, 1, out), PX_INVALID_ARGUMENT,
               "inputs[0] ('x') is NULL");
  expect_error(PxSessionRun(session, in_names, null_tensor, 1, nullptr, 1, nullptr), PX_INVALID_ARGUMENT, "'outputs'");
  EXPECT_EQ(out[0], nullptr);
  PxSessionRelease(session);
}

TEST(CApi, OptionsRejectBadValues) {
  PxSessionOptions* options = nullptr;
  ASSERT_PX_OK(PxSessionOptionsCreate(&options));
  expect_error(PxSessionOptionsSetNumThreads(options, 0), PX_INVALID_ARGUMENT, "num_threads is 0");
  expect_error(PxSessionOptionsSetExecutionMode(options, static_cast<PxExecutionMode>(7)), PX_INVALID_ARGUMENT,
               "unknown mode 7");
  expect_error(PxSessionOptionsSetMaxTensorBytes(options, 0), PX_INVALID_ARGUMENT, "must be > 0");
  expect_error(PxSessionOptionsSetAccelerator(options, "tpu"), PX_INVALID_ARGUMENT, "tpu");
  EXPECT_PX_OK(PxSessionOptionsSetNumThreads(options, 2));
  EXPECT_PX_OK(PxSessionOptionsSetExecutionMode(options, PX_MODE_SEQUENTIAL));
  EXPECT_PX_OK(PxSessionOptionsSetMemoryBudget(options, 64 << 20));
  EXPECT_PX_OK(PxSessionOptionsSetMaxLoopIterations(options, 10000));
  EXPECT_PX_OK(PxSessionOptionsSetGraphOptimization(options, 0));
  EXPECT_PX_OK(PxSessionOptionsSetAccelerator(options, "none"));
  PxSession* session = open_session(kTestData + "/node/test_relu/model.onnx", options);
  EXPECT_NE(session, nullptr);
  PxSessionRelease(session);
  PxSessionOptionsRelease(options);
}

TEST(CApi, MissingAndCorruptModels) {
  PxSession* session = nullptr;
  expect_error(PxSessionCreate("/nonexistent/model.onnx", nullptr, &session), PX_NOT_FOUND, "/nonexistent/model.onnx");
  EXPECT_EQ(session, nullptr);
  expect_error(PxSessionCreateFromBytes("", 0, nullptr, &session), PX_INVALID_MODEL, "");
  expect_error(PxSessionCreateFromBytes("\xff\xff\xff\xff garbage", 12, nullptr, &session), PX_INVALID_MODEL, "");
  const std::string bytes = read_file(kTestData + "/node/test_add/model.onnx");
  ASSERT_FALSE(bytes.empty());
  expect_error(PxSessionCreateFromBytes(bytes.data(), bytes.size() / 2, nullptr, &session), PX_INVALID_MODEL,
               "not a valid ONNX model");
  // Every single-byte corruption opens or fails cleanly; one that opens runs or fails cleanly.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    PxStatus* status = PxSessionCreateFromBytes(bad.data(), bad.size(), nullptr, &session);
    if (status != nullptr) {
      EXPECT_EQ(session, nullptr);
      EXPECT_NE(PxStatusGetCode(status), PX_OK);
      PxStatusRelease(status);
    }
    PxSessionRelease(session);
    session = nullptr;
  }
  ASSERT_PX_OK(PxSessionCreateFromBytes(bytes.data(), bytes.size(), nullptr, &session));
  PxSessionRelease(session);
}

TEST(CApi, DescribesInputsAndOutputs) {
  PxSession* session = open_session(kTestData + "/node/test_add/model.onnx");
  ASSERT_NE(session, nullptr);
  size_t inputs = 0, outputs = 0;
  ASSERT_PX_OK(PxSessionGetInputCount(session, &inputs));
  ASSERT_PX_OK(PxSessionGetOutputCount(session, &outputs));
  EXPECT_EQ(inputs, 2u);
  EXPECT_EQ(outputs, 1u);
  const char* name = nullptr;
  ASSERT_PX_OK(PxSessionGetInputName(session, 1, &name));
  EXPECT_STREQ(name, "y");
  ASSERT_PX_OK(PxSessionGetOutputName(session, 0, &name));
  EXPECT_STREQ(name, "sum");
  PxDataType type = PX_UNDEFINED;
  ASSERT_PX_OK(PxSessionGetInputType(session, 0, &type));
  EXPECT_EQ(type, PX_FLOAT32);
  const int64_t* dims = nullptr;
  int64_t rank = 0;
  ASSERT_PX_OK(PxSessionGetOutputShape(session, 0, &dims, &rank));
  ASSERT_EQ(rank, 3);
  EXPECT_EQ(std::vector<int64_t>(dims, dims + rank), (std::vector<int64_t>{3, 4, 5}));
  expect_error(PxSessionGetInputName(session, 2, &name), PX_INVALID_ARGUMENT, "input index 2 is out of range");
  expect_error(PxSessionGetOutputType(session, 9, &type), PX_INVALID_ARGUMENT, "output index 9 is out of range");
  PxSessionRelease(session);
}

// A model may declare any number as an element type; found by
// fuzz_capi_model_bytes (UBSan: "load of value 65, which is not a valid value
// for type 'PxDataType'"): an input of element type 65 feeding an If.
TEST(CApi, UnknownElementTypeIsAnErrorNotAnEnumValue) {
  const std::string bytes = read_file(std::string(PX_SOURCE_DIR) + "/tests/capi/data/input_of_element_type_65.onnx");
  ASSERT_FALSE(bytes.empty());
  PxSession* session = nullptr;
  ASSERT_PX_OK(PxSessionCreateFromBytes(bytes.data(), bytes.size(), nullptr, &session));
  PxDataType type = PX_UNDEFINED;
  expect_error(PxSessionGetInputType(session, 0, &type), PX_UNSUPPORTED, "input 'cond' has element type 65");
  EXPECT_EQ(type, PX_UNDEFINED);
  PxSessionRelease(session);
}

TEST(CApi, TensorsCheckTypeShapeAndSize) {
  PxTensor* t = nullptr;
  const int64_t dims[] = {2, 3};
  const int64_t negative[] = {2, -3};
  const int64_t huge[] = {int64_t{1} << 20, int64_t{1} << 20};
  float data[6] = {1, 2, 3, 4, 5, 6};
  expect_error(PxTensorCreate(PX_STRING, dims, 2, &t), PX_INVALID_ARGUMENT, "element type 8");
  expect_error(PxTensorCreate(static_cast<PxDataType>(99), dims, 2, &t), PX_INVALID_ARGUMENT, "element type 99");
  expect_error(PxTensorCreate(PX_FLOAT32, negative, 2, &t), PX_INVALID_ARGUMENT, "[2,-3]");
  expect_error(PxTensorCreate(PX_FLOAT32, huge, 2, &t), PX_INVALID_ARGUMENT, "shape");
  expect_error(PxTensorCreateView(PX_FLOAT32, dims, 2, data, 5 * sizeof(float), &t), PX_INVALID_ARGUMENT,
               "data_bytes is 20");
  EXPECT_EQ(t, nullptr);

  ASSERT_PX_OK(PxTensorCreateView(PX_FLOAT32, dims, 2, data, sizeof data, &t));
  void* raw = nullptr;
  ASSERT_PX_OK(PxTensorGetData(t, &raw));
  EXPECT_EQ(raw, data);  // a view, not a copy
  size_t count = 0, bytes = 0, rank = 0;
  const int64_t* shape = nullptr;
  ASSERT_PX_OK(PxTensorGetElementCount(t, &count));
  ASSERT_PX_OK(PxTensorGetByteSize(t, &bytes));
  ASSERT_PX_OK(PxTensorGetShape(t, &shape, &rank));
  EXPECT_EQ(count, 6u);
  EXPECT_EQ(bytes, sizeof data);
  EXPECT_EQ(std::vector<int64_t>(shape, shape + rank), (std::vector<int64_t>{2, 3}));
  PxTensorRelease(t);

  ASSERT_PX_OK(PxTensorCreate(PX_INT64, nullptr, 0, &t));  // a scalar
  ASSERT_PX_OK(PxTensorGetElementCount(t, &count));
  EXPECT_EQ(count, 1u);
  PxTensorRelease(t);
}

// Runs test_relu on a view and checks y = max(x, 0).
TEST(CApi, RunsAModel) {
  PxSession* session = open_session(kTestData + "/node/test_relu/model.onnx");
  ASSERT_NE(session, nullptr);
  const int64_t dims[] = {3, 4, 5};
  std::vector<float> x = ramp(60, 0.5f);
  PxTensor* input = nullptr;
  ASSERT_PX_OK(PxTensorCreateView(PX_FLOAT32, dims, 3, x.data(), x.size() * sizeof(float), &input));
  const char* names[] = {"x"};
  const PxTensor* inputs[] = {input};
  PxTensor* y = nullptr;
  ASSERT_PX_OK(PxSessionRun(session, names, inputs, 1, nullptr, 1, &y));
  const void* data = nullptr;
  ASSERT_PX_OK(PxTensorGetConstData(y, &data));
  const float* ys = static_cast<const float*>(data);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(ys[i], x[i] > 0 ? x[i] : 0.0f) << i;
  PxTensorRelease(y);
  PxTensorRelease(input);
  PxSessionRelease(session);
}

TEST(CApi, BadFeedsAndOutputNamesAreErrors) {
  PxSession* session = open_session(kTestData + "/node/test_add/model.onnx");
  ASSERT_NE(session, nullptr);
  const int64_t dims[] = {3, 4, 5};
  const int64_t wrong_dims[] = {3, 4, 6};
  std::vector<float> a = ramp(60, 1.0f), b = ramp(60, 2.0f), c = ramp(72, 1.0f);
  std::vector<int64_t> ints(60, 1);
  PxTensor *ta = nullptr, *tb = nullptr, *tc = nullptr, *ti = nullptr;
  ASSERT_PX_OK(PxTensorCreateView(PX_FLOAT32, dims, 3, a.data(), a.size() * 4, &ta));
  ASSERT_PX_OK(PxTensorCreateView(PX_FLOAT32, dims, 3, b.data(), b.size() * 4, &tb));
  ASSERT_PX_OK(PxTensorCreateView(PX_FLOAT32, wrong_dims, 3, c.data(), c.size() * 4, &tc));
  ASSERT_PX_OK(PxTensorCreateView(PX_INT64, dims, 3, ints.data(), ints.size() * 8, &ti));
  const char* xy[] = {"x", "y"};
  const char* xz[] = {"x", "z"};
  PxTensor* out[1] = {};

  const PxTensor* missing[] = {ta};
  expect_error(PxSessionRun(session, xy, missing, 1, nullptr, 1, out), PX_INVALID_ARGUMENT, "'y'");
  const PxTensor* wrong_type[] = {ta, ti};
  expect_error(PxSessionRun(session, xy, wrong_type, 2, nullptr, 1, out), PX_INVALID_ARGUMENT, "'y'");
  const PxTensor* wrong_shape[] = {ta, tc};
  expect_error(PxSessionRun(session, xy, wrong_shape, 2, nullptr, 1, out), PX_INVALID_ARGUMENT, "'y'");
  const PxTensor* good[] = {ta, tb};
  expect_error(PxSessionRun(session, xz, good, 2, nullptr, 1, out), PX_NOT_FOUND, "'z'");
  const char* unknown_output[] = {"nope"};
  expect_error(PxSessionRun(session, xy, good, 2, unknown_output, 1, out), PX_NOT_FOUND, "'nope'");
  expect_error(PxSessionRun(session, xy, good, 2, nullptr, 2, out), PX_INVALID_ARGUMENT, "the model has 1 outputs");
  expect_error(PxSessionRun(session, xy, good, 2, unknown_output, 0, out), PX_INVALID_ARGUMENT, "output_count is 0");
  EXPECT_EQ(out[0], nullptr);

  const char* sum[] = {"sum"};
  ASSERT_PX_OK(PxSessionRun(session, xy, good, 2, sum, 1, out));
  const void* data = nullptr;
  ASSERT_PX_OK(PxTensorGetConstData(out[0], &data));
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(static_cast<const float*>(data)[i], a[i] + b[i]);
  PxTensorRelease(out[0]);
  for (PxTensor* t : {ta, tb, tc, ti}) PxTensorRelease(t);
  PxSessionRelease(session);
}

// TopK has two outputs: asking for one returns just that one.
TEST(CApi, ReturnsTheRequestedOutputsOnly) {
  const std::string dir = kTestData + "/node/test_top_k";
  PxSession* session = open_session(dir + "/model.onnx");
  ASSERT_NE(session, nullptr);
  size_t outputs = 0;
  ASSERT_PX_OK(PxSessionGetOutputCount(session, &outputs));
  ASSERT_EQ(outputs, 2u);
  const char* second = nullptr;
  ASSERT_PX_OK(PxSessionGetOutputName(session, 1, &second));
  const int64_t xdims[] = {3, 4};
  const int64_t kdims[] = {1};
  std::vector<float> x = ramp(12, 1.0f);
  int64_t k = 3;
  PxTensor *tx = nullptr, *tk = nullptr;
  ASSERT_PX_OK(PxTensorCreateView(PX_FLOAT32, xdims, 2, x.data(), x.size() * 4, &tx));
  ASSERT_PX_OK(PxTensorCreateView(PX_INT64, kdims, 1, &k, sizeof k, &tk));
  const char* names[] = {"x", "k"};
  const PxTensor* inputs[] = {tx, tk};
  const char* wanted[] = {second};
  PxTensor* out = nullptr;
  ASSERT_PX_OK(PxSessionRun(session, names, inputs, 2, wanted, 1, &out));
  PxDataType type = PX_UNDEFINED;
  ASSERT_PX_OK(PxTensorGetType(out, &type));
  EXPECT_EQ(type, PX_INT64);  // the indices
  PxTensorRelease(out);
  PxTensorRelease(tx);
  PxTensorRelease(tk);
  PxSessionRelease(session);
}

// The C API and the C++ Session give the same bits on the same model, input and options.
void expect_same_as_cpp(const std::string& model) {
  PxSessionOptions* options = nullptr;
  ASSERT_PX_OK(PxSessionOptionsCreate(&options));
  ASSERT_PX_OK(PxSessionOptionsSetNumThreads(options, 2));
  ASSERT_PX_OK(PxSessionOptionsSetExecutionMode(options, PX_MODE_SEQUENTIAL));
  PxSession* session = open_session(model, options);
  PxSessionOptionsRelease(options);
  ASSERT_NE(session, nullptr);
  parallax::SessionOptions cpp_options;
  cpp_options.num_threads = 2;
  cpp_options.mode = parallax::ExecutionMode::kSequential;
  auto cpp = parallax::Session::open(model, cpp_options);
  ASSERT_TRUE(cpp.is_ok()) << cpp.status().to_string();

  const parallax::TensorInfo& info = (*cpp)->inputs().at(0);
  ASSERT_EQ((*cpp)->inputs().size(), 1u);
  ASSERT_EQ(info.dtype, parallax::DataType::kFloat32);
  parallax::Shape shape = info.shape;
  for (int64_t& d : shape) d = d < 0 ? 1 : d;
  std::vector<float> x = ramp(static_cast<size_t>(parallax::shape_numel(shape)), 0.1f);
  auto expected = (*cpp)->run({{info.name, parallax::Tensor::view(parallax::DataType::kFloat32, shape, x.data())}});
  ASSERT_TRUE(expected.is_ok()) << expected.status().to_string();

  PxTensor* input = nullptr;
  ASSERT_PX_OK(PxTensorCreateView(PX_FLOAT32, shape.data(), shape.size(), x.data(), x.size() * 4, &input));
  const char* names[] = {info.name.c_str()};
  const PxTensor* inputs[] = {input};
  std::vector<PxTensor*> outputs(expected->size(), nullptr);
  ASSERT_PX_OK(PxSessionRun(session, names, inputs, 1, nullptr, outputs.size(), outputs.data()));
  for (size_t i = 0; i < outputs.size(); ++i) {
    size_t bytes = 0;
    const void* data = nullptr;
    ASSERT_PX_OK(PxTensorGetByteSize(outputs[i], &bytes));
    ASSERT_PX_OK(PxTensorGetConstData(outputs[i], &data));
    ASSERT_EQ(bytes, (*expected)[i].nbytes());
    EXPECT_EQ(std::memcmp(data, (*expected)[i].raw(), bytes), 0) << "output " << i << " of " << model;
    PxTensorRelease(outputs[i]);
  }
  PxTensorRelease(input);
  PxSessionRelease(session);
}

TEST(CApi, SameOutputsAsCppSession) {
  expect_same_as_cpp(kTestData + "/pytorch-converted/test_Conv2d/model.onnx");
  const std::string mobilenet = std::string(PX_SOURCE_DIR) + "/models/mobilenet_v2.onnx";
  if (std::filesystem::exists(mobilenet)) expect_same_as_cpp(mobilenet);
}

}  // namespace
