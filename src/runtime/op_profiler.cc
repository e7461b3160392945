#include "runtime/op_profiler.h"

namespace parallax {

void OpProfiler::on_node_start(const Node&) { start_ = std::chrono::steady_clock::now(); }

void OpProfiler::on_node_end(const Node& node) {
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  std::string key = node.op_type;
  if (node.attrs.has("px_activation")) key += "+" + node.attrs.find("px_activation")->s;
  Entry& e = by_op_[key];
  ++e.calls;
  e.total_ms += ms;
}

}  // namespace parallax
