// `parallax info MODEL`: inputs, outputs, opsets, op histogram, unsupported
// ops; then, unless --no-session, what a session of it costs: open time,
// weight bytes resident after packing, and for one run on random inputs the
// first-run time, the arena and the process's peak RSS.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "format/onnx_loader.h"
#include "kernels/registry.h"
#include "core/status_macros.h"
#include "parallax/session.h"
#include "tools/commands.h"
#include "tools/tool_util.h"

namespace parallax::tools {

namespace {

std::string dims_text(const Value& v) {
  if (!v.declared_shape) return "?";
  std::string s = "[";
  for (size_t i = 0; i < v.declared_shape->size(); ++i) {
    const Dim& d = (*v.declared_shape)[i];
    s += (i ? "," : "") + (d.known() ? std::to_string(d.value) : d.symbol.empty() ? "?" : d.symbol);
  }
  return s + "]";
}

void walk(const Graph& g, std::map<std::string, int>& histogram, std::set<std::string>& unsupported, size_t& nodes) {
  for (const Node& n : g.nodes) {
    ++nodes;
    std::string key = n.domain.empty() ? n.op_type : n.domain + "." + n.op_type;
    ++histogram[key];
    if (!KernelRegistry::global().find(n.domain, n.op_type, n.opset))
      unsupported.insert(key + " (opset " + std::to_string(n.opset) + ")");
    for (const auto& [name, attr] : n.attrs.all())
      if (attr.kind == Attribute::Kind::kGraph && attr.g) walk(*attr.g, histogram, unsupported, nodes);
  }
}

double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// What a session of the model costs, with default options (what `parallax
// run` does): two lines, or the error that stopped it. Run before the file
// is described, so that the peak RSS is the session's alone.
Result<std::string> session_costs(const std::string& path, const std::vector<std::string>& shapes) {
  PX_ASSIGN_OR_RETURN(auto session, Session::open(path, SessionOptions{}));
  PX_ASSIGN_OR_RETURN(auto inputs, make_random_inputs(*session, shapes, 0));
  const auto t0 = std::chrono::steady_clock::now();
  PX_RETURN_IF_ERROR(session->run(inputs).status());
  const double first_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  char text[512];
  std::snprintf(text, sizeof text,
                "session: open %.1f ms; weights %.1f MiB in the model, %.1f MiB resident after packing\n"
                "first run (random inputs): %.1f ms; arena %.1f MiB; peak RSS %.1f MiB\n",
                session->model_info().open_ms, mib(session->model_info().weight_bytes),
                mib(session->resident_weight_bytes()), first_ms, mib(session->last_arena_bytes()),
                mib(peak_rss_bytes()));
  return std::string(text);
}

int run_info(const std::string& path, bool with_session, const std::vector<std::string>& shapes) {
  Result<std::string> costs = std::string();
  if (with_session) costs = session_costs(path, shapes);
  const auto start = std::chrono::steady_clock::now();
  auto model = load_model(path, {});
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!model.is_ok()) {
    std::cerr << "error: " << model.status().to_string() << '\n';
    return 1;
  }
  const Model& m = **model;
  const Graph& g = *m.graph;
  std::cout << "model: " << path << "\n";
  std::cout << "ir_version: " << m.ir_version << ", producer: " << m.producer_name << ' ' << m.producer_version << '\n';
  std::cout << "opsets:";
  for (const auto& [domain, version] : m.opsets) std::cout << ' ' << (domain.empty() ? "ai.onnx" : domain) << '=' << version;
  std::cout << "\ninputs:\n";
  for (ValueId id : g.inputs) {
    const Value& v = g.value(id);
    std::cout << "  " << v.name << ": " << data_type_name(v.dtype) << ' ' << dims_text(v) << '\n';
  }
  std::cout << "outputs:\n";
  for (ValueId id : g.outputs) {
    const Value& v = g.value(id);
    std::cout << "  " << v.name << ": " << data_type_name(v.dtype) << ' ' << dims_text(v) << '\n';
  }
  size_t weights = 0, weight_bytes = 0;
  for (const Value& v : g.values)
    if (v.initializer) {
      ++weights;
      weight_bytes += v.initializer->nbytes();
    }
  std::map<std::string, int> histogram;
  std::set<std::string> unsupported;
  size_t nodes = 0;
  walk(g, histogram, unsupported, nodes);
  std::cout << "initializers: " << weights << " (" << weight_bytes << " bytes)\n";
  std::printf("load: %.1f ms", load_ms);
  if (!with_session) std::printf(", peak RSS %.1f MiB", mib(peak_rss_bytes()));
  std::printf("\n");
  std::cout << "nodes: " << nodes << " (including subgraphs)\nops:\n";
  for (const auto& [op, count] : histogram) std::cout << "  " << op << ": " << count << '\n';
  if (unsupported.empty()) {
    std::cout << "unsupported ops: none\n";
  } else {
    std::cout << "unsupported ops:\n";
    for (const std::string& op : unsupported) std::cout << "  " << op << '\n';
  }
  if (!costs.is_ok() && !unsupported.empty()) {
    std::cout << "session: not opened (unsupported ops above)\n";
    return 0;
  }
  if (!costs.is_ok()) {
    std::cout.flush();
    std::cerr << "error: " << costs.status().to_string() << '\n';
    return 1;
  }
  std::cout << *costs;
  return 0;
}

}  // namespace

void add_info_command(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("info", "Describe a model: inputs, outputs, opsets, ops, unsupported ops, and what a session of it costs");
  auto path = std::make_shared<std::string>();
  auto no_session = std::make_shared<bool>(false);
  auto shapes = std::make_shared<std::vector<std::string>>();
  cmd->add_option("model", *path, "ONNX model file")->required();
  cmd->add_flag("--no-session", *no_session, "describe the file only: no session, no run");
  cmd->add_option("--shape", *shapes, "symbolic input dims for the run, name=1x3x640x640 (default 1)");
  cmd->callback([=] { *exit_code = run_info(*path, !*no_session, *shapes); });
}

}  // namespace parallax::tools
