// Soak test: many threads run one shared Session for a long time.
//
//   build-soak/bench/soak [--models mobilenet_v2,ppocr_det] [--threads 8] [--seconds 600]
//                         [--session-threads 2] [--warmup 60] [--models-dir models]
//
// Every model is opened once; thread i runs model i % models in a loop on the
// model's shared Session with models/<name>/test_data_set_0/input_*.pb. Each
// output must equal the model's first output bit for bit (runs of one
// session are deterministic whatever thread calls it) and the expected
// output_*.pb within 1e-4. The process RSS (VmRSS) is sampled every 10 s; a
// leak in the run path shows as growth after warm-up, when arenas, plan
// caches and the allocator's pools have reached their size. Prints a JSON
// summary; exits 1 on a failed run, a mismatch, or RSS growth over 5 %
// after warm-up.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/status_macros.h"
#include "format/tensor_proto.h"
#include "parallax/session.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kTolerance = 1e-4;
constexpr double kMaxRssGrowth = 0.05;
constexpr int kSampleSeconds = 10;
constexpr int kMaxReportedMismatches = 10;

struct Options {
  std::vector<std::string> models = {"mobilenet_v2", "ppocr_det"};
  fs::path models_dir = "models";
  int threads = 8;
  int seconds = 600;
  int session_threads = 2;
  int warmup = 60;
};

struct ModelRun {
  std::string name;
  std::unique_ptr<parallax::Session> session;
  std::vector<parallax::NamedTensor> inputs;
  std::vector<parallax::Tensor> expected;
  std::once_flag first_once;
  std::vector<parallax::Tensor> first;  // the first run's outputs, set once under first_once
  std::atomic<int64_t> runs{0};
  std::atomic<int64_t> errors{0};
  std::atomic<int64_t> mismatches_first{0};
  std::atomic<int64_t> mismatches_expected{0};
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

bool parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return false;
    const std::string value = argv[++i];
    try {
      if (arg == "--models") o.models = split_list(value);
      else if (arg == "--models-dir") o.models_dir = value;
      else if (arg == "--threads") o.threads = std::stoi(value);
      else if (arg == "--seconds") o.seconds = std::stoi(value);
      else if (arg == "--session-threads") o.session_threads = std::stoi(value);
      else if (arg == "--warmup") o.warmup = std::stoi(value);
      else return false;
    } catch (const std::exception&) {
      return false;
    }
  }
  return !o.models.empty() && o.threads > 0 && o.seconds > 0 && o.session_threads > 0 && o.warmup >= 0;
}

double rss_mb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // the value is in kB
  }
  return 0;
}

// Reads <dir>/<prefix>_0.pb, _1.pb, ... until one is missing.
parallax::Status read_numbered(const fs::path& dir, const std::string& prefix, std::vector<parallax::Tensor>& tensors,
                               std::vector<std::string>* names) {
  for (int i = 0;; ++i) {
    const fs::path path = dir / (prefix + "_" + std::to_string(i) + ".pb");
    if (!fs::exists(path)) break;
    std::string name;
    auto t = parallax::read_tensor_file(path, &name);
    if (!t.is_ok()) return t.status();
    tensors.push_back(*t);
    if (names) names->push_back(name);
  }
  if (tensors.empty()) return parallax::error(parallax::StatusCode::kNotFound, "no ", prefix, "_0.pb in ", dir.string());
  return parallax::Status::ok();
}

parallax::Status open_model(const Options& o, ModelRun& m) {
  parallax::SessionOptions options;
  options.num_threads = o.session_threads;
  auto session = parallax::Session::open(o.models_dir / (m.name + ".onnx"), options);
  if (!session.is_ok()) return session.status();
  m.session = std::move(*session);
  const fs::path data = o.models_dir / m.name / "test_data_set_0";
  std::vector<parallax::Tensor> inputs;
  std::vector<std::string> names;
  PX_RETURN_IF_ERROR(read_numbered(data, "input", inputs, &names));
  PX_RETURN_IF_ERROR(read_numbered(data, "output", m.expected, nullptr));
  const auto& declared = m.session->inputs();
  if (inputs.size() != declared.size())
    return parallax::error(parallax::StatusCode::kInvalidArgument, m.name, " has ", declared.size(), " inputs but ",
                           inputs.size(), " input_*.pb files");
  // The files' own names when they have them; else the declared order.
  for (size_t i = 0; i < inputs.size(); ++i)
    m.inputs.push_back({names[i].empty() ? declared[i].name : names[i], inputs[i]});
  return parallax::Status::ok();
}

bool bit_equal(const parallax::Tensor& a, const parallax::Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

// Float outputs within |a - b| <= tol * (1 + |b|); other types exactly.
bool close_to(const parallax::Tensor& got, const parallax::Tensor& want) {
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) return false;
  if (got.dtype() != parallax::DataType::kFloat32) return bit_equal(got, want);
  const float* a = got.data<float>();
  const float* b = want.data<float>();
  for (int64_t i = 0; i < got.numel(); ++i) {
    if (!(std::fabs(double{a[i]} - b[i]) <= kTolerance * (1.0 + std::fabs(double{b[i]})))) return false;
  }
  return true;
}

std::mutex report_mutex;
std::atomic<int> reported{0};

void report(const std::string& message) {
  if (reported.fetch_add(1) >= kMaxReportedMismatches) return;
  std::lock_guard<std::mutex> lock(report_mutex);
  std::cerr << message << '\n';
}

void worker(ModelRun& m, const std::atomic<bool>& stop) {
  while (!stop.load(std::memory_order_relaxed)) {
    auto outputs = m.session->run(m.inputs);
    m.runs.fetch_add(1);
    if (!outputs.is_ok()) {
      m.errors.fetch_add(1);
      report(m.name + ": run failed: " + outputs.status().to_string());
      continue;
    }
    // The first run that finishes is the reference of all the others.
    std::call_once(m.first_once, [&] {
      for (const parallax::Tensor& t : *outputs) m.first.push_back(t.clone());
    });
    const std::vector<parallax::Tensor>& out = *outputs;
    if (out.size() != m.first.size() || out.size() != m.expected.size()) {
      m.mismatches_first.fetch_add(1);
      report(m.name + ": " + std::to_string(out.size()) + " outputs, expected " + std::to_string(m.expected.size()));
      continue;
    }
    for (size_t i = 0; i < out.size(); ++i) {
      if (!bit_equal(out[i], m.first[i])) {
        m.mismatches_first.fetch_add(1);
        report(m.name + ": output " + std::to_string(i) + " differs from the first run's");
      }
      if (!close_to(out[i], m.expected[i])) {
        m.mismatches_expected.fetch_add(1);
        report(m.name + ": output " + std::to_string(i) + " differs from output_" + std::to_string(i) + ".pb");
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, o)) {
    std::cerr << "usage: soak [--models a,b] [--models-dir DIR] [--threads N] [--seconds S] [--session-threads N]"
                 " [--warmup S]\n";
    return 2;
  }
  // A run shorter than two warm-ups still gets a growth figure: warm up for a quarter.
  const int warmup = std::min(o.warmup, o.seconds / 4);

  std::vector<std::unique_ptr<ModelRun>> models;
  for (const std::string& name : o.models) {
    auto m = std::make_unique<ModelRun>();
    m->name = name;
    parallax::Status s = open_model(o, *m);
    if (!s.is_ok()) {
      std::cerr << "soak: " << name << ": " << s.to_string() << '\n';
      return 2;
    }
    models.push_back(std::move(m));
  }

  std::atomic<bool> stop{false};
  std::vector<double> samples;
  std::vector<double> sample_times;
  const auto start = Clock::now();
  samples.push_back(rss_mb());
  sample_times.push_back(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) threads.emplace_back(worker, std::ref(*models[t % models.size()]), std::cref(stop));

  auto total_runs = [&] {
    int64_t n = 0;
    for (const auto& m : models) n += m->runs.load();
    return n;
  };
  double baseline = -1;
  for (int next = kSampleSeconds;; next += kSampleSeconds) {
    std::this_thread::sleep_until(start + std::chrono::seconds(std::min(next, o.seconds)));
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    samples.push_back(rss_mb());
    sample_times.push_back(elapsed);
    if (baseline < 0 && elapsed >= warmup) baseline = samples.back();
    std::fprintf(stderr, "[soak] %5.0f s  rss %.1f MiB  runs %lld\n", elapsed, samples.back(),
                 static_cast<long long>(total_runs()));
    if (next >= o.seconds) break;
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  const double final_rss = samples.back();
  double max_after_warmup = 0;
  for (size_t i = 0; i < samples.size(); ++i)
    if (sample_times[i] >= warmup) max_after_warmup = std::max(max_after_warmup, samples[i]);
  const double growth = baseline > 0 ? (final_rss - baseline) / baseline : 0;
  int64_t runs = 0, errors = 0, mismatches_first = 0, mismatches_expected = 0;
  for (const auto& m : models) {
    runs += m->runs;
    errors += m->errors;
    mismatches_first += m->mismatches_first;
    mismatches_expected += m->mismatches_expected;
  }
  const bool ok = errors == 0 && mismatches_first == 0 && mismatches_expected == 0 && growth <= kMaxRssGrowth;

  std::ostringstream json;
  json.setf(std::ios::fixed);
  json.precision(1);
  json << "{\n  \"models\": {";
  for (size_t i = 0; i < models.size(); ++i) {
    const ModelRun& m = *models[i];
    json << (i ? ", " : "") << '"' << m.name << "\": {\"runs\": " << m.runs << ", \"errors\": " << m.errors
         << ", \"mismatches_first_run\": " << m.mismatches_first
         << ", \"mismatches_expected\": " << m.mismatches_expected << '}';
  }
  json << "},\n  \"threads\": " << o.threads << ",\n  \"session_threads\": " << o.session_threads
       << ",\n  \"seconds\": " << seconds << ",\n  \"runs\": " << runs << ",\n  \"runs_per_second\": "
       << runs / seconds << ",\n  \"errors\": " << errors << ",\n  \"mismatches\": "
       << mismatches_first + mismatches_expected << ",\n  \"rss_sample_seconds\": " << kSampleSeconds
       << ",\n  \"rss_mb\": [";
  for (size_t i = 0; i < samples.size(); ++i) json << (i ? ", " : "") << samples[i];
  json << "],\n  \"warmup_seconds\": " << warmup << ",\n  \"rss_baseline_mb\": " << baseline
       << ",\n  \"rss_final_mb\": " << final_rss << ",\n  \"rss_max_after_warmup_mb\": " << max_after_warmup;
  json.precision(2);
  json << ",\n  \"rss_growth_pct\": " << growth * 100 << ",\n  \"ok\": " << (ok ? "true" : "false") << "\n}\n";
  std::cout << json.str();
  return ok ? 0 : 1;
}
