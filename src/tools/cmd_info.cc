// `parallax info MODEL`: inputs, outputs, opsets, op histogram, unsupported ops.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "format/onnx_loader.h"
#include "kernels/registry.h"
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

int run_info(const std::string& path) {
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
  std::printf("load: %.1f ms, peak RSS %.1f MiB\n", load_ms, static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0));
  std::cout << "nodes: " << nodes << " (including subgraphs)\nops:\n";
  for (const auto& [op, count] : histogram) std::cout << "  " << op << ": " << count << '\n';
  if (unsupported.empty()) {
    std::cout << "unsupported ops: none\n";
  } else {
    std::cout << "unsupported ops:\n";
    for (const std::string& op : unsupported) std::cout << "  " << op << '\n';
  }
  return 0;
}

}  // namespace

void add_info_command(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("info", "Describe a model: inputs, outputs, opsets, ops, unsupported ops");
  auto path = std::make_shared<std::string>();
  cmd->add_option("model", *path, "ONNX model file")->required();
  cmd->callback([=] { *exit_code = run_info(*path); });
}

}  // namespace parallax::tools
