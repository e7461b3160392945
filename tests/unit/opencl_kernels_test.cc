// Each OpenCL kernel against the CPU kernel on random inputs: one-node
// models run through a Session with and without the OpenCL accelerator,
// outputs equal within 1e-4 relative (plus 1e-5 absolute for values near
// zero, where summation order alone moves the relative error), and the node
// really ran on the device (the session's accelerator counters). Variants the backend
// refuses or hands back to the CPU are checked too. Skipped without an
// OpenCL device.
#include <gtest/gtest.h>

#include "model_builder.h"
#include "opencl_test_util.h"

namespace parallax::testing {
namespace {

// How the node is expected to run with the accelerator.
enum class Expect { kDevice, kRefused, kCpuFallback };

class OneNode {
 public:
  explicit OneNode(int opset = 13) : b_(opset) {}
  // Who runs the device GEMMs (CLBlast where built, or our own kernels).
  void gemm(GemmProvider provider) { opencl_.gemm = provider; }

  void in(const std::string& name, const Shape& shape, float lo = -2.0f, float hi = 2.0f) {
    b_.input(name, onnx::TensorProto::FLOAT, shape);
    inputs_.push_back({name, random_tensor(shape, rng_, lo, hi)});
  }
  void constant(const std::string& name, const Shape& shape, float lo = -1.0f, float hi = 1.0f) {
    Tensor t = random_tensor(shape, rng_, lo, hi);
    b_.initializer(name, shape, std::vector<float>(t.data<float>(), t.data<float>() + t.numel()));
  }
  void constant_values(const std::string& name, const Shape& shape, const std::vector<float>& v) {
    b_.initializer(name, shape, v);
  }
  void constant_ints(const std::string& name, const std::vector<int64_t>& v) {
    auto* t = b_.proto().mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
  }
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& ins, const std::string& out = "y") {
    return b_.node(op, ins, {out});
  }
  // The op's fused form (graph/fused_ops.h), which takes the px_ attributes.
  onnx::NodeProto* fused_node(const std::string& op, const std::vector<std::string>& ins,
                              const std::string& out = "y") {
    auto* import = b_.proto().add_opset_import();
    import->set_domain("com.parallax");
    import->set_version(1);
    return b_.node(op, ins, {out}, "com.parallax");
  }
  // Graph output of unknown shape (the runtime infers it).
  void out(const std::string& name = "y") {
    auto* o = b_.proto().mutable_graph()->add_output();
    o->set_name(name);
    o->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }

  void check(Expect expect = Expect::kDevice) {
    if (b_.proto().graph().output_size() == 0) out();
    auto cpu = run_model(b_.bytes(), false, inputs_, "");
    ASSERT_TRUE(cpu.is_ok()) << cpu.status().to_string();
    AcceleratorCounters counted;
    auto dev = run_model(b_.bytes(), false, inputs_, "*", 1, opencl_, &counted);
    ASSERT_TRUE(dev.is_ok()) << dev.status().to_string();
    EXPECT_TRUE(all_close(*cpu, *dev, 1e-4, 1e-5));
    const uint64_t nodes = counted.nodes, fallbacks = counted.cpu_fallbacks;
    switch (expect) {
      case Expect::kDevice:
        EXPECT_GT(nodes, 0u) << "the node did not run on the device";
        EXPECT_EQ(fallbacks, 0u);
        EXPECT_GT(counted.dispatches, 0u);
        break;
      case Expect::kRefused:
        EXPECT_EQ(nodes, 0u);
        EXPECT_EQ(fallbacks, 0u) << "supports() should have refused the node";
        break;
      case Expect::kCpuFallback:
        EXPECT_EQ(nodes, 0u);
        EXPECT_GT(fallbacks, 0u);
        break;
    }
  }

 private:
  ModelBuilder b_;
  std::vector<NamedTensor> inputs_;
  std::mt19937 rng_{1234};
  OpenClOptions opencl_;
};

// CLBlast where the build has it (kAuto), then our own kernels.
constexpr GemmProvider kGemmProviders[] = {GemmProvider::kAuto, GemmProvider::kOwnKernels};
const char* gemm_name(GemmProvider g) {
  return g == GemmProvider::kOwnKernels ? "own kernels" : "auto (CLBlast where built)";
}

void attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void attr(onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
void attr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void attr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

class OpenCLKernels : public ::testing::Test {
 protected:
  void SetUp() override { PX_SKIP_WITHOUT_OPENCL(); }
};

// ---- elementwise binary ----------------------------------------------------

TEST_F(OpenCLKernels, BinarySameShape) {
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    SCOPED_TRACE(op);
    OneNode m;
    m.in("a", {2, 3, 4, 5});
    m.in("b", {2, 3, 4, 5}, 0.5f, 2.0f);
    m.node(op, {"a", "b"});
    m.check();
  }
}

TEST_F(OpenCLKernels, BinaryBroadcast) {
  struct Shapes {
    Shape a, b;
  };
  for (const Shapes& s : std::vector<Shapes>{{{2, 3, 4, 5}, {3, 1, 1}},
                                             {{4, 5}, {1}},
                                             {{2, 1, 4}, {3, 1}},
                                             {{1, 5}, {4, 1}},
                                             {{3}, {2, 4, 3}},
                                             {{1, 1, 1, 2, 1, 3, 1, 2}, {2, 1, 2, 1, 1, 1}}}) {
    for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
      SCOPED_TRACE(std::string(op) + " " + shape_to_string(s.a) + " " + shape_to_string(s.b));
      OneNode m;
      m.in("a", s.a);
      m.in("b", s.b, 0.5f, 2.0f);
      m.node(op, {"a", "b"});
      m.check();
    }
  }
}

TEST_F(OpenCLKernels, BinaryWithConstantOperand) {
  OneNode m;
  m.in("a", {1, 8, 6, 6});
  m.constant("b", {8, 1, 1});
  m.node("Mul", {"a", "b"});
  m.check();
}

// ---- unary activations -----------------------------------------------------

TEST_F(OpenCLKernels, Activations) {
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "HardSwish"}) {
    SCOPED_TRACE(op);
    OneNode m(14);
    m.in("x", {2, 3, 7, 5}, -8.0f, 8.0f);
    m.node(op, {"x"});
    m.check();
  }
}

TEST_F(OpenCLKernels, LeakyRelu) {
  OneNode m;
  m.in("x", {3, 17});
  attr(m.node("LeakyRelu", {"x"}), "alpha", 0.2f);
  m.check();
  OneNode d;  // default alpha
  d.in("x", {3, 17});
  d.node("LeakyRelu", {"x"});
  d.check();
}

TEST_F(OpenCLKernels, ClipOpset13ConstantBounds) {
  OneNode m(13);
  m.in("x", {4, 9}, -10.0f, 10.0f);
  m.constant_values("lo", {}, {0.0f});
  m.constant_values("hi", {}, {6.0f});
  m.node("Clip", {"x", "lo", "hi"});
  m.check();
  OneNode only_min(13);
  only_min.in("x", {4, 9});
  only_min.constant_values("lo", {}, {-0.5f});
  only_min.node("Clip", {"x", "lo"});
  only_min.check();
}

TEST_F(OpenCLKernels, ClipOpset6Attributes) {
  OneNode m(6);
  m.in("x", {4, 9});
  auto* n = m.node("Clip", {"x"});
  attr(n, "min", -1.0f);
  attr(n, "max", 0.5f);
  m.check();
}

TEST_F(OpenCLKernels, ClipWithRuntimeBoundIsRefused) {
  OneNode m(13);
  m.in("x", {4, 9});
  m.in("lo", {});
  m.node("Clip", {"x", "lo"});
  m.check(Expect::kRefused);
}

// ---- Conv ------------------------------------------------------------------

struct ConvCase {
  const char* name;
  Shape x, w;
  int64_t group = 1;
  std::vector<int64_t> strides, pads, dilations;
  std::string auto_pad;
  bool bias = true;
};

void run_conv_once(const ConvCase& c, const char* activation, bool constant_w, GemmProvider gemm) {
  OneNode m;
  m.gemm(gemm);
  m.in("x", c.x);
  if (constant_w)
    m.constant("w", c.w);
  else
    m.in("w", c.w, -1.0f, 1.0f);
  std::vector<std::string> ins = {"x", "w"};
  if (c.bias) {
    m.constant("b", {c.w[0]});
    ins.push_back("b");
  }
  auto* n = m.node("Conv", ins, activation ? "c" : "y");
  if (c.group != 1) attr(n, "group", c.group);
  if (!c.strides.empty()) attr(n, "strides", c.strides);
  if (!c.pads.empty()) attr(n, "pads", c.pads);
  if (!c.dilations.empty()) attr(n, "dilations", c.dilations);
  if (!c.auto_pad.empty()) attr(n, "auto_pad", c.auto_pad);
  if (activation) {
    if (std::string(activation) == "Clip") {
      m.constant_values("lo", {}, {0.0f});
      m.constant_values("hi", {}, {6.0f});
      m.node("Clip", {"c", "lo", "hi"});
    } else {
      m.node(activation, {"c"});
    }
  }
  m.check();
}

void run_conv(const ConvCase& c, const char* activation = nullptr, bool constant_w = true) {
  for (GemmProvider gemm : kGemmProviders) {
    SCOPED_TRACE(std::string(c.name) + " GEMMs " + gemm_name(gemm));
    run_conv_once(c, activation, constant_w, gemm);
  }
}

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases = {
      {"3x3 pad 1", {1, 3, 9, 9}, {4, 3, 3, 3}, 1, {}, {1, 1, 1, 1}, {}, ""},
      {"3x3 stride 2 asymmetric pads", {2, 4, 10, 7}, {6, 4, 3, 3}, 1, {2, 2}, {0, 1, 1, 0}, {}, ""},
      {"dilation 2", {1, 3, 11, 11}, {5, 3, 3, 3}, 1, {}, {2, 2, 2, 2}, {2, 2}, ""},
      {"group 2", {1, 6, 8, 8}, {4, 3, 3, 3}, 2, {}, {1, 1, 1, 1}, {}, ""},
      {"depthwise", {1, 8, 12, 12}, {8, 1, 3, 3}, 8, {1, 1}, {1, 1, 1, 1}, {}, ""},
      {"depthwise stride 2", {1, 8, 12, 12}, {8, 1, 3, 3}, 8, {2, 2}, {1, 1, 1, 1}, {}, ""},
      {"depthwise multiplier 2", {1, 4, 7, 7}, {8, 1, 3, 3}, 4, {}, {}, {}, ""},
      {"1x1 no bias", {1, 16, 5, 5}, {8, 16, 1, 1}, 1, {}, {}, {}, "", false},
      {"1x1 batch 3", {3, 16, 5, 5}, {8, 16, 1, 1}, 1, {}, {}, {}, ""},
      {"1x1 stride 2", {1, 16, 6, 6}, {8, 16, 1, 1}, 1, {2, 2}, {}, {}, ""},
      {"3x3 batch 2", {2, 5, 9, 9}, {7, 5, 3, 3}, 1, {}, {1, 1, 1, 1}, {}, ""},
      {"5x3 kernel", {1, 2, 9, 8}, {3, 2, 5, 3}, 1, {1, 2}, {2, 1, 2, 1}, {}, ""},
      {"SAME_UPPER stride 2", {1, 3, 9, 10}, {4, 3, 3, 3}, 1, {2, 2}, {}, {}, "SAME_UPPER"},
      {"SAME_LOWER", {1, 3, 8, 8}, {4, 3, 4, 4}, 1, {}, {}, {}, "SAME_LOWER"},
      {"VALID", {1, 3, 8, 8}, {4, 3, 3, 3}, 1, {2, 1}, {}, {}, "VALID"},
  };
  return cases;
}

TEST_F(OpenCLKernels, ConvVariants) {
  for (const ConvCase& c : conv_cases()) run_conv(c);
}

TEST_F(OpenCLKernels, ConvFusedActivations) {
  // The graph optimizer folds the activation into the Conv (px_activation).
  for (const char* act : {"Relu", "Clip", "Sigmoid", "Tanh", "HardSwish", "LeakyRelu"}) {
    SCOPED_TRACE(act);
    run_conv(conv_cases()[0], act);
    run_conv(conv_cases()[1], act);
    run_conv(conv_cases()[4], act);
  }
}

TEST_F(OpenCLKernels, ConvWeightsComputedAtRunTime) {
  run_conv(conv_cases()[3], nullptr, /*constant_w=*/false);
}

TEST_F(OpenCLKernels, ConvResidual) {
  // com.parallax.Conv with px_residual as the optimizer's hook defines it:
  // the last input is added before the activation.
  for (GemmProvider gemm : kGemmProviders) {
    SCOPED_TRACE(std::string("GEMMs ") + gemm_name(gemm));
    OneNode m;
    m.gemm(gemm);
    m.in("x", {1, 4, 6, 6});
    m.constant("w", {4, 4, 3, 3});
    m.constant("b", {4});
    m.in("r", {1, 4, 6, 6});
    auto* n = m.fused_node("Conv", {"x", "w", "b", "r"});
    attr(n, "pads", std::vector<int64_t>{1, 1, 1, 1});
    attr(n, "px_residual", int64_t{1});
    attr(n, "px_activation", std::string("Relu"));
    m.check();
  }
}

TEST_F(OpenCLKernels, Conv1DIsRefusedAnd3DFallsBack) {
  OneNode one_d;
  one_d.in("x", {1, 3, 10});
  one_d.constant("w", {2, 3, 3});
  one_d.node("Conv", {"x", "w"});
  one_d.check(Expect::kRefused);
  OneNode three_d;  // weights not constant and no kernel_shape: rank known only at run time
  three_d.in("x", {1, 2, 4, 4, 4});
  three_d.in("w", {2, 2, 2, 2, 2});
  three_d.node("Conv", {"x", "w"});
  three_d.check(Expect::kCpuFallback);
}

// ---- MatMul / Gemm -----------------------------------------------------------

TEST_F(OpenCLKernels, MatMulShapes) {
  struct Shapes {
    Shape a, b;
  };
  for (const Shapes& s : std::vector<Shapes>{{{5, 7}, {7, 3}},
                                             {{33, 70}, {70, 17}},
                                             {{2, 3, 5, 7}, {2, 3, 7, 4}},
                                             {{2, 5, 19}, {19, 3}},
                                             {{5, 7}, {3, 7, 4}},
                                             {{1, 1000}, {1000, 10}}}) {
    for (GemmProvider gemm : kGemmProviders) {
      SCOPED_TRACE(shape_to_string(s.a) + " x " + shape_to_string(s.b) + " GEMMs " + gemm_name(gemm));
      OneNode m;
      m.gemm(gemm);
      m.in("a", s.a);
      m.in("b", s.b);
      m.node("MatMul", {"a", "b"});
      m.check();
    }
  }
}

TEST_F(OpenCLKernels, MatMulConstantWeights) {
  OneNode m;
  m.in("a", {4, 64});
  m.constant("b", {64, 10});
  m.node("MatMul", {"a", "b"});
  m.check();
}

TEST_F(OpenCLKernels, MatMulOneDimensionalAndBroadcastBatchFallBack) {
  OneNode vec;
  vec.in("a", {7});
  vec.in("b", {7, 3});
  vec.node("MatMul", {"a", "b"});
  vec.check(Expect::kCpuFallback);
  OneNode bcast;
  bcast.in("a", {2, 1, 5, 7});
  bcast.in("b", {1, 3, 7, 4});
  bcast.node("MatMul", {"a", "b"});
  bcast.check(Expect::kCpuFallback);
}

TEST_F(OpenCLKernels, GemmVariants) {
  struct Case {
    int64_t trans_a, trans_b;
    float alpha, beta;
    Shape c;  // empty: no C; {0}: scalar C
    bool c_input = true;
  };
  const int64_t M = 9, K = 21, N = 13;
  for (const Case& c : std::vector<Case>{{0, 0, 1.0f, 1.0f, {N}},
                                         {1, 0, 0.5f, 2.0f, {M, N}},
                                         {0, 1, 1.0f, 1.0f, {M, 1}},
                                         {1, 1, 2.0f, -1.0f, {1, N}},
                                         {0, 1, 1.0f, 0.5f, {0}},
                                         {0, 0, 1.5f, 1.0f, {}, false},
                                         {1, 0, 1.0f, 1.0f, {}, false},
                                         {0, 1, 0.5f, 1.0f, {}, false},
                                         {1, 1, 1.0f, 1.0f, {}, false}}) {
    for (GemmProvider gemm : kGemmProviders) {
      SCOPED_TRACE("transA " + std::to_string(c.trans_a) + " transB " + std::to_string(c.trans_b) + " C " +
                   shape_to_string(c.c) + " GEMMs " + gemm_name(gemm));
      OneNode m;
      m.gemm(gemm);
      m.in("a", c.trans_a ? Shape{K, M} : Shape{M, K});
      m.constant("b", c.trans_b ? Shape{N, K} : Shape{K, N});
      std::vector<std::string> ins = {"a", "b"};
      if (c.c_input) {
        m.constant("c", c.c == Shape{0} ? Shape{} : c.c);
        ins.push_back("c");
      }
      auto* n = m.node("Gemm", ins);
      attr(n, "transA", c.trans_a);
      attr(n, "transB", c.trans_b);
      attr(n, "alpha", c.alpha);
      attr(n, "beta", c.beta);
      m.check();
    }
  }
}

// ---- pooling -----------------------------------------------------------------

TEST_F(OpenCLKernels, MaxPool) {
  struct Case {
    std::vector<int64_t> k, s, pads, dil;
    int64_t ceil;
  };
  for (const Case& c : std::vector<Case>{{{3, 3}, {2, 2}, {1, 1, 1, 1}, {}, 0},
                                         {{2, 2}, {2, 2}, {}, {}, 0},
                                         {{3, 3}, {2, 2}, {}, {}, 1},
                                         {{3, 2}, {1, 2}, {0, 1, 1, 0}, {2, 1}, 0}}) {
    OneNode m(12);
    m.in("x", {2, 3, 11, 10});
    auto* n = m.node("MaxPool", {"x"});
    attr(n, "kernel_shape", c.k);
    if (!c.s.empty()) attr(n, "strides", c.s);
    if (!c.pads.empty()) attr(n, "pads", c.pads);
    if (!c.dil.empty()) attr(n, "dilations", c.dil);
    if (c.ceil) attr(n, "ceil_mode", c.ceil);
    m.check();
  }
}

TEST_F(OpenCLKernels, AveragePool) {
  for (int64_t cip : {0, 1}) {
    for (int64_t ceil : {0, 1}) {
      SCOPED_TRACE("count_include_pad " + std::to_string(cip) + " ceil_mode " + std::to_string(ceil));
      OneNode m(11);
      m.in("x", {1, 4, 10, 9});
      auto* n = m.node("AveragePool", {"x"});
      attr(n, "kernel_shape", std::vector<int64_t>{3, 3});
      attr(n, "strides", std::vector<int64_t>{2, 2});
      attr(n, "pads", std::vector<int64_t>{1, 1, 1, 1});
      attr(n, "count_include_pad", cip);
      attr(n, "ceil_mode", ceil);
      m.check();
    }
  }
  OneNode same(11);
  same.in("x", {1, 2, 7, 7});
  auto* n = same.node("AveragePool", {"x"});
  attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
  attr(n, "auto_pad", std::string("SAME_UPPER"));
  same.check();
}

TEST_F(OpenCLKernels, GlobalAveragePool) {
  OneNode m;
  m.in("x", {2, 5, 7, 6});
  m.node("GlobalAveragePool", {"x"});
  m.check();
}

TEST_F(OpenCLKernels, MaxPoolWithIndicesIsRefused) {
  OneNode m(12);
  m.in("x", {1, 2, 4, 4});
  auto* n = m.node("MaxPool", {"x"});
  n->add_output("idx");
  attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
  m.out("y");
  m.check(Expect::kRefused);
}

// ---- Concat, Softmax, Resize -----------------------------------------------------

TEST_F(OpenCLKernels, Concat) {
  for (int64_t axis : {0, 1, 3, -1, -3}) {
    SCOPED_TRACE("axis " + std::to_string(axis));
    const size_t ax = static_cast<size_t>(axis < 0 ? axis + 4 : axis);
    Shape a = {2, 3, 4, 5}, b = a, c = a;
    b[ax] = 1;
    c[ax] = 3;
    OneNode m;
    m.in("a", a);
    m.in("b", b);
    m.constant("c", c);
    attr(m.node("Concat", {"a", "b", "c"}), "axis", axis);
    m.check();
  }
}

TEST_F(OpenCLKernels, Softmax) {
  OneNode last(13);
  last.in("x", {3, 4, 50}, -10.0f, 10.0f);
  last.node("Softmax", {"x"});
  last.check();
  OneNode classifier(13);
  classifier.in("x", {1, 1000}, -10.0f, 10.0f);
  attr(classifier.node("Softmax", {"x"}), "axis", int64_t{1});
  classifier.check();
  OneNode coerced(11);  // opset < 13: rows are everything from `axis` on
  coerced.in("x", {3, 4, 5});
  attr(coerced.node("Softmax", {"x"}), "axis", int64_t{1});
  coerced.check();
  OneNode inner_axis(13);  // not the last axis: the CPU kernel runs
  inner_axis.in("x", {3, 4, 5});
  attr(inner_axis.node("Softmax", {"x"}), "axis", int64_t{1});
  inner_axis.check(Expect::kCpuFallback);
}

TEST_F(OpenCLKernels, ResizeNearest) {
  struct Case {
    const char* coord;
    const char* nearest;
    std::vector<float> scales;
    std::vector<int64_t> sizes;
  };
  for (const Case& c : std::vector<Case>{{"asymmetric", "floor", {1, 1, 2, 2}, {}},
                                         {"half_pixel", "round_prefer_floor", {1, 1, 1.5f, 0.75f}, {}},
                                         {"align_corners", "ceil", {}, {1, 3, 13, 5}},
                                         {"pytorch_half_pixel", "round_prefer_ceil", {}, {1, 3, 9, 17}},
                                         {"tf_half_pixel_for_nn", "round_prefer_floor", {1, 1, 3, 2}, {}}}) {
    SCOPED_TRACE(std::string(c.coord) + " " + c.nearest);
    OneNode m(13);
    m.in("x", {1, 3, 6, 7});
    std::vector<std::string> ins = {"x", "", ""};
    if (!c.scales.empty()) {
      m.constant_values("scales", {4}, c.scales);
      ins[2] = "scales";
    } else {
      m.constant_ints("sizes", c.sizes);
      ins.push_back("sizes");
    }
    auto* n = m.node("Resize", ins);
    attr(n, "mode", std::string("nearest"));
    attr(n, "coordinate_transformation_mode", std::string(c.coord));
    attr(n, "nearest_mode", std::string(c.nearest));
    m.check();
  }
}

TEST_F(OpenCLKernels, ResizeOpset10) {
  OneNode m(10);
  m.in("x", {1, 2, 5, 4});
  m.constant_values("scales", {4}, {1, 1, 2, 3});
  attr(m.node("Resize", {"x", "scales"}), "mode", std::string("nearest"));
  m.check();
}

TEST_F(OpenCLKernels, ResizeLinearIsRefused) {
  OneNode m(13);
  m.in("x", {1, 2, 5, 4});
  m.constant_values("scales", {4}, {1, 1, 2, 2});
  attr(m.node("Resize", {"x", "", "scales"}), "mode", std::string("linear"));
  m.check(Expect::kRefused);
}

// ---- the op list restricts what the accelerator takes ----------------------------------

TEST_F(OpenCLKernels, OpListRestricts) {
  ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2, 8});
  b.node("Relu", {"x"}, {"r"});
  b.node("Sigmoid", {"r"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {2, 8});
  std::mt19937 rng(3);
  std::vector<NamedTensor> inputs = {{"x", random_tensor({2, 8}, rng)}};
  AcceleratorCounters counted;
  auto cpu = run_model(b.bytes(), false, inputs, "");
  auto dev = run_model(b.bytes(), false, inputs, "Sigmoid", 1, {}, &counted);
  ASSERT_TRUE(cpu.is_ok() && dev.is_ok());
  EXPECT_TRUE(all_close(*cpu, *dev, 1e-4, 1e-5));
  EXPECT_EQ(counted.nodes, 1u);  // Sigmoid only
}

}  // namespace
}  // namespace parallax::testing
