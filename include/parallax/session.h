// Session: the public entry point, in the style of ONNX Runtime's Ort::Session.
//
//   parallax::SessionOptions options;
//   options.num_threads = 2;
//   auto session = parallax::Session::open("model.onnx", options);
//   if (!session.is_ok()) { std::cerr << session.status().to_string(); return 1; }
//   for (const auto& in : (*session)->inputs()) std::cout << in.name << '\n';
//   parallax::Tensor image = parallax::Tensor::allocate(parallax::DataType::kFloat32, {1, 3, 224, 224});
//   auto outputs = (*session)->run({{"input", image}});
//   // outputs->at(0) is the first graph output, owned by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parallax/export.h"
#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax {

// How the nodes of one run are scheduled (docs/method.md).
enum class ExecutionMode : uint8_t {
  kSequential,  // one node after another, every kernel gets all threads
  kLayer,       // the paper's: layer by layer; a layer's branches run in parallel if the refinement rule says so
  kDataflow,    // a node starts as soon as its inputs exist; ready nodes by longest remaining path
};
PARALLAX_API const char* execution_mode_name(ExecutionMode mode);
// "sequential", "layer" or "dataflow".
PARALLAX_API Result<ExecutionMode> parse_execution_mode(std::string_view name);

// Packed weights shared by the sessions of one model in a process, in the
// manner of ONNX Runtime's PrepackedWeightsContainer. Give one cache to each
// session's options: kernels key what they pack by the weight's contents, so
// a second session reuses the first one's copies instead of making its own.
// Share a cache among sessions of models from one source only.
class WeightCache;
PARALLAX_API std::shared_ptr<WeightCache> make_weight_cache();

// The device a session offloads the nodes it supports to.
enum class Accelerator : uint8_t {
  kNone,    // CPU only
  kOpenCL,  // the first OpenCL GPU of any platform, else the first OpenCL device (PoCL's CPU device)
};
PARALLAX_API const char* accelerator_name(Accelerator accelerator);
// "opencl"; "none", "cpu" or empty: kNone. Any other name is an error that
// lists the known ones.
PARALLAX_API Result<Accelerator> parse_accelerator(std::string_view name);

// How values that cross between CPU and device nodes reach the device.
enum class ZeroCopy : uint8_t {
  kAuto,  // views where the device shares host memory (integrated GPUs, PoCL), copies elsewhere
  kOn,    // views on every device: correct anywhere, fast only where the driver maps host memory
  kOff,   // copies, as on a device with memory of its own: to measure or compare transfers
};

// Who runs the device's fp32 GEMMs and GEMM-shaped convolutions.
enum class GemmProvider : uint8_t {
  kAuto,        // CLBlast where the build has it (tuned per device family), else Parallax's kernels
  kClBlast,     // CLBlast; opening the session fails in a build without it
  kOwnKernels,  // Parallax's tiled GEMM and direct convolutions, to compare with CLBlast
};

struct OpenClOptions {
  ZeroCopy zero_copy = ZeroCopy::kAuto;
  // Most bytes of device buffers the session may hold at once; 0: no limit
  // but the device's. A buffer beyond it fails as a full device would (the
  // node runs on the CPU), so running out of device memory can be
  // reproduced, and tested, on any device.
  size_t memory_limit = 0;
  GemmProvider gemm = GemmProvider::kAuto;
  // Where compiled device programs are kept across processes, because some
  // drivers (PoCL, through LLVM) take hundreds of ms per program. Empty:
  // $XDG_CACHE_HOME/parallax/opencl, else ~/.cache/parallax/opencl. The
  // profiles `parallax calibrate` measures live in its profiles/ folder.
  std::filesystem::path program_cache_dir = {};  // initialised: designated initialisers may omit it
};

// The cores of this machine's biggest core type that this process may run
// on (big.LITTLE phones and boards: Linux's cpu_capacity); every allowed core
// where all are alike. For SessionOptions::cpu_cores, so that a session with
// fewer threads than cores runs on the fast ones.
PARALLAX_API std::vector<int> big_cores();

struct SessionOptions {
  int num_threads = 1;  // total threads: split between concurrent nodes and inside kernels
  // The cores this session's CPU work runs on, e.g. {0} or {2, 3}; empty:
  // wherever the OS puts it. During run() the calling thread is pinned to
  // them (its own cores come back afterwards), and so are the session's
  // worker threads and the calling thread's OpenMP team (which keeps them).
  // To split a machine between the CPU side and an accelerator that is
  // itself CPU cores (PoCL, docs/opencl.md). num_threads larger than the
  // number of cores is lowered to it. A core this process may not run on is
  // an error when the session opens.
  std::vector<int> cpu_cores;
  ExecutionMode mode = ExecutionMode::kDataflow;
  // Most activation-arena bytes a run may use. 0: the memory the OS reports
  // available (MemAvailable) less `memory_safety_margin`. A budget too small
  // for concurrency runs sequentially (RunStatistics::note says so); one too
  // small for the sequential plan fails with ResourceExhausted. It counts the
  // planned arena only: not the weights (Session::resident_weight_bytes), nor
  // tensors whose size is known only at run time (pooled apart), nor oneDNN's
  // scratch and thread stacks (docs/memory.md).
  size_t memory_budget = 0;
  double memory_safety_margin = 0.4;
  // The concurrent memory plan may be at most this many times the sequential
  // plan's arena; beyond it, buffers are shared and the schedule gives up the
  // concurrency that sharing forbids.
  double max_arena_growth = 1.10;
  // Dataflow mode times itself against sequential execution on all threads
  // and on fewer threads, per input shape, keeps the fastest, and re-decides
  // when the run times say the machine changed (another process took or left
  // a core; src/runtime/schedule_tuner.h). Off: always dataflow on all
  // threads. RunStatistics::mode, threads and note say what ran and why.
  bool adapt_schedule = true;
  bool check_memory = false;     // poison dead tensors, verify reads, check live overlaps (slow; tests)
  bool record_timeline = false;  // fill RunStatistics::timeline (for traces)
  // Offload the nodes an accelerator supports (docs/opencl.md). One that
  // cannot be opened (no device, a build without it) warns once and the
  // session runs on the CPU, so that the same program runs everywhere.
  Accelerator accelerator = Accelerator::kNone;
  // Only these op types go to the accelerator, e.g. {"Conv", "Relu"}: to
  // mimic a delegate that supports fewer ops. Empty: every op it supports.
  std::vector<std::string> accelerator_ops;
  // Which of the supported regions the accelerator gets (the Parallax
  // method's delegate pruning): "all" every supported node, as a delegate
  // takes them; "cost" the regions that pay for themselves under the device
  // profile (T_offload = L + F/R_acc + B/B_bw < T_cpu = F/R_cpu);
  // "thresholds" the paper's fixed thresholds; "auto" (default) "cost" when
  // this device has a calibrated profile (`parallax calibrate`), else "all".
  // `device_profile`: a profile JSON file; empty: the calibrated one of this
  // device, else the paper's phone constants.
  std::string offload = "auto";
  std::string device_profile;
  size_t max_tensor_bytes = size_t{16} << 30;  // refuse larger weights (hostile files)
  // Most iterations one Loop node may run in one execution; past it the run
  // fails with an error naming the node. A Loop whose trip count is absent
  // or INT64_MAX runs while its condition holds, which a hostile model can
  // make forever. 0: unlimited, as in ONNX Runtime (real while-loops, e.g. a
  // decoder's, may run long).
  uint64_t max_loop_iterations = 0;
  // On x86 CPUs without VNNI (AVX2 only, e.g. AMD Zen 3 and Intel before
  // Ice Lake), int8 kernels sum two adjacent u8 x s8 products in 16 bits,
  // which saturates when the weights go past [-64, 64] and the activations
  // are large: the result then differs from ONNX's integer arithmetic.
  // ONNX Runtime's U8S8 kernels do the same on such CPUs, and so does
  // Parallax by default. True: such weights run on exact int32 paths
  // instead, 2.5-4x slower there. No effect with VNNI or off x86.
  bool exact_int8 = false;
  bool optimize = true;  // graph cleanups and fusions before planning
  bool profile = false;  // time every op (see Session::op_profile)
  // Where kernels keep packed weights (make_weight_cache). Null: the session's own.
  std::shared_ptr<WeightCache> weight_cache;
  // Settings of the OpenCL device, with accelerator = kOpenCL.
  OpenClOptions opencl;
};

// One node's execution in a run (SessionOptions::record_timeline).
struct NodeSpan {
  std::string node;  // node name (or op type when unnamed)
  std::string op;
  int branch = -1;                  // partition branch id
  int thread = 0;                   // 0 = the calling thread, 1.. = pool workers
  int threads = 1;                  // intra-op threads the kernel was given
  double start_us = 0, end_us = 0;  // since the run started (a device node: until the device was done)
  std::string device;               // the accelerator that ran it ("opencl"); empty: the CPU
};

// What the last run did (Session::last_run_stats).
struct RunStatistics {
  ExecutionMode mode = ExecutionMode::kSequential;
  int threads = 1;  // threads the run used (adaptive dataflow may use fewer than asked)
  double wall_ms = 0;
  size_t nodes_run = 0;
  size_t arena_bytes = 0;              // planned activation arena of this run
  size_t sequential_arena_bytes = 0;   // what the sequential plan would need
  size_t lower_bound_arena_bytes = 0;  // most bytes live at one sequential step
  size_t peak_live_bytes = 0;          // measured: most arena bytes live at once during the run
  // Tensors whose size is known only at run time (a detector's boxes, a
  // loop's carried values) come from a pool apart from the arena. Most pooled
  // bytes live at once, and freed bytes kept for reuse, over all runs so far
  // (the top-level graph's pool; control-flow bodies keep their own).
  size_t pooled_peak_bytes = 0;
  size_t pooled_cached_bytes = 0;
  size_t memory_budget = 0;                              // the budget this run was planned under
  size_t arena_allocations = 0;                          // times the session's arena had to grow, all runs so far
  int max_concurrency = 1;                               // most nodes running at the same time
  std::vector<std::pair<int, int>> concurrent_branches;  // branch pairs that overlapped in time
  std::vector<double> thread_busy_ms;                    // per thread (0 = caller)
  double critical_path_ms = 0;                           // longest dependency chain of measured node times
  double bound_ms = 0;             // max(critical path, busy time / threads): no schedule beats it
  std::string note;                // e.g. why concurrency was given up
  std::vector<NodeSpan> timeline;  // with record_timeline
};

// What the accelerator did for one session (Session::accelerator_counters):
// per-run traffic summed since the session opened or its counters were last
// reset, and the weights, uploaded once when the session was opened.
struct AcceleratorCounters {
  uint64_t bytes_to_device = 0;
  uint64_t bytes_from_device = 0;
  uint64_t transfers_to_device = 0;    // buffer writes
  uint64_t transfers_from_device = 0;  // buffer reads
  uint64_t host_views = 0;             // values handed over without a copy (views of host memory)
  uint64_t host_view_bytes = 0;
  uint64_t dispatches = 0;     // device kernels enqueued
  uint64_t nodes = 0;          // node executions on the device
  uint64_t cpu_fallbacks = 0;  // executions of a device node that ran its CPU kernel instead
  uint64_t weight_bytes = 0;   // constant inputs uploaded at kernel creation
  uint64_t weight_transfers = 0;
  uint64_t device_bytes = 0;  // device memory the session holds now (weights, buffers, free pool), not a flow
};
// What happened between two readings (after - before; device_bytes: after's).
PARALLAX_API AcceleratorCounters operator-(const AcceleratorCounters& after, const AcceleratorCounters& before);

// Time spent per op type over all runs so far (with SessionOptions::profile).
struct OpProfileEntry {
  std::string op;
  int64_t calls = 0;
  double total_ms = 0;
};

// A graph input or output as declared by the model. Unknown or symbolic
// dims are -1, with the symbol's name (if any) in `symbols`.
struct TensorInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;
  DataType element_type = DataType::kUndefined;  // dtype kSequence: its tensors' type, when declared
  bool optional = false;                         // declared optional(...): may be given or return Tensor::none()
  bool has_shape = false;
  std::vector<int64_t> shape;
  std::vector<std::string> symbols;
};

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

struct ModelInfo {
  int64_t ir_version = 0;
  std::string producer;
  std::vector<std::pair<std::string, int>> opsets;  // (domain, version)
  size_t num_nodes = 0;
  size_t weight_bytes = 0;  // initializer bytes as the model stores them
  double open_ms = 0;       // Session::open, file to ready: load, optimize, compile
  std::string offload;      // with an accelerator: the regions it got and why
};

class PARALLAX_API Session {
 public:
  static Result<std::unique_ptr<Session>> open(const std::filesystem::path& model_path,
                                               const SessionOptions& options = {});
  static Result<std::unique_ptr<Session>> open_from_bytes(std::string_view model_bytes,
                                                          const SessionOptions& options = {});
  ~Session();

  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  const ModelInfo& model_info() const;

  // Runs the model. Every graph input must be given by name; returns all
  // graph outputs in declared order (or those named in `output_names`).
  // open and run report every failure as a Status; nothing they call throws
  // past them (out of memory is ResourceExhausted).
  Result<std::vector<Tensor>> run(const std::vector<NamedTensor>& inputs,
                                  const std::vector<std::string>& output_names = {});

  // Weight bytes the session keeps now: initializers the graph still holds
  // plus the kernels' packed copies (which replace the originals they hold;
  // packing happens on a shape's first run). A weight cache shared with other
  // sessions counts whole here. Call between runs.
  size_t resident_weight_bytes() const;
  // Bytes of the activation arena planned for the last run's input shapes.
  size_t last_arena_bytes() const;
  // What the last run did. Read it from the thread that ran, while no other thread runs this session.
  const RunStatistics& last_run_stats() const;
  std::vector<OpProfileEntry> op_profile() const;

  // The accelerator this session's device nodes run on: kNone when none was
  // asked for or the one asked for could not be opened.
  Accelerator accelerator() const;
  // Counts of this session's own device work: other sessions, even on the
  // same device, count apart. All zero without an accelerator. Read between runs.
  AcceleratorCounters accelerator_counters() const;
  // Zeroes the per-run counters, e.g. after warm-up runs; the weights,
  // uploaded when the session opened, stay counted.
  void reset_accelerator_counters();

 private:
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<Session>> open_impl(const std::filesystem::path& model_path,
                                                    const SessionOptions& options);
  static Result<std::unique_ptr<Session>> open_from_bytes_impl(std::string_view model_bytes,
                                                               const SessionOptions& options);
  Result<std::vector<Tensor>> run_impl(const std::vector<NamedTensor>& inputs,
                                       const std::vector<std::string>& output_names);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parallax
