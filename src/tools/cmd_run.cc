// `parallax run MODEL`: runs a model once on inputs from a test-data folder
// (input_<i>.pb) or on random inputs, and writes output_<i>.pb files.
// --mode / --memory-budget choose the schedule, --verbose prints the run's
// statistics and --trace writes its timeline as Perfetto JSON.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>

#include "format/tensor_proto.h"
#include "parallax/session.h"
#include "tools/commands.h"
#include "tools/tool_util.h"

namespace parallax::tools {

namespace {

struct RunArgs {
  std::string model, inputs_dir, outputs_dir;
  std::vector<std::string> shapes;
  bool random_inputs = false;
  int threads = 1;
  uint32_t seed = 0;
  ScheduleFlags schedule;
};

int run_run(const RunArgs& args) {
  if (args.inputs_dir.empty() == !args.random_inputs) {
    std::cerr << "error: give exactly one of --inputs DIR and --random-inputs\n";
    return 2;
  }
  SessionOptions options;
  options.num_threads = args.threads;
  if (Status s = apply_schedule_flags(args.schedule, options); !s.is_ok()) {
    std::cerr << "error: " << s.to_string() << '\n';
    return 1;
  }
  auto session = Session::open(args.model, options);
  if (!session.is_ok()) {
    std::cerr << "error: " << session.status().to_string() << '\n';
    return 1;
  }
  auto inputs = args.random_inputs ? make_random_inputs(**session, args.shapes, args.seed)
                                   : read_input_dir(**session, args.inputs_dir);
  if (!inputs.is_ok()) {
    std::cerr << "error: " << inputs.status().to_string() << '\n';
    return 1;
  }
  for (const NamedTensor& in : *inputs)
    std::cout << "input  " << in.name << ": " << data_type_name(in.tensor.dtype()) << ' '
              << shape_to_string(in.tensor.shape()) << '\n';
  auto start = std::chrono::steady_clock::now();
  auto outputs = (*session)->run(*inputs);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!outputs.is_ok()) {
    std::cerr << "error: " << outputs.status().to_string() << '\n';
    return 1;
  }
  if (!args.outputs_dir.empty()) std::filesystem::create_directories(args.outputs_dir);
  for (size_t i = 0; i < outputs->size(); ++i) {
    const Tensor& t = (*outputs)[i];
    const std::string& name = (*session)->outputs()[i].name;
    std::cout << "output " << name << ": ";
    if (t.is_none())
      std::cout << "an empty optional";
    else if (t.is_sequence())
      std::cout << "sequence of " << data_type_name(t.element_type());
    else
      std::cout << data_type_name(t.dtype()) << ' ' << shape_to_string(t.shape());
    std::cout << "  " << summarize(t) << '\n';
    if (!args.outputs_dir.empty()) {
      auto path = std::filesystem::path(args.outputs_dir) / ("output_" + std::to_string(i) + ".pb");
      Status s = write_tensor_file(path, t, name);
      if (!s.is_ok()) {
        std::cerr << "error: " << s.to_string() << '\n';
        return 1;
      }
    }
  }
  std::cout << "ran in " << ms << " ms (first run, includes planning), threads " << args.threads << ", mode "
            << execution_mode_name(options.mode) << ", arena " << (*session)->last_arena_bytes() << " bytes\n";
  if (!(*session)->model_info().offload.empty()) std::cout << "offload: " << (*session)->model_info().offload << '\n';
  std::cout << accelerator_summary(**session, 1);
  const RunStatistics& stats = (*session)->last_run_stats();
  if (args.schedule.verbose) std::cout << describe_run_stats(stats, ms);
  if (!args.schedule.trace.empty()) {
    Status s = write_trace(args.schedule.trace, {TracedRun{stats, 0, ms}});
    if (!s.is_ok()) {
      std::cerr << "error: " << s.to_string() << '\n';
      return 1;
    }
  }
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("run", "Run a model once and write its outputs");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("--inputs", args->inputs_dir, "folder with input_<i>.pb TensorProto files");
  cmd->add_option("--outputs", args->outputs_dir, "folder to write output_<i>.pb files to");
  cmd->add_flag("--random-inputs", args->random_inputs, "feed random inputs of the declared shapes");
  cmd->add_option("--shape", args->shapes, "NAME=D0xD1x... for inputs with symbolic dims (random inputs)");
  cmd->add_option("--seed", args->seed, "seed for --random-inputs");
  cmd->add_option("--threads", args->threads, "threads, split between concurrent nodes and inside kernels")
      ->check(CLI::Range(1, 1024));
  add_schedule_flags(*cmd, args->schedule);
  cmd->callback([=] { *exit_code = run_run(*args); });
}

}  // namespace parallax::tools
