// Accumulates compute time per op type over runs (`parallax bench --profile`).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "runtime/program.h"

namespace parallax {

class OpProfiler final : public RunObserver {
 public:
  struct Entry {
    int64_t calls = 0;
    double total_ms = 0;
  };
  void on_node(const Node& node, double ms) override;  // from any thread
  std::map<std::string, Entry> by_op() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Entry> by_op_;
};

}  // namespace parallax
