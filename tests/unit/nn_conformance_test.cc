// A tiny stand-alone graph interpreter for checking the neural-network
// kernels against ONNX test-data folders before the real runtime exists.
//
//   NN_CASES='test_conv*:test_gemm*' NN_DATA=/usr/share/libonnx-testdata/data/node \
//     build/tests/parallax_unit_tests --gtest_filter='NnConformance.*'
//
// Each node is created through the registry, inferred twice (at "plan time"
// with only constant values, where it may defer, and at run time with all
// values) and computed; outputs are compared with output_N.pb.
#include <fnmatch.h>
#include <gtest/gtest.h>
#include <thread>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "format/onnx_loader.h"
#include "format/tensor_proto.h"
#include "kernels/kernel_util.h"
#include "kernels/registry.h"

namespace parallax {
namespace {

namespace fs = std::filesystem;

class CreateCtx final : public KernelCreateContext {
 public:
  CreateCtx(const Node* n, const Graph* g) : KernelCreateContext(n), g_(g) {}
  DataType input_dtype(size_t i) const override {
    return has_input(i) ? g_->value(node_->inputs[i]).dtype : DataType::kUndefined;
  }
  const Tensor* constant_input(size_t i) const override {
    if (!has_input(i)) return nullptr;
    const auto& init = g_->value(node_->inputs[i]).initializer;
    return init ? &*init : nullptr;
  }
  Result<std::unique_ptr<Subgraph>> compile_subgraph(const std::string&) const override {
    return error(StatusCode::kUnsupported, "no subgraphs in the nn test harness");
  }

 private:
  const Graph* g_;
};

struct Slot {
  DataType type = DataType::kUndefined;
  Shape shape;
  bool dynamic = false;
};

class InferCtx final : public InferContext {
 public:
  InferCtx(const Node* n, const std::map<uint32_t, Tensor>* env, bool all_values)
      : InferContext(n), env_(env), all_(all_values), outs_(n->outputs.size()) {}
  DataType input_dtype(size_t i) const override { return env_->at(node_->inputs[i].index()).dtype(); }
  const Shape& input_shape(size_t i) const override { return env_->at(node_->inputs[i].index()).shape(); }
  const Tensor* input_value(size_t i) const override {
    if (!has_input(i)) return nullptr;
    if (!all_ && !constants_.count(node_->inputs[i].index())) return nullptr;
    return &env_->at(node_->inputs[i].index());
  }
  void set_output(size_t i, DataType type, Shape shape) override { outs_.at(i) = {type, std::move(shape), false}; }
  void set_output_dynamic(size_t i, DataType type) override { outs_.at(i) = {type, {}, true}; }
  Status defer() override {
    deferred = true;
    return Status::ok();
  }
  std::map<uint32_t, bool> constants_;
  bool deferred = false;
  const std::map<uint32_t, Tensor>* env_;
  bool all_;
  std::vector<Slot> outs_;
};

class ComputeCtx final : public ComputeContext {
 public:
  ComputeCtx(const Node* n, std::map<uint32_t, Tensor>* env) : ComputeContext(n), env_(env) {}
  const Tensor& input(size_t i) const override { return env_->at(node_->inputs[i].index()); }
  std::span<const Tensor> implicit_inputs() const override { return {}; }
  Tensor& output(size_t i) override { return (*env_)[node_->outputs[i].index()]; }
  Result<Tensor*> allocate_output(size_t i, DataType type, Shape shape) override {
    Tensor& t = (*env_)[node_->outputs[i].index()];
    t = Tensor::allocate(type, std::move(shape));
    return &t;
  }
  Status set_dynamic_output(size_t i, Tensor tensor) override {
    (*env_)[node_->outputs[i].index()] = std::move(tensor);
    return Status::ok();
  }
  int num_threads() const override { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

 private:
  std::map<uint32_t, Tensor>* env_;
};

// Fills a tensor with garbage so kernels that forget to write elements fail.
void poison(Tensor& t) {
  if (t.dtype() == DataType::kFloat32) {
    float* p = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = NAN;
  } else {
    std::memset(t.raw(), 0x5a, t.nbytes());
  }
}

Status compare(const Tensor& got, const Tensor& want, std::ostringstream& bad, int& nbad) {
  return visit_all(got.dtype(), [&]<typename T>() {
    const T* a = got.data<T>();
    const T* b = want.data<T>();
    for (int64_t i = 0; i < got.numel(); ++i) {
      double x = static_cast<double>(a[i]), y = static_cast<double>(b[i]);
      bool ok = (std::isnan(x) && std::isnan(y)) || x == y || std::fabs(x - y) <= 1e-4 + 1e-3 * std::fabs(y);
      if (!ok) {
        if (nbad < 5) bad << "[" << i << "] got " << x << " want " << y << "; ";
        ++nbad;
      }
    }
    return Status::ok();
  });
}

struct Runner {
  std::unique_ptr<Model> model;
  std::vector<std::unique_ptr<OpKernel>> kernels;
  std::map<uint32_t, Tensor> env;
  std::map<uint32_t, bool> constants;

  Status prepare(const fs::path& dir) {
    PX_ASSIGN_OR_RETURN(model, load_model(dir / "model.onnx", {}));
    const Graph& g = *model->graph;
    for (size_t v = 0; v < g.values.size(); ++v)
      if (g.values[v].initializer) {
        env[static_cast<uint32_t>(v)] = *g.values[v].initializer;
        constants[static_cast<uint32_t>(v)] = true;
      }
    fs::path data = dir / "test_data_set_0";
    size_t k = 0;
    for (ValueId in : g.inputs) {
      if (g.value(in).initializer) continue;
      PX_ASSIGN_OR_RETURN(Tensor t, read_tensor_file(data / ("input_" + std::to_string(k++) + ".pb")));
      env[in.index()] = t;
    }
    for (const Node& n : g.nodes) {
      const KernelDef* def = KernelRegistry::global().find(n.domain, n.op_type, n.opset);
      if (!def) return error(StatusCode::kUnsupported, n.describe(), " opset ", n.opset, " has no kernel");
      CreateCtx cc(&n, &g);
      auto kernel = def->create(cc);
      if (!kernel.is_ok()) return kernel.status().with_context(n.describe() + " create");
      kernels.push_back(std::move(kernel).value());
    }
    return Status::ok();
  }

  Status run(bool plan_infer) {
    const Graph& g = *model->graph;
    for (size_t ni = 0; ni < g.nodes.size(); ++ni) {
      const Node& n = g.nodes[ni];
      OpKernel* kernel = kernels[ni].get();
      if (plan_infer) {
        InferCtx ic(&n, &env, false);
        ic.constants_ = constants;
        Status s = kernel->infer(ic);
        if (!s.is_ok()) return s.with_context(n.describe() + " plan infer");
      }
      InferCtx ic(&n, &env, true);
      Status s = kernel->infer(ic);
      if (!s.is_ok()) return s.with_context(n.describe() + " infer");
      if (ic.deferred) return error(StatusCode::kInternal, n.describe(), " deferred with all values known");
      for (size_t i = 0; i < n.outputs.size(); ++i) {
        if (!n.outputs[i].valid()) continue;
        if (ic.outs_[i].type == DataType::kUndefined)
          return error(StatusCode::kInternal, n.describe(), " infer did not set output ", i);
        if (!ic.outs_[i].dynamic) {
          auto it = env.find(n.outputs[i].index());
          if (it != env.end() && it->second.shape() == ic.outs_[i].shape && it->second.dtype() == ic.outs_[i].type)
            continue;
          Tensor t = Tensor::allocate(ic.outs_[i].type, ic.outs_[i].shape);
          poison(t);
          env[n.outputs[i].index()] = t;
        }
      }
      ComputeCtx cx(&n, &env);
      s = kernel->compute(cx);
      if (!s.is_ok()) return s.with_context(n.describe() + " compute");
    }
    return Status::ok();
  }
};

Status run_case(const fs::path& dir, std::string* detail) {
  Runner rn;
  PX_RETURN_IF_ERROR(rn.prepare(dir));
  PX_RETURN_IF_ERROR(rn.run(true));
  const Graph& g = *rn.model->graph;
  fs::path data = dir / "test_data_set_0";
  size_t k = 0;
  for (ValueId out : g.outputs) {
    fs::path p = data / ("output_" + std::to_string(k++) + ".pb");
    PX_ASSIGN_OR_RETURN(Tensor want, read_tensor_file(p));
    const Tensor& got = rn.env.at(out.index());
    if (got.dtype() != want.dtype())
      return error(StatusCode::kInvalidArgument, "output ", k - 1, " dtype ", data_type_name(got.dtype()), " want ",
                   data_type_name(want.dtype()));
    if (got.shape() != want.shape())
      return error(StatusCode::kInvalidArgument, "output ", k - 1, " shape ", shape_to_string(got.shape()), " want ",
                   shape_to_string(want.shape()));
    std::ostringstream bad;
    int nbad = 0;
    Status vs = compare(got, want, bad, nbad);
    if (!vs.is_ok()) return vs;
    if (nbad) return error(StatusCode::kInvalidArgument, "output ", k - 1, ": ", nbad, " mismatches: ", bad.str());
  }
  return Status::ok();
}

}  // namespace
}  // namespace parallax

namespace parallax {
namespace {

TEST(NnConformance, Cases) {
  const char* cases = std::getenv("NN_CASES");
  const char* roots = std::getenv("NN_DATA");
  if (!cases) GTEST_SKIP() << "set NN_CASES (':'-separated globs) and NN_DATA (':'-separated folders)";
  std::vector<std::string> globs, dirs;
  auto split = [](const std::string& s, std::vector<std::string>& out) {
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, ':'))
      if (!part.empty()) out.push_back(part);
  };
  split(cases, globs);
  split(roots ? roots : "/usr/share/libonnx-testdata/data/node", dirs);
  int pass = 0, fail = 0, unsup = 0;
  for (const std::string& root : dirs) {
    std::vector<fs::path> all;
    for (const auto& e : fs::directory_iterator(root)) all.push_back(e.path());
    std::sort(all.begin(), all.end());
    for (const fs::path& d : all) {
      std::string name = d.filename().string();
      bool match = false;
      for (const auto& gl : globs) match |= fnmatch(gl.c_str(), name.c_str(), 0) == 0;
      if (!match) continue;
      std::string detail;
      Status s = run_case(d, &detail);
      if (s.is_ok()) {
        ++pass;
        std::cout << "PASS " << name << "\n";
      } else if (s.code() == StatusCode::kUnsupported) {
        ++unsup;
        std::cout << "UNSUPPORTED " << name << ": " << s.to_string() << "\n";
      } else {
        ++fail;
        std::cout << "FAIL " << name << ": " << s.to_string() << "\n";
      }
    }
  }
  std::cout << "pass " << pass << " fail " << fail << " unsupported " << unsup << "\n";
  EXPECT_EQ(fail, 0);
}

// NN_BENCH=<folder with model.onnx + test_data_set_0>: times repeated runs.
TEST(NnConformance, Bench) {
  const char* dir = std::getenv("NN_BENCH");
  if (!dir) GTEST_SKIP() << "set NN_BENCH";
  int iters = std::getenv("NN_ITERS") ? std::atoi(std::getenv("NN_ITERS")) : 50;
  Runner rn;
  Status s = rn.prepare(dir);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  s = rn.run(false);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  std::vector<double> ms;
  for (int i = 0; i < iters; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    s = rn.run(false);
    auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "BENCH " << dir << " median " << ms[ms.size() / 2] << " ms, min " << ms[0] << " ms\n";
}

}  // namespace
}  // namespace parallax
