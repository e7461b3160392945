// Watches the arena while a run executes, possibly in parallel:
//  - live-byte accounting: which arena values are live (written, not yet read
//    by all their readers) and the most bytes live at once (measured peak);
//  - with `verify`: an output may not overlap any live value's bytes (a plan
//    that lets concurrent steps share memory fails here, whatever the
//    timing), every value's bytes are checksummed when written and checked
//    before each read, and a dead value's bytes are poisoned (0xFF: NaN for
//    floats) so a reader that came too late sees garbage, not stale data.
// Calls for one step come from the thread running it; the checker locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "graph/graph.h"
#include "parallax/status.h"
#include "parallax/tensor.h"
#include "plan/execution_plan.h"

namespace parallax {

class MemoryChecker {
 public:
  MemoryChecker(const Graph& graph, const ExecutionPlan& plan, std::byte* arena, bool verify);

  // Starts a run: nothing live, every reader to come. Keeps its buffers.
  void reset();
  void set_arena(std::byte* arena) { arena_ = arena; }
  Status before_step(uint32_t position, const std::vector<Tensor>& slots);
  void after_step(uint32_t position, const std::vector<Tensor>& slots);
  size_t peak_live_bytes() const { return peak_; }

 private:
  struct Live {
    size_t offset, size;
    uint32_t value;
  };
  bool in_arena(ValueId v) const;
  // The value that owns v's bytes: v itself, or the owner of a view.
  ValueId owner(ValueId v) const;
  size_t size_of(uint32_t v) const;
  void retire(uint32_t v);
  const Node& node_at(uint32_t position) const;

  const Graph& graph_;
  const ExecutionPlan& plan_;
  std::byte* arena_;
  bool verify_;
  std::mutex mutex_;
  std::vector<Live> live_;
  std::vector<uint32_t> remaining_;  // readers still to come, per value
  std::vector<uint64_t> checksum_;
  size_t live_bytes_ = 0, peak_ = 0;
};

}  // namespace parallax
