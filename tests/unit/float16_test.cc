// float16 / bfloat16: the bit conversions against the CPU's own half-float
// instructions (x86 F16C, aarch64 FCVT), and models with half-float
// weights, inputs and outputs.
#include "core/float16.h"

#include <gtest/gtest.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <bit>
#include <cmath>

#include "kernels/cpu/cast_ops.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

#if defined(__x86_64__)
__attribute__((target("f16c"))) uint16_t hardware_half(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}
__attribute__((target("f16c"))) float hardware_widen(uint16_t h) {
  return _cvtsh_ss(h);
}
#elif defined(__aarch64__)
uint16_t hardware_half(float f) { return std::bit_cast<uint16_t>(static_cast<__fp16>(f)); }
float hardware_widen(uint16_t h) { return static_cast<float>(std::bit_cast<__fp16>(h)); }
#else
#error "no hardware half-float conversion to test against on this architecture"
#endif

bool is_nan_half(uint16_t h) {
  return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0;
}

TEST(Float16, EveryHalfWidensExactlyAndNarrowsBack) {
  for (uint32_t h = 0; h <= 0xffffu; ++h) {
    const uint16_t bits = static_cast<uint16_t>(h);
    const float f = half_to_float(bits);
    const float want = hardware_widen(bits);
    if (is_nan_half(bits)) {
      EXPECT_TRUE(std::isnan(f)) << h;
      EXPECT_TRUE(is_nan_half(float_to_half(f))) << h;
      continue;
    }
    ASSERT_EQ(std::bit_cast<uint32_t>(f), std::bit_cast<uint32_t>(want)) << h;
    ASSERT_EQ(float_to_half(f), bits) << h;
  }
}

TEST(Float16, NarrowingMatchesF16cOnASweepOfFloats) {
  // A prime stride visits every exponent, sign, tie and subnormal region.
  for (uint64_t x = 0; x <= 0xffffffffull; x += 65521) {
    const float f = std::bit_cast<float>(static_cast<uint32_t>(x));
    if (std::isnan(f)) {
      EXPECT_TRUE(is_nan_half(float_to_half(f)));
      continue;
    }
    ASSERT_EQ(float_to_half(f), hardware_half(f)) << std::hex << x;
  }
  // Ties around the edges: to even, overflow to infinity, halfway to the smallest subnormal.
  for (float f : {65504.0f, 65519.99f, 65520.0f, 1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 0x1p-25f, 0x1.8p-25f, 0x1p-24f,
                  0x1.ffcp-15f, -0x1p-26f, 1e30f, -1e-30f})
    EXPECT_EQ(float_to_half(f), hardware_half(f)) << f;
}

TEST(Float16, DoubleRoundsOnceNotTwice) {
  // 1 + 2^-11 + 2^-40: above the tie between 1 and 1 + 2^-10, so it rounds up.
  // Through float it would become the tie 1 + 2^-11 and round to even (1.0).
  EXPECT_EQ(double_to_half(1.0 + 0x1p-11 + 0x1p-40), 0x3c01);
  EXPECT_EQ(double_to_half(1.0 + 0x1p-11), 0x3c00);
  EXPECT_EQ(double_to_bfloat16(1.0 + 0x1p-8 + 0x1p-40), 0x3f81);
  EXPECT_EQ(double_to_half(1e300), 0x7c00);
  EXPECT_EQ(double_to_half(-1e-300), 0x8000);
}

TEST(BFloat16, RoundsToNearestEvenAndKeepsNan) {
  EXPECT_EQ(float_to_bfloat16(std::bit_cast<float>(0x3f808000u)), 0x3f80);  // tie, even below
  EXPECT_EQ(float_to_bfloat16(std::bit_cast<float>(0x3f818000u)), 0x3f82);  // tie, even above
  EXPECT_EQ(float_to_bfloat16(std::bit_cast<float>(0x3f808001u)), 0x3f81);
  EXPECT_EQ(float_to_bfloat16(std::bit_cast<float>(0x7f7fffffu)), 0x7f80);  // overflows to infinity
  EXPECT_EQ(float_to_bfloat16(std::bit_cast<float>(0x00000001u)), 0x0000);  // tiny subnormal to zero
  EXPECT_TRUE(std::isnan(bfloat16_to_float(float_to_bfloat16(std::bit_cast<float>(0x7f800001u)))));
  EXPECT_EQ(bfloat16_to_float(0xc040), -3.0f);
}

// Cast's eight-at-a-time path (F16C) rounds as the scalar conversion does.
TEST(Float16, CastTensorMatchesScalarConversion) {
  const int64_t n = 100003;  // not a multiple of 8: the scalar tail runs too
  Tensor f = Tensor::allocate(DataType::kFloat32, {n});
  for (int64_t i = 0; i < n; ++i) f.data<float>()[i] = std::bit_cast<float>(static_cast<uint32_t>(i * 42943 + 7));
  Tensor h = Tensor::allocate(DataType::kFloat16, {n});
  ASSERT_TRUE(cast_tensor(f, h, 2).is_ok());
  Tensor back = Tensor::allocate(DataType::kFloat32, {n});
  ASSERT_TRUE(cast_tensor(h, back, 2).is_ok());
  for (int64_t i = 0; i < n; ++i) {
    const float x = f.data<float>()[i];
    const uint16_t got = h.data<uint16_t>()[i];
    if (std::isnan(x)) {
      ASSERT_TRUE(is_nan_half(got)) << i;
      continue;
    }
    ASSERT_EQ(got, float_to_half(x)) << i;
    ASSERT_EQ(std::bit_cast<uint32_t>(back.data<float>()[i]), std::bit_cast<uint32_t>(half_to_float(got))) << i;
  }
}

void add_half_initializer(testing::ModelBuilder& b, const std::string& name, int type, std::vector<float> values) {
  auto* t = b.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  t->add_dims(static_cast<int64_t>(values.size()));
  for (float v : values)
    t->add_int32_data(type == onnx::TensorProto::FLOAT16 ? float_to_half(v) : float_to_bfloat16(v));
}

Tensor half_tensor(DataType type, const std::vector<float>& values) {
  Tensor t = Tensor::allocate(type, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i)
    t.data<uint16_t>()[i] = type == DataType::kFloat16 ? float_to_half(values[i]) : float_to_bfloat16(values[i]);
  return t;
}

TEST(HalfModels, HalfInputsWeightsAndOutputs) {
  for (int type : {onnx::TensorProto::FLOAT16, onnx::TensorProto::BFLOAT16}) {
    testing::ModelBuilder b(13);
    b.input("x", type, {4});
    add_half_initializer(b, "w", type, {1.0f, -2.0f, 0.5f, 3.0f});
    b.node("Mul", {"x", "w"}, {"m"});
    b.node("Relu", {"m"}, {"y"});
    b.output("y", type, {4});
    auto s = Session::open_from_bytes(b.bytes());
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    const auto dt = static_cast<DataType>(type);
    auto y = (*s)->run({{"x", half_tensor(dt, {2.0f, 1.5f, -4.0f, 0.25f})}});
    ASSERT_TRUE(y.is_ok()) << y.status().to_string();
    ASSERT_EQ((*y)[0].dtype(), dt);
    const uint16_t* out = (*y)[0].data<uint16_t>();
    const float want[] = {2.0f, 0.0f, 0.0f, 0.75f};
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(dt == DataType::kFloat16 ? half_to_float(out[i]) : bfloat16_to_float(out[i]), want[i]) << i;
  }
}

// fp32 -> Cast(fp16) -> op -> Cast(fp32): the first Cast's rounding stays,
// though the op in between computes in float32.
TEST(HalfModels, ExplicitCastToHalfKeepsItsRounding) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {2});
  b.node("Cast", {"x"}, {"h"})->add_attribute()->CopyFrom([] {
    onnx::AttributeProto a;
    a.set_name("to");
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(onnx::TensorProto::FLOAT16);
    return a;
  }());
  add_half_initializer(b, "zero", onnx::TensorProto::FLOAT16, {0.0f, 0.0f});
  b.node("Add", {"h", "zero"}, {"s"});
  auto* back = b.node("Cast", {"s"}, {"y"})->add_attribute();
  back->set_name("to");
  back->set_type(onnx::AttributeProto::INT);
  back->set_i(onnx::TensorProto::FLOAT);
  b.output("y", onnx::TensorProto::FLOAT, {2});
  auto s = Session::open_from_bytes(b.bytes());
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor x = Tensor::allocate(DataType::kFloat32, {2});
  x.data<float>()[0] = 1.0f + 0x1p-12f;  // below half's resolution at 1: rounds to 1
  x.data<float>()[1] = 1e6f;             // beyond half's range: infinity
  auto y = (*s)->run({{"x", x}});
  ASSERT_TRUE(y.is_ok()) << y.status().to_string();
  ASSERT_EQ((*y)[0].dtype(), DataType::kFloat32);
  EXPECT_EQ((*y)[0].data<float>()[0], 1.0f);
  EXPECT_TRUE(std::isinf((*y)[0].data<float>()[1]));
}

// A subgraph reading a half graph input from the outer scope gets it as
// float16 (the pass widens explicit inputs only; see widen_half_floats.cc):
// the kernel that cannot take it says which node it is, nothing crashes.
TEST(HalfModels, UnrunnableHalfOpNamesTheNode) {
  testing::ModelBuilder b(13);
  b.input("cond", onnx::TensorProto::BOOL, {});
  b.input("x", onnx::TensorProto::FLOAT16, {2});
  auto* node = b.node("If", {"cond"}, {"y"});
  node->set_name("the_if");
  for (const char* branch : {"then_branch", "else_branch"}) {
    auto* a = node->add_attribute();
    a->set_name(branch);
    a->set_type(onnx::AttributeProto::GRAPH);
    onnx::GraphProto* g = a->mutable_g();
    g->set_name(branch);
    onnx::NodeProto* relu = g->add_node();
    relu->set_op_type("Relu");
    relu->set_name(std::string("relu_in_") + branch);
    relu->add_input("x");
    relu->add_output(std::string(branch) + "_out");
    onnx::ValueInfoProto* out = g->add_output();
    out->set_name(std::string(branch) + "_out");
    out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT16);
  }
  b.output("y", onnx::TensorProto::FLOAT16, {2});
  auto s = Session::open_from_bytes(b.bytes());
  Status st = s.status();
  if (s.is_ok()) {
    Tensor cond = Tensor::allocate(DataType::kBool, {});
    *cond.data<bool>() = true;
    st = (*s)->run({{"cond", cond}, {"x", half_tensor(DataType::kFloat16, {-1, 2})}}).status();
  }
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.to_string().find("relu_in_then_branch"), std::string::npos) << st.to_string();
}

}  // namespace
}  // namespace parallax
