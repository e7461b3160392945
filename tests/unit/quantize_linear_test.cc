// QuantizeLinear's per-tensor float path (the one every QDQ activation
// takes) rounds half to even, saturates, and sends NaN to the lowest value,
// as the per-channel loop (quant_detail::saturate_round) does, on any
// thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "fused_vs_plain.h"
#include "kernels/cpu/quant_util.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

template <typename Q>
void check(int elem_type, Q zp) {
  constexpr int64_t kN = 70000;  // several parallel chunks
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {kN});
  const float scale = 0.5f;
  b.initializer("s", {}, {scale});
  auto* z = b.proto().mutable_graph()->add_initializer();
  z->set_name("z");
  z->set_data_type(elem_type);
  z->set_raw_data(std::string(reinterpret_cast<const char*>(&zp), 1));
  b.node("QuantizeLinear", {"x", "s", "z"}, {"y"});
  b.output("y", elem_type, {kN});
  Tensor x = testing::random_tensor({kN}, 7, 60.0f);
  float* xp = x.data<float>();
  const float special[] = {
      0.25f,    0.75f,     1.25f,  -0.25f,  -0.75f, -1.25f, 1e10f, -1e10f, std::numeric_limits<float>::quiet_NaN(),
      INFINITY, -INFINITY, 63.75f, -64.25f, 64.25f, 127.25f};
  for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); ++i) xp[i] = special[i];
  for (int64_t i = 100; i < 1000; ++i) xp[i] = 0.25f * static_cast<float>(i - 550);  // every half step
  Tensor ref;
  for (int threads : {1, 2, 3}) {
    SessionOptions opt;
    opt.num_threads = threads;
    auto s = Session::open_from_bytes(b.bytes(), opt);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    auto y = (*s)->run({{"x", x}});
    ASSERT_TRUE(y.is_ok()) << y.status().to_string();
    const Q* yp = (*y)[0].data<Q>();
    if (ref.empty()) {
      for (int64_t i = 0; i < kN; ++i)
        ASSERT_EQ(yp[i], quant_detail::saturate_round<Q>(xp[i] / scale, zp)) << "x = " << xp[i];
      ref = (*y)[0];
      continue;
    }
    EXPECT_EQ(std::memcmp(yp, ref.raw(), ref.nbytes()), 0) << threads << " threads";
  }
}

TEST(QuantizeLinear, PerTensorRoundsHalfToEvenAndSaturatesUint8) {
  check<uint8_t>(onnx::TensorProto::UINT8, 128);
}

TEST(QuantizeLinear, PerTensorRoundsHalfToEvenAndSaturatesInt8) {
  check<int8_t>(onnx::TensorProto::INT8, -3);
}

}  // namespace
}  // namespace parallax

namespace parallax {
namespace {

// x -> Q -> DQ -> Softmax -> Q -> DQ -> y: both pairs become
// QuantizeDequantize, to the bit what the pairs give.
TEST(QuantizeLinear, RoundTripPairsRunAsOneNodeWithTheSameBits) {
  for (bool s8 : {false, true}) {
    testing::ModelBuilder b(13);
    b.input("x", onnx::TensorProto::FLOAT, {3, 4000});
    b.initializer("s", {}, {0.03f});
    b.initializer("t", {}, {1.0f / 255.0f});
    const int type = s8 ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
    const char zp = s8 ? static_cast<char>(-5) : static_cast<char>(130);
    for (const char* name : {"z", "zs"}) {
      auto* z = b.proto().mutable_graph()->add_initializer();
      z->set_name(name);
      z->set_data_type(type);
      z->set_raw_data(std::string(1, name[1] ? 0 : zp));
    }
    b.node("QuantizeLinear", {"x", "s", "z"}, {"q"});
    b.node("DequantizeLinear", {"q", "s", "z"}, {"d"});
    b.node("Softmax", {"d"}, {"p"});
    b.node("QuantizeLinear", {"p", "t", "zs"}, {"pq"});
    b.node("DequantizeLinear", {"pq", "t", "zs"}, {"y"});
    b.output("y", onnx::TensorProto::FLOAT, {3, 4000});
    auto ops =
        testing::expect_fused_matches_plain(b.bytes(), {{"x", testing::random_tensor({3, 4000}, 9, 4.0f)}}, 0.0f);
    // The profile has one entry per op type: no QuantizeLinear or DequantizeLinear left.
    std::sort(ops.begin(), ops.end());
    EXPECT_EQ(ops, (std::vector<std::string>{"QuantizeDequantize", "Softmax"}));
  }
}

}  // namespace
}  // namespace parallax
