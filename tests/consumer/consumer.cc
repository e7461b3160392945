// Runs a one-node Relu model (ONNX's test_relu: input x, float [3,4,5])
// through the installed library and checks y = max(x, 0). It includes only
// the public header, so it fails to build if that header needs anything the
// install does not ship.
#include <cstdio>

#include "parallax/parallax.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer RELU_MODEL.onnx\n");
    return 2;
  }
  parallax::SessionOptions options;
  options.num_threads = 2;
  auto session = parallax::Session::open(argv[1], options);
  if (!session.is_ok()) {
    std::fprintf(stderr, "%s\n", session.status().to_string().c_str());
    return 1;
  }
  const parallax::TensorInfo& in = (*session)->inputs().at(0);
  parallax::Tensor x = parallax::Tensor::allocate(parallax::DataType::kFloat32, in.shape);
  float* xs = x.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) xs[i] = static_cast<float>(i % 7) - 3.0f;

  auto outputs = (*session)->run({{in.name, x}});
  if (!outputs.is_ok()) {
    std::fprintf(stderr, "%s\n", outputs.status().to_string().c_str());
    return 1;
  }
  const parallax::Tensor& y = outputs->at(0);
  if (y.shape() != x.shape()) {
    std::fprintf(stderr, "output shape %s, expected %s\n", parallax::shape_to_string(y.shape()).c_str(),
                 parallax::shape_to_string(x.shape()).c_str());
    return 1;
  }
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float expected = xs[i] > 0 ? xs[i] : 0.0f;
    if (y.data<float>()[i] != expected) {
      std::fprintf(stderr, "y[%lld] = %g, expected %g\n", static_cast<long long>(i), y.data<float>()[i], expected);
      return 1;
    }
  }
  // A wrong input name must come back as an error, across the library boundary.
  auto bad = (*session)->run({{"no_such_input", x}});
  if (bad.is_ok()) {
    std::fprintf(stderr, "a run with an unknown input name succeeded\n");
    return 1;
  }
  std::printf("consumer: %lld outputs match; error path: %s\n", static_cast<long long>(y.numel()),
              bad.status().to_string().c_str());
  return 0;
}
