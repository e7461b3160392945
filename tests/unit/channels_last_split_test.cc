// A channel Split between convolutions (YOLO's C2f block: Conv -> Split ->
// Conv on one half -> Concat of all parts -> Conv) stays channels-last: the
// layout pass takes Split's axis to NHWC and puts a transpose behind each of
// its outputs, where it meets the next convolution's and cancels. The result
// is the plain graph's, with split sizes given as an input and by default.
#include <gtest/gtest.h>

#include <algorithm>

#include "fused_vs_plain.h"
#include "model_builder.h"
#include "parallax/session.h"

namespace parallax {
namespace {

void conv(testing::ModelBuilder& b, const std::string& x, const std::string& w, int64_t m, int64_t c,
          const std::string& y) {
  std::vector<float> wv(static_cast<size_t>(m * c * 9));
  for (size_t i = 0; i < wv.size(); ++i)
    wv[i] = 0.05f * static_cast<float>(static_cast<int>((i * 7 + w.size()) % 11) - 5);
  b.initializer(w, {m, c, 3, 3}, wv);
  testing::set_ints(b.node("Conv", {x, w}, {y}), "pads", {1, 1, 1, 1});
}

// x [1,4,8,8] -> Conv(8) -> Split(axis 1: 2 + 6, or 4 + 4 by default) ->
// Conv on the second part -> Concat(first, second, conv) -> Conv(4) -> y.
std::string c2f_block(bool sizes_as_input) {
  testing::ModelBuilder b(13);
  b.input("x", onnx::TensorProto::FLOAT, {1, 4, 8, 8});
  conv(b, "x", "w1", 8, 4, "c1");
  const int64_t first = sizes_as_input ? 2 : 4, second = 8 - first;
  onnx::NodeProto* split;
  if (sizes_as_input) {
    auto* t = b.proto().mutable_graph()->add_initializer();
    t->set_name("sizes");
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(2);
    t->add_int64_data(first);
    t->add_int64_data(second);
    split = b.node("Split", {"c1", "sizes"}, {"a", "s"});
  } else {
    split = b.node("Split", {"c1"}, {"a", "s"});
  }
  testing::set_int(split, "axis", 1);
  conv(b, "s", "w2", second, second, "c2");
  testing::set_int(b.node("Concat", {"a", "s", "c2"}, {"cat"}), "axis", 1);
  conv(b, "cat", "w3", 4, first + 2 * second, "y");
  b.output("y", onnx::TensorProto::FLOAT, {});
  return b.bytes();
}

TEST(ChannelsLastSplit, C2fBlockStaysNhwcAndMatchesThePlainGraph) {
  for (bool sizes_as_input : {true, false}) {
    const auto ops = testing::expect_fused_matches_plain(
        c2f_block(sizes_as_input), {{"x", testing::random_tensor({1, 4, 8, 8}, 7)}}, 1e-4f);
    EXPECT_NE(std::find(ops.begin(), ops.end(), "NhwcConv"), ops.end()) << ::testing::PrintToString(ops);
    // Only the transposes at the input and the output are left.
    SessionOptions o;
    o.profile = true;
    auto s = Session::open_from_bytes(c2f_block(sizes_as_input), o);
    ASSERT_TRUE(s.is_ok());
    ASSERT_TRUE((*s)->run({{"x", testing::random_tensor({1, 4, 8, 8}, 7)}}).is_ok());
    for (const auto& e : (*s)->op_profile()) {
      if (e.op == "Transpose") {
        EXPECT_EQ(e.calls, 2) << "sizes as input " << sizes_as_input;
      }
    }
  }
}

}  // namespace
}  // namespace parallax
