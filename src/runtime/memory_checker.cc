#include "runtime/memory_checker.h"

#include <cstring>

namespace parallax {

namespace {

uint64_t fnv1a(const std::byte* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<uint64_t>(p[i])) * 1099511628211ull;
  return h;
}

}  // namespace

MemoryChecker::MemoryChecker(const Graph& graph, const ExecutionPlan& plan, std::byte* arena, bool verify)
    : graph_(graph), plan_(plan), arena_(arena), verify_(verify) {
  reset();
}

void MemoryChecker::reset() {
  remaining_.assign(plan_.readers.begin(), plan_.readers.end());
  if (verify_) checksum_.assign(graph_.values.size(), 0);
  live_.clear();
  live_bytes_ = peak_ = 0;
}

const Node& MemoryChecker::node_at(uint32_t position) const {
  return graph_.node(plan_.shapes->steps[plan_.order[position]].node);
}

bool MemoryChecker::in_arena(ValueId v) const {
  return v.valid() && plan_.shapes->values[v.index()].storage == Storage::kArena;
}

ValueId MemoryChecker::owner(ValueId v) const {
  if (!v.valid()) return v;
  const ValuePlan& vp = plan_.shapes->values[v.index()];
  return vp.storage == Storage::kArenaView ? vp.view_of : v;
}

size_t MemoryChecker::size_of(uint32_t v) const {
  const ValuePlan& vp = plan_.shapes->values[v];
  return static_cast<size_t>(shape_numel(vp.shape)) * element_size(vp.dtype);
}

Status MemoryChecker::before_step(uint32_t position, const std::vector<Tensor>& slots) {
  const Node& node = node_at(position);
  std::lock_guard<std::mutex> lock(mutex_);
  if (verify_) {
    for (ValueId input : node.inputs) {
      const ValueId v = owner(input);  // reading a view reads its owner's bytes
      if (!in_arena(v)) continue;
      const Tensor& t = slots[v.index()];
      if (fnv1a(static_cast<const std::byte*>(t.raw()), t.nbytes()) != checksum_[v.index()])
        return error(StatusCode::kInternal, node.describe(), ": input '", graph_.value(v).name,
                     "' was overwritten while it was live (memory plan violation)");
    }
  }
  for (ValueId v : node.outputs) {
    if (!in_arena(v)) continue;
    const size_t off = plan_.offsets[v.index()], size = size_of(v.index());
    if (verify_)
      for (const Live& l : live_)
        if (size > 0 && l.size > 0 && off < l.offset + l.size && l.offset < off + size)
          return error(StatusCode::kInternal, node.describe(), ": output '", graph_.value(v).name, "' at [", off, ", ",
                       off + size, ") overlaps live value '", graph_.value(ValueId(l.value)).name, "' at [", l.offset,
                       ", ", l.offset + l.size, ") (memory plan violation)");
    live_.push_back({off, size, v.index()});
    live_bytes_ += size;
  }
  peak_ = std::max(peak_, live_bytes_);
  return Status::ok();
}

void MemoryChecker::retire(uint32_t v) {
  for (size_t i = 0; i < live_.size(); ++i) {
    if (live_[i].value != v) continue;
    live_bytes_ -= live_[i].size;
    if (verify_) std::memset(arena_ + live_[i].offset, 0xFF, live_[i].size);
    live_[i] = live_.back();
    live_.pop_back();
    return;
  }
}

void MemoryChecker::after_step(uint32_t position, const std::vector<Tensor>& slots) {
  const Node& node = node_at(position);
  std::lock_guard<std::mutex> lock(mutex_);
  for (ValueId v : node.outputs) {
    if (!in_arena(v)) continue;
    if (verify_) {
      const Tensor& t = slots[v.index()];
      checksum_[v.index()] = fnv1a(static_cast<const std::byte*>(t.raw()), t.nbytes());
    }
    if (remaining_[v.index()] == 0) retire(v.index());
  }
  // Each distinct owner counts once per step (readers are distinct steps,
  // and a view's readers count as its owner's: step_dag.h arena_value_uses).
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const ValueId v = owner(node.inputs[i]);
    if (!in_arena(v)) continue;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = owner(node.inputs[j]) == v;
    if (seen) continue;
    if (remaining_[v.index()] > 0 && --remaining_[v.index()] == 0) retire(v.index());
  }
}

}  // namespace parallax
