// One session called from 8 threads at once, and 8 sessions at once: every
// output equals the single-threaded reference, bit for bit.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

#include "format/tensor_proto.h"
#include "parallax/session.h"

namespace parallax {
namespace {

namespace fs = std::filesystem;
const fs::path kCase = "/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d_groups";

struct Fixture {
  std::vector<NamedTensor> inputs;
  Tensor expected;  // from the single-threaded first run
};

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

class Concurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kCase / "model.onnx")) GTEST_SKIP() << "libonnx-testdata is not installed";
    auto s = Session::open(kCase / "model.onnx");
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    auto x = read_tensor_file(kCase / "test_data_set_0" / "input_0.pb");
    ASSERT_TRUE(x.is_ok()) << x.status().to_string();
    f_.inputs = {{(*s)->inputs()[0].name, *x}};
    auto out = (*s)->run(f_.inputs);
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    f_.expected = (*out)[0];
  }
  Fixture f_;
};

TEST_F(Concurrency, OneSessionEightThreads) {
  auto s = Session::open(kCase / "model.onnx");
  ASSERT_TRUE(s.is_ok());
  Session& session = **s;
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto out = session.run(f_.inputs);
        if (!out.is_ok()) ++errors;
        else if (!same_bytes((*out)[0], f_.expected)) ++mismatches;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(Concurrency, EightSessionsAtOnce) {
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      auto s = Session::open(kCase / "model.onnx");
      if (!s.is_ok()) {
        ++errors;
        return;
      }
      for (int i = 0; i < 20; ++i) {
        auto out = (*s)->run(f_.inputs);
        if (!out.is_ok()) ++errors;
        else if (!same_bytes((*out)[0], f_.expected)) ++mismatches;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace parallax
