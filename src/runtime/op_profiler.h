// Accumulates compute time per op type over runs (`parallax bench --profile`).
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "runtime/program.h"

namespace parallax {

class OpProfiler final : public RunObserver {
 public:
  struct Entry {
    int64_t calls = 0;
    double total_ms = 0;
  };
  void on_node_start(const Node& node) override;
  void on_node_end(const Node& node) override;
  const std::map<std::string, Entry>& by_op() const { return by_op_; }
  void reset() { by_op_.clear(); }

 private:
  std::chrono::steady_clock::time_point start_;
  std::map<std::string, Entry> by_op_;
};

}  // namespace parallax
