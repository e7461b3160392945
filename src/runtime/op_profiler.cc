#include "runtime/op_profiler.h"

namespace parallax {

void OpProfiler::on_node(const Node& node, double ms) {
  std::string key = node.op_type;
  if (node.attrs.has("px_residual")) key += "+Residual";
  if (node.attrs.has("px_activation")) key += "+" + node.attrs.find("px_activation")->s;
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& e = by_op_[key];
  ++e.calls;
  e.total_ms += ms;
}

std::map<std::string, OpProfiler::Entry> OpProfiler::by_op() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return by_op_;
}

}  // namespace parallax
