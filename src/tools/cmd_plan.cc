// `parallax plan MODEL`: the Branch-Layer partition of a model (the paper's
// Table 7 figures, work, critical path and the latency bound on T threads),
// as text, JSON, Graphviz DOT or a self-contained HTML page. Shapes come
// from a plan for declared-shape inputs (symbolic dims 1, or --shape
// NAME=1x3x224x224); no kernel runs.
//
//   parallax plan model.onnx --threads 4
//   parallax plan model.onnx --accelerator-ops Conv,Relu,Add --format dot > plan.dot
//   parallax plan model.onnx --accelerator opencl [--accelerator-ops FILE] [--device-profile p.json]
//   parallax plan model.onnx --threads 4 --format html > plan.html
//   parallax plan model.onnx --memory --format html > memory.html
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "backends/backend.h"
#include "backends/backend_capability.h"
#include "core/status_macros.h"
#include "format/onnx_loader.h"
#include "graph/passes/passes.h"
#include "partition/branches.h"
#include "partition/plan_html.h"
#include "partition/plan_print.h"
#include "partition/region_summary.h"
#include "plan/plan_text.h"
#include "runtime/compiled_model.h"
#include "tools/accelerator_flags.h"
#include "tools/commands.h"
#include "tools/memory_html.h"
#include "tools/op_list.h"

namespace parallax::tools {

namespace {

struct PlanArgs {
  std::string model, format = "text", accelerator, accelerator_ops, profile_path, rule = "auto";
  std::vector<std::string> shapes;
  int threads = 1;
  double beta = 1.5;
  int64_t min_branch_ops = 3;
  bool no_optimize = false;
  bool memory = false;
  bool steps = false;
  OpenClFlags opencl;  // only the cache folder matters: the calibrated profile is there
};

Result<std::map<std::string, Shape>> parse_shapes(const std::vector<std::string>& specs) {
  std::map<std::string, Shape> out;
  for (const std::string& s : specs) {
    auto eq = s.find('=');
    if (eq == std::string::npos) return error(StatusCode::kInvalidArgument, "--shape '", s, "' is not NAME=D0xD1x...");
    Shape shape;
    std::stringstream dims(s.substr(eq + 1));
    for (std::string d; std::getline(dims, d, 'x');) {
      char* end = nullptr;
      long long v = std::strtoll(d.c_str(), &end, 10);
      if (d.empty() || *end != '\0' || v < 0)
        return error(StatusCode::kInvalidArgument, "--shape '", s, "' has a bad dimension '", d, "'");
      shape.push_back(v);
    }
    out[s.substr(0, eq)] = shape;
  }
  return out;
}

// Zero-filled tensors with the declared shapes; only their shapes matter.
Result<std::vector<Tensor>> declared_inputs(const Graph& g, const std::vector<std::string>& specs) {
  PX_ASSIGN_OR_RETURN(auto given, parse_shapes(specs));
  std::vector<Tensor> inputs;
  for (ValueId id : g.inputs) {
    const Value& v = g.value(id);
    Shape shape;
    if (auto it = given.find(v.name); it != given.end()) {
      shape = it->second;
      given.erase(it);
    } else if (v.declared_shape) {
      for (const Dim& d : *v.declared_shape) shape.push_back(d.known() ? d.value : 1);
    } else {
      return error(StatusCode::kInvalidArgument, "input '", v.name, "' declares no shape; pass --shape ", v.name,
                   "=D0xD1x...");
    }
    // Checked: a hostile declared shape whose element count overflows must
    // not size the buffer.
    Result<Tensor> t = Tensor::create(v.dtype, shape);
    if (!t.is_ok()) return t.status().with_context("input '" + v.name + "'");
    inputs.push_back(std::move(t).value());
  }
  if (!given.empty()) return error(StatusCode::kNotFound, "--shape names '", given.begin()->first, "', not an input");
  return inputs;
}

// Without a real backend, --accelerator-ops alone describes a fake
// accelerator that supports exactly these ops.
Capability capability_for(const std::set<std::string>& ops) {
  if (ops.empty()) return {};
  // Channels-last internal ops (com.parallax NhwcConv, ...) count as their ONNX op.
  return [ops](const Node& n) {
    if (ops.count(n.op_type)) return true;
    return n.domain == "com.parallax" && n.op_type.rfind("Nhwc", 0) == 0 && ops.count(n.op_type.substr(4)) > 0;
  };
}

// The settings `run` would be given: a plan compiles the model as a session
// with them does (runtime/compiled_model.h).
Result<SessionOptions> session_options(const PlanArgs& a, ExecutionMode mode = ExecutionMode::kDataflow) {
  SessionOptions o;
  o.num_threads = a.threads;
  o.mode = mode;
  o.optimize = !a.no_optimize;
  auto accelerator = parse_accelerator(a.accelerator);
  if (!accelerator.is_ok()) return accelerator.status().with_context("--accelerator");
  o.accelerator = *accelerator;
  if (o.accelerator != Accelerator::kNone) {
    if (!a.accelerator_ops.empty()) {
      PX_ASSIGN_OR_RETURN(std::set<std::string> ops, parse_op_list(a.accelerator_ops));
      o.accelerator_ops.assign(ops.begin(), ops.end());
    }
    PX_ASSIGN_OR_RETURN(o.opencl, opencl_options(a.opencl));
    o.offload = a.rule == "always" ? "all" : a.rule;
    o.device_profile = a.profile_path;
  }
  return o;
}

Result<CompiledModel> compile_for_plan(const PlanArgs& a, ExecutionMode mode = ExecutionMode::kDataflow) {
  PX_ASSIGN_OR_RETURN(SessionOptions options, session_options(a, mode));
  PX_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, load_model(a.model, {}));
  return compile_model(std::move(model), options);
}

// What the printed plan says of the accelerator.
struct PlanAccelerator {
  std::string backend;  // "opencl", "fake (--accelerator-ops)" or empty
  std::set<std::string> ops;  // the fake accelerator's ops
  DeviceProfile profile;
  std::string profile_source;  // "--device-profile FILE", "calibrated FILE" or "paper default"
  std::string rule;            // as the session resolved it
};

// The profile a session with these settings judges regions by
// (SessionOptions::device_profile): the given file, else the calibrated one.
Result<PlanAccelerator> describe_accelerator(const PlanArgs& a, const CompiledModel& cm) {
  PlanAccelerator acc;
  acc.profile_source = "paper default";
  if (cm.accelerator) {
    acc.backend = accelerator_name(cm.accelerator_kind);
  } else if (auto asked = parse_accelerator(a.accelerator);
             asked.is_ok() && *asked == Accelerator::kNone && !a.accelerator_ops.empty()) {
    acc.backend = "fake (--accelerator-ops)";
    PX_ASSIGN_OR_RETURN(acc.ops, parse_op_list(a.accelerator_ops));
  } else {
    return acc;
  }
  if (!a.profile_path.empty()) {
    PX_ASSIGN_OR_RETURN(acc.profile, load_device_profile(a.profile_path));
    acc.profile_source = "--device-profile " + a.profile_path;
  } else if (cm.accelerator) {
    std::error_code ec;
    if (const auto path = cm.accelerator->calibrated_profile_path(); !path.empty() && std::filesystem::exists(path, ec))
      if (auto profile = load_device_profile(path); profile.is_ok()) {
        acc.profile = *profile;
        acc.profile_source = "calibrated " + path.string();
      }
  }
  // "auto" decides as run does: the cost model when a profile was given or
  // calibrated, else every region.
  acc.rule = a.rule == "all" ? "always" : a.rule;
  if (acc.rule == "auto") acc.rule = acc.profile_source == "paper default" ? "always" : "cost";
  return acc;
}

OffloadRule offload_rule(const std::string& rule) {
  return rule == "thresholds" ? OffloadRule::kFixedThresholds
         : rule == "always"   ? OffloadRule::kAlways
                              : OffloadRule::kCostModel;
}

// The partition a run with these settings executes: the compiled model's own
// (Program::partition_for), with the device regions its nodes were placed by.
// Two cases are what-ifs that no run executes, computed from the same work:
// a fake accelerator (--accelerator-ops alone) and --beta or
// --min-branch-ops other than the runtime's.
Result<Partition> make_partition(const PlanArgs& a, const PlanAccelerator& acc, CompiledModel& cm,
                                 std::vector<NodeWork>& work) {
  PX_ASSIGN_OR_RETURN(std::vector<Tensor> inputs, declared_inputs(*cm.model->graph, a.shapes));
  PX_ASSIGN_OR_RETURN(PlannedPartition planned, cm.program->partition_for(inputs, {}));
  work = std::move(planned.work);
  const PartitionOptions runtime;
  const bool fake = !cm.accelerator && !acc.backend.empty();
  if (!fake && a.beta == runtime.beta && a.min_branch_ops == runtime.min_branch_ops) return planned.partition;
  PartitionOptions opts;
  opts.threads = a.threads;
  opts.beta = a.beta;
  opts.min_branch_ops = a.min_branch_ops;
  if (fake) {
    opts.accelerator.supported = capability_for(acc.ops);
    opts.accelerator.profile = acc.profile;
    opts.accelerator.rule = offload_rule(acc.rule);
  } else {
    opts.regions = cm.program->placement();
  }
  return partition(*cm.model->graph, work, opts);
}

// The plans behind the memory table, kept for the HTML page.
struct MemoryPlans {
  std::shared_ptr<Graph> graph;
  std::shared_ptr<const ExecutionPlan> dataflow, sequential;
};

// The paper's Table 5 for one model: arena bytes of each memory plan. The
// concurrent plans are made for at least 2 threads (one thread has nothing
// to run concurrently). `plans` (optional) gets the graph, the dataflow plan
// and a sequential plan of the same shapes.
Result<nlohmann::json> memory_table(const PlanArgs& a, MemoryPlans* plans = nullptr) {
  PlanArgs at_least_two = a;
  at_least_two.threads = std::max(a.threads, 2);
  nlohmann::json j = {{"model", a.model}, {"threads", at_least_two.threads}};
  for (ExecutionMode mode : {ExecutionMode::kDataflow, ExecutionMode::kLayer, ExecutionMode::kSequential}) {
    if (mode == ExecutionMode::kSequential && !plans) break;
    PX_ASSIGN_OR_RETURN(CompiledModel cm, compile_for_plan(at_least_two, mode));
    if (plans && mode == ExecutionMode::kDataflow) plans->graph = cm.model->graph;
    PX_ASSIGN_OR_RETURN(std::vector<Tensor> inputs, declared_inputs(*cm.model->graph, a.shapes));
    PX_ASSIGN_OR_RETURN(std::shared_ptr<const ExecutionPlan> ep, cm.program->execution_plan_for(inputs, {}));
    if (plans && mode == ExecutionMode::kDataflow) plans->dataflow = ep;
    if (mode == ExecutionMode::kSequential) {
      plans->sequential = ep;
      break;
    }
    j["naive_bytes"] = ep->naive_bytes;
    j["sequential_bytes"] = ep->sequential_arena_bytes;
    j["paper_branch_arenas_bytes"] = ep->paper_arena_bytes;
    j["lower_bound_bytes"] = ep->lower_bound_bytes;
    j[std::string(execution_mode_name(mode))] = {{"arena_bytes", ep->arena_bytes},
                                                 {"schedule_edges", ep->schedule_edges},
                                                 {"memory_orders", ep->memory_orders},
                                                 {"data_edges", ep->data_edges},
                                                 {"note", ep->note}};
  }
  return j;
}

void print_memory_table(const nlohmann::json& j) {
  auto mib = [](const nlohmann::json& v) { return static_cast<double>(v.get<size_t>()) / (1024.0 * 1024.0); };
  const double seq = static_cast<double>(j["sequential_bytes"].get<size_t>());
  const double lb = static_cast<double>(j["lower_bound_bytes"].get<size_t>());
  std::printf("%s: arena MiB at %d threads (ratio to the sequential plan)\n", j["model"].get<std::string>().c_str(),
              j["threads"].get<int>());
  auto row = [&](const char* name, const nlohmann::json& v) {
    std::printf("  %-34s %9.2f  %5.2fx\n", name, mib(v), static_cast<double>(v.get<size_t>()) / seq);
  };
  row("naive (one buffer per tensor)", j["naive_bytes"]);
  row("sequential greedy by size", j["sequential_bytes"]);
  row("paper: per-branch arenas", j["paper_branch_arenas_bytes"]);
  row("parallax: dataflow schedule", j["dataflow"]["arena_bytes"]);
  row("parallax: layer schedule", j["layer"]["arena_bytes"]);
  row("lower bound (most bytes live)", j["lower_bound_bytes"]);
  std::printf("  sequential / lower bound: %.3f\n", lb > 0 ? seq / lb : 1.0);
  for (const char* mode : {"dataflow", "layer"}) {
    const auto& m = j[mode];
    std::printf("  %s: %zu data edges, %zu schedule orders added, %zu buffer pairs share bytes by an order%s%s\n",
                mode, m["data_edges"].get<size_t>(), m["schedule_edges"].get<size_t>(),
                m["memory_orders"].get<size_t>(), m["note"].get<std::string>().empty() ? "" : "; ",
                m["note"].get<std::string>().c_str());
  }
}

// The execution plan a run with these settings builds: every step, what it
// waits for and where its outputs live.
Result<std::string> describe_steps(const PlanArgs& a) {
  PX_ASSIGN_OR_RETURN(CompiledModel cm, compile_for_plan(a));
  PX_ASSIGN_OR_RETURN(std::vector<Tensor> inputs, declared_inputs(*cm.model->graph, a.shapes));
  PX_ASSIGN_OR_RETURN(std::shared_ptr<const ExecutionPlan> ep, cm.program->execution_plan_for(inputs, {}));
  return describe_execution_plan(*cm.model->graph, *ep);
}

int run_plan(const PlanArgs& a) {
  if (a.steps) {
    auto text = describe_steps(a);
    if (!text.is_ok()) {
      std::cerr << "error: " << text.status().to_string() << '\n';
      return 1;
    }
    std::cout << *text;
    return 0;
  }
  if (a.memory) {
    MemoryPlans plans;
    auto j = memory_table(a, a.format == "html" ? &plans : nullptr);
    if (!j.is_ok()) {
      std::cerr << "error: " << j.status().to_string() << '\n';
      return 1;
    }
    if (a.format == "json") std::cout << j->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    else if (a.format == "html")
      std::cout << memory_html(*plans.graph, {{"dataflow", *plans.dataflow}, {"sequential", *plans.sequential}}, *j);
    else print_memory_table(*j);
    return 0;
  }
  auto cm = compile_for_plan(a);
  if (!cm.is_ok()) {
    std::cerr << "error: " << cm.status().to_string() << '\n';
    return 1;
  }
  auto acc = describe_accelerator(a, *cm);
  if (!acc.is_ok()) {
    std::cerr << "error: " << acc.status().to_string() << '\n';
    return 1;
  }
  std::vector<NodeWork> work;
  auto p = make_partition(a, *acc, *cm, work);
  if (!p.is_ok()) {
    std::cerr << "error: " << p.status().to_string() << '\n';
    return 1;
  }
  const std::shared_ptr<Graph> graph = cm->model->graph;
  const RegionSummary summary = summarize_regions(*p);
  // Model strings need not be valid UTF-8: replace bad bytes rather than throw.
  if (a.format == "json") {
    nlohmann::json j = plan_json(*graph, *p);
    if (!acc->backend.empty()) {
      j["accelerator"] = region_summary_json(summary);
      j["accelerator"]["backend"] = acc->backend;
      j["accelerator"]["profile"] = acc->profile.name;
      j["accelerator"]["profile_source"] = acc->profile_source;
      j["accelerator"]["rule"] = acc->rule;
    }
    std::cout << j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else if (a.format == "html") {
    std::cout << plan_html(*graph, *p, work, {.title = a.model, .beta = a.beta, .min_branch_ops = a.min_branch_ops});
  } else if (a.format == "dot") {
    std::cout << plan_dot(*graph, *p);
  } else {
    std::cout << a.model << ": " << plan_text(*graph, *p);
    if (!acc->backend.empty())
      std::cout << "accelerator " << acc->backend << ", profile '" << acc->profile.name << "' (" << acc->profile_source
                << "), rule " << acc->rule << ":\n"
                << region_summary_text(summary);
  }
  return 0;
}

}  // namespace

void add_plan_command(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("plan", "Partition a model into branches and layers and print the plan");
  auto args = std::make_shared<PlanArgs>();
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("--threads", args->threads, "threads T for the bound max(critical path, work / T)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--shape", args->shapes, "NAME=D0xD1x... for inputs with symbolic dims (default 1)");
  cmd->add_option("--accelerator", args->accelerator,
                  "candidates are the nodes this backend supports: opencl (a warning and no regions when this "
                  "machine has none)");
  cmd->add_option("--accelerator-ops", args->accelerator_ops,
                  "only these ops (Conv,Relu,... or a file of op names); alone: a fake accelerator that supports "
                  "exactly them");
  cmd->add_option("--device-profile", args->profile_path,
                  "JSON device profile for the offload cost model (default with --accelerator: the one `parallax "
                  "calibrate` wrote for the device, else the paper's)");
  cmd->add_option("--opencl-cache", args->opencl.cache_dir,
                  "OpenCL program cache folder, where `parallax calibrate` keeps device profiles (default: "
                  "$XDG_CACHE_HOME/parallax/opencl or ~/.cache/parallax/opencl) [PARALLAX_OPENCL_CACHE]");
  cmd->add_option("--offload-rule,--offload", args->rule,
                  "which candidate regions are offloaded: auto (default, as run: cost with a given or calibrated "
                  "profile, else always), cost (model), thresholds (paper's fixed), always (or all)")
      ->check(CLI::IsMember({"cost", "thresholds", "always", "all", "auto"}));
  cmd->add_option("--beta", args->beta, "refinement: a parallel layer needs F_max / F_min <= beta")
      ->check(CLI::Range(1.0, 1e9));
  cmd->add_option("--min-branch-ops", args->min_branch_ops, "refinement: a parallel layer needs branches of >= N ops")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  cmd->add_option("--format", args->format, "text, json, dot or html (one self-contained page)")
      ->check(CLI::IsMember({"text", "json", "dot", "html"}));
  cmd->add_flag("--no-optimize", args->no_optimize, "partition the graph as loaded, without graph passes");
  cmd->add_flag("--steps", args->steps,
                "print the execution plan a run builds at --threads: each step, the steps it waits for, where its "
                "outputs live");
  cmd->add_flag("--memory", args->memory,
                "arena bytes of each memory plan: naive, sequential, per-branch, concurrent, lower bound "
                "(--format html: the dataflow and sequential arenas drawn over time)");
  cmd->callback([=] { *exit_code = run_plan(*args); });
}

}  // namespace parallax::tools
