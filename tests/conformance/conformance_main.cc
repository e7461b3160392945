// Runs ONNX test-data folders (model.onnx + test_data_set_N/{input,output}_K.pb)
// and compares every output with the expected one: the ONNX backend
// conformance layout, which the real-model reference sets reuse.
//
//   parallax_conformance --data /usr/share/libonnx-testdata/data/node
//       [--filter 'test_conv*'] [--known-failures tests/conformance/known_failures.txt]
//
// Exit status: 0 when every case outside the known-failures list passes and
// no listed case passes (so the list can only shrink); 1 otherwise.
#include <fnmatch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "format/tensor_proto.h"
#include "kernels/cpu/cast_ops.h"
#include "kernels/kernel_util.h"
#include "parallax/session.h"

namespace fs = std::filesystem;
using namespace parallax;

namespace {

enum class Outcome { kPass, kFail, kUnsupported };

struct Tolerance {
  double rtol = 1e-3, atol = 1e-5;
  // Fraction of elements allowed outside rtol/atol: only for data-dependent
  // outputs (detections near a score threshold or a tie), stated per test.
  double max_mismatch = 0.0;
};

// ONNX 1.12's test data (Debian's libonnx-testdata) writes bfloat16 tensors
// as uint16 with the same bits: read them as the bfloat16 the model declares.
Tensor as_declared(Tensor t, DataType declared) {
  if (declared != DataType::kBFloat16 || t.dtype() != DataType::kUInt16) return t;
  Tensor out = Tensor::allocate(DataType::kBFloat16, t.shape());
  std::memcpy(out.raw(), t.raw(), t.nbytes());
  return out;
}

Tensor widened(const Tensor& t) {
  Tensor out = Tensor::allocate(DataType::kFloat32, t.shape());
  Status s = cast_tensor(t, out, 1);
  (void)s;  // half -> float32 always succeeds
  return out;
}

std::string compare(const Tensor& got, const Tensor& want, const Tolerance& tol);

// Half floats compare as float32. bfloat16 allows one unit in the last place
// (2^-7 relative): ONNX 1.12's expected bfloat16 values truncate, ONNX 1.14+
// and Parallax round to nearest even.
std::string compare_half(const Tensor& got, const Tensor& want, Tolerance tol) {
  if (got.dtype() == DataType::kBFloat16) tol.rtol = std::max(tol.rtol, 1.0 / 128);
  return compare(widened(got), widened(want), tol);
}

std::string compare(const Tensor& got, const Tensor& want, const Tolerance& tol) {
  std::ostringstream why;
  if (got.is_none() || want.is_none()) {
    if (got.is_none() == want.is_none()) return "";
    return got.is_none() ? "an empty optional, expected a value" : "a value, expected an empty optional";
  }
  if (got.is_sequence() || want.is_sequence()) {
    if (got.is_sequence() != want.is_sequence())
      return got.is_sequence() ? "a sequence, expected a tensor" : "a tensor, expected a sequence";
    if (got.items().size() != want.items().size()) {
      why << got.items().size() << " tensors, expected " << want.items().size();
      return why.str();
    }
    for (size_t k = 0; k < got.items().size(); ++k)
      if (std::string diff = compare(got.items()[k], want.items()[k], tol); !diff.empty())
        return "item " + std::to_string(k) + ": " + diff;
    return "";
  }
  if (got.dtype() == want.dtype() && is_half_float(got.dtype()) && got.shape() == want.shape())
    return compare_half(got, want, tol);
  if (got.dtype() != want.dtype()) {
    why << "dtype " << data_type_name(got.dtype()) << " != expected " << data_type_name(want.dtype());
    return why.str();
  }
  if (got.shape() != want.shape()) {
    why << "shape " << shape_to_string(got.shape()) << " != expected " << shape_to_string(want.shape());
    return why.str();
  }
  const int64_t n = got.numel();
  int64_t bad = 0, first = -1;
  double worst = 0;
  Status s = visit_all(got.dtype(), [&]<typename T>() {
    const T* a = got.data<T>();
    const T* b = want.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      bool ok;
      if constexpr (std::is_floating_point_v<T>) {
        double x = a[i], y = b[i];
        if (std::isnan(x) || std::isnan(y)) ok = std::isnan(x) && std::isnan(y);
        else if (std::isinf(x) || std::isinf(y)) ok = x == y;
        else {
          double err = std::fabs(x - y);
          ok = err <= tol.atol + tol.rtol * std::fabs(y);
          worst = std::max(worst, err);
        }
      } else {
        ok = a[i] == b[i];
      }
      if (!ok && bad++ == 0) first = i;
    }
    return Status::ok();
  });
  if (!s.is_ok()) return s.message();
  if (bad == 0) return "";
  if (static_cast<double>(bad) <= tol.max_mismatch * static_cast<double>(n)) return "";
  why << bad << " of " << n << " elements differ (first at " << first << "; max abs error " << worst << ")";
  return why.str();
}

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, fs::path>> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && e.path().extension() == ".pb")
      files.emplace_back(std::stoi(name.substr(prefix.size())), e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<fs::path> out;
  for (auto& f : files) out.push_back(f.second);
  return out;
}

struct CaseResult {
  Outcome outcome;
  std::string detail;
};

CaseResult run_case(const fs::path& dir, const SessionOptions& options, const Tolerance& tol) {
  auto session = Session::open(dir / "model.onnx", options);
  if (!session.is_ok()) {
    const Status& s = session.status();
    return {s.code() == StatusCode::kUnsupported ? Outcome::kUnsupported : Outcome::kFail, s.to_string()};
  }
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return {Outcome::kFail, "no test_data_set_* folder"};
  for (const fs::path& set : sets) {
    const auto& declared = (*session)->inputs();
    std::vector<NamedTensor> inputs;
    std::vector<fs::path> input_files = numbered(set, "input_");
    for (size_t i = 0; i < input_files.size(); ++i) {
      if (i >= declared.size()) return {Outcome::kFail, "more input files than model inputs"};
      const TensorInfo& info = declared[i];
      auto t = read_value_file(input_files[i], info.dtype == DataType::kSequence, info.optional, info.element_type);
      if (!t.is_ok())
        return {t.status().code() == StatusCode::kUnsupported || t.status().code() == StatusCode::kInvalidArgument
                    ? Outcome::kUnsupported
                    : Outcome::kFail,
                "input " + input_files[i].filename().string() + ": " + t.status().to_string()};
      // Inputs are matched by position; the file's name field is often empty.
      inputs.push_back({declared[i].name, as_declared(std::move(t).value(), declared[i].dtype)});
    }
    auto outputs = (*session)->run(inputs);
    if (!outputs.is_ok()) {
      const Status& s = outputs.status();
      return {s.code() == StatusCode::kUnsupported ? Outcome::kUnsupported : Outcome::kFail,
              set.filename().string() + ": " + s.to_string()};
    }
    std::vector<fs::path> expected = numbered(set, "output_");
    if (expected.size() != outputs->size())
      return {Outcome::kFail, "model has " + std::to_string(outputs->size()) + " outputs, expected " +
                                  std::to_string(expected.size())};
    for (size_t i = 0; i < expected.size(); ++i) {
      const TensorInfo& out_info = (*session)->outputs()[i];
      auto want =
          read_value_file(expected[i], out_info.dtype == DataType::kSequence, out_info.optional, out_info.element_type);
      if (!want.is_ok()) return {Outcome::kUnsupported, "expected output: " + want.status().to_string()};
      std::string diff = compare((*outputs)[i], as_declared(std::move(want).value(), (*outputs)[i].dtype()), tol);
      if (!diff.empty())
        return {Outcome::kFail, set.filename().string() + " output " + std::to_string(i) + " ('" +
                                    (*session)->outputs()[i].name + "'): " + diff};
    }
  }
  return {Outcome::kPass, ""};
}

std::set<std::string> read_list(const fs::path& path) {
  std::set<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line = line.substr(0, hash);
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty()) out.insert(line);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs ONNX conformance test folders through Parallax"};
  std::vector<std::string> data_dirs;
  std::string filter = "*", exclude, known_path, write_known;
  bool verbose = false;
  int threads = 1;
  Tolerance tol;
  app.add_option("--data", data_dirs, "folders of test cases (each case: model.onnx + test_data_set_N/)")->required();
  app.add_option("--filter", filter, "glob on case names");
  app.add_option("--exclude", exclude, "glob on case names to skip");
  app.add_option("--max-mismatch", tol.max_mismatch, "fraction of float elements allowed outside tolerance");
  app.add_option("--known-failures", known_path, "list of 'suite/case' names expected not to pass");
  app.add_option("--write-known-failures", write_known, "write the cases that did not pass to this file");
  app.add_option("--threads", threads, "threads (split between concurrent nodes and kernels)");
  std::string mode = "dataflow";
  bool check_memory = false;
  app.add_option("--mode", mode, "sequential, layer or dataflow");
  app.add_flag("--check-memory", check_memory, "verify the memory plan while running (slow)");
  app.add_option("--rtol", tol.rtol, "relative tolerance for floats");
  app.add_option("--atol", tol.atol, "absolute tolerance for floats");
  app.add_flag("-v,--verbose", verbose, "print passing cases too");
  CLI11_PARSE(app, argc, argv);

  std::set<std::string> known;
  if (!known_path.empty()) known = read_list(known_path);
  SessionOptions options;
  options.num_threads = threads;
  auto parsed_mode = parse_execution_mode(mode);
  if (!parsed_mode.is_ok()) {
    std::cerr << parsed_mode.status().to_string() << '\n';
    return 2;
  }
  options.mode = *parsed_mode;
  options.check_memory = check_memory;

  int regressions = 0, fixed = 0;
  std::vector<std::string> not_passing;
  size_t total[3] = {0, 0, 0};
  for (const std::string& data : data_dirs) {
    fs::path root(data);
    std::string suite = root.filename().string();
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(root))
      if (e.is_directory() && fs::exists(e.path() / "model.onnx") &&
          fnmatch(filter.c_str(), e.path().filename().c_str(), 0) == 0 &&
          (exclude.empty() || fnmatch(exclude.c_str(), e.path().filename().c_str(), 0) != 0))
        cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    size_t count[3] = {0, 0, 0};
    for (const fs::path& c : cases) {
      std::string id = suite + "/" + c.filename().string();
      CaseResult r = run_case(c, options, tol);
      ++count[static_cast<int>(r.outcome)];
      bool listed = known.count(id) != 0;
      const char* tag = r.outcome == Outcome::kPass ? "PASS" : r.outcome == Outcome::kFail ? "FAIL" : "UNSUPPORTED";
      if (r.outcome != Outcome::kPass) {
        not_passing.push_back(id);
        if (!listed && !known_path.empty()) {
          ++regressions;
          std::cout << "REGRESSION ";
        }
        std::cout << tag << ' ' << id << ": " << r.detail << '\n';
      } else {
        if (listed) {
          ++fixed;
          std::cout << "FIXED (remove from the known-failures list) " << id << '\n';
        } else if (verbose) {
          std::cout << "PASS " << id << '\n';
        }
      }
    }
    size_t n = cases.size();
    std::printf("%s: %zu passed, %zu failed, %zu unsupported of %zu (%.1f%% pass)\n", suite.c_str(), count[0],
                count[1], count[2], n, n ? 100.0 * static_cast<double>(count[0]) / static_cast<double>(n) : 0.0);
    for (int k = 0; k < 3; ++k) total[k] += count[k];
  }
  if (!write_known.empty()) {
    std::ofstream out(write_known);
    out << "# Conformance cases that do not pass yet (suite/case). This list only shrinks.\n";
    for (const std::string& id : not_passing) out << id << '\n';
  }
  if (!known_path.empty())
    std::printf("known-failures check: %d regressions, %d fixed\n", regressions, fixed);
  std::printf("%zu passed, %zu failed\n", total[0], total[1] + total[2]);
  return regressions == 0 && fixed == 0 ? 0 : 1;
}
