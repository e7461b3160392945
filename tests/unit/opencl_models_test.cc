// Real models on the OpenCL backend against CPU execution: MobileNetV2 and
// GoogLeNet (models/, made by scripts/setup.sh) on their test_data_set_0
// inputs, with every op the backend supports and with the TFLite-GPU-like
// op list (src/backends/opencl/tflite_gpu_ops.txt). Equal within 1e-4
// relative + 1e-4 absolute, the real_models suite's tolerance. Skipped
// without an OpenCL device or without the model files.
#include <gtest/gtest.h>

#include <filesystem>

#include "format/tensor_proto.h"
#include "opencl_test_util.h"
#include "tools/tool_util.h"

namespace parallax::testing {
namespace {

namespace fs = std::filesystem;

struct Loaded {
  std::string path;
  std::vector<NamedTensor> inputs;
};

std::optional<Loaded> load(const std::string& name) {
  const fs::path dir = fs::path(PX_SOURCE_DIR) / "models";
  const fs::path model = dir / (name + ".onnx"), data = dir / name / "test_data_set_0";
  if (!fs::exists(model) || !fs::exists(data / "input_0.pb")) return std::nullopt;
  Loaded l;
  l.path = model.string();
  for (int i = 0;; ++i) {
    const fs::path f = data / ("input_" + std::to_string(i) + ".pb");
    if (!fs::exists(f)) break;
    std::string tensor_name;
    auto t = read_tensor_file(f, &tensor_name);
    if (!t.is_ok()) return std::nullopt;
    l.inputs.push_back({tensor_name, *t});
  }
  return l;
}

void compare(const std::string& name, const std::string& ops) {
  PX_SKIP_WITHOUT_OPENCL();
  std::optional<Loaded> m = load(name);
  if (!m) GTEST_SKIP() << "models/" << name << " not present (scripts/setup.sh makes it)";
  auto cpu = run_model(m->path, true, m->inputs, "", 2);
  ASSERT_TRUE(cpu.is_ok()) << cpu.status().to_string();
  AcceleratorCounters run;
  auto dev = run_model(m->path, true, m->inputs, ops, 2, {}, &run);
  ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
  // SSDlite's detections come out of NMS: as in the real_models_ssdlite
  // suite against ORT, at most 2 % of the elements may differ.
  const double max_mismatch = name.rfind("ssdlite", 0) == 0 ? 0.02 : 0.0;
  EXPECT_TRUE(all_close(*cpu, *dev, 1e-4, 1e-4, max_mismatch));
  std::cout << name << " (" << (ops == "*" ? "all supported ops" : ops) << "): " << tools::format_counters("opencl", run)
            << '\n';
  // Some node of every model runs on the device; fallbacks (shapes the device
  // code leaves to the CPU kernel) are allowed and printed above.
  EXPECT_GT(run.nodes, 0u);
}

const std::string kTfliteOps = std::string(PX_SOURCE_DIR) + "/src/backends/opencl/tflite_gpu_ops.txt";

// Every real model of scripts/model_manifest.json, with every op the backend
// supports and with the TFLite-GPU-like list.
const char* const kModels[] = {"mobilenet_v2",
                               "resnet18",
                               "googlenet",
                               "inception_v3",
                               "ssdlite320_mobilenet_v3_large",
                               "swin_v2_t",
                               "ppocr_det",
                               "ppocr_rec",
                               "silero_vad_v5",
                               "yolov8n",
                               "whisper_tiny_encoder",
                               "whisper_tiny_decoder",
                               "clip_text",
                               "distilbert"};

class OpenCLModels : public ::testing::TestWithParam<std::tuple<const char*, bool>> {};

TEST_P(OpenCLModels, EqualToCpu) {
  const auto [name, tflite] = GetParam();
  compare(name, tflite ? kTfliteOps : "*");
}

INSTANTIATE_TEST_SUITE_P(RealModels, OpenCLModels, ::testing::Combine(::testing::ValuesIn(kModels), ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) +
                                  (std::get<1>(info.param) ? "_TfliteGpuOps" : "_AllOps");
                         });

}  // namespace
}  // namespace parallax::testing
