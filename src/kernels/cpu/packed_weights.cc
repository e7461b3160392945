#include "kernels/cpu/packed_weights.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/cpu/dnnl_util.h"
#include "kernels/weight_cache.h"

namespace parallax::dnnl_util {

struct PackedWeights::Copies final : CachedWeight {
  mutable std::mutex mu;
  Tensor plain;  // empty once let go
  DataType plain_type = DataType::kUndefined;
  Shape plain_shape;
  dnnl::memory::desc plain_desc;
  bool plain_shared = false;         // a returned memory reads plain's bytes: keep them
  std::vector<dnnl::memory> packed;  // one per layout
  std::vector<std::shared_ptr<void>> buffers;  // packed bytes allocated here, not by oneDNN

  size_t bytes() const override {
    std::lock_guard lock(mu);
    size_t n = plain.empty() ? 0 : plain.nbytes();
    for (const dnnl::memory& m : packed)
      if (!plain_shared || m.get_data_handle() != plain.raw()) n += m.get_desc().get_size();
    return n;
  }
};

namespace {

// How a plain desc reads its bytes: holders that read one weight differently
// (Gemm's transposed B and MatMul's plain B) keep different copies.
std::string desc_key(const dnnl::memory::desc& d) {
  const dnnl_memory_desc_t& c = d.data;
  std::string key = "dnnl:" + std::to_string(static_cast<int>(c.data_type)) + ":";
  for (int i = 0; i < c.ndims; ++i) key += std::to_string(c.dims[i]) + ",";
  key += ":";
  if (c.format_kind == dnnl_blocked)
    for (int i = 0; i < c.ndims; ++i) key += std::to_string(c.format_desc.blocking.strides[i]) + ",";
  return key;
}

// Source bytes handed back per slice when the plain copy is packed away.
constexpr size_t kReleaseSliceBytes = size_t{1} << 20;

// Tells the OS it may take back the whole pages inside [begin, end): they will
// not be read again (their owner is freed right after).
void release_pages(const void* begin, const void* end) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t b = (reinterpret_cast<uintptr_t>(begin) + page - 1) / page * page;
  uintptr_t e = reinterpret_cast<uintptr_t>(end) / page * page;
  if (e > b) madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

// Packs `plain` (read through `plain_desc`) into `packed` in slices along the
// plain layout's outermost dim, releasing each slice's source pages once it is
// read, so that packing a weight holds one copy and a slice at its peak, not
// two copies (alexnet's 151 MB fc6 weight would otherwise briefly need 302).
// Null when the layouts do not allow slicing; nothing is written then.
//
// The packed buffer comes from calloc: large blocks are fresh zero pages that
// cost no memory until a slice writes them (oneDNN's own allocation would
// have to be zeroed, for the padding of a dim rounded up to its block, and
// that would touch every page before the first source page is released).
// `owner` keeps it alive.
dnnl::memory pack_releasing(const dnnl::memory::desc& plain_desc, const Tensor& plain,
                            const dnnl::memory::desc& layout, std::shared_ptr<void>& owner) {
  const dnnl_memory_desc_t& src = plain_desc.data;
  const dnnl_memory_desc_t& dst = layout.data;
  if (src.format_kind != dnnl_blocked || src.format_desc.blocking.inner_nblks != 0) return {};
  if (dst.format_kind != dnnl_blocked) return {};
  int outer = 0;
  for (int i = 1; i < src.ndims; ++i)
    if (src.format_desc.blocking.strides[i] > src.format_desc.blocking.strides[outer]) outer = i;
  int64_t block = 1;
  for (int j = 0; j < dst.format_desc.blocking.inner_nblks; ++j)
    if (dst.format_desc.blocking.inner_idxs[j] == outer) block *= dst.format_desc.blocking.inner_blks[j];
  const int64_t extent = src.dims[outer];
  const size_t slice_row_bytes = static_cast<size_t>(src.format_desc.blocking.strides[outer]) * sizeof(float);
  int64_t rows = static_cast<int64_t>(kReleaseSliceBytes / std::max<size_t>(slice_row_bytes, 1)) / block * block;
  rows = std::max(rows, block);
  if (rows >= extent) return {};  // one slice: nothing to gain
  constexpr size_t kAlign = 64;
  void* raw = std::calloc(layout.get_size() + kAlign, 1);
  if (raw == nullptr) throw dnnl::error(dnnl_out_of_memory, "cannot allocate packed weights");
  std::shared_ptr<void> buffer(raw, std::free);
  void* aligned = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(raw) + kAlign - 1) / kAlign * kAlign);
  dnnl::memory packed(layout, cpu_engine(), aligned);
  auto* base = static_cast<const char*>(plain.raw());
  // Every slice's reorder is made before any source page is released: a
  // layout oneDNN cannot slice throws here, with the source still whole.
  struct Slice {
    dnnl::memory from, to;
    dnnl::reorder reorder;
    int64_t at, count;
  };
  std::vector<Slice> slices;
  dnnl::memory::dims dims(src.dims, src.dims + src.ndims), offsets(src.ndims, 0);
  for (int64_t at = 0; at < extent; at += rows) {
    dims[outer] = std::min(rows, extent - at);
    offsets[outer] = at;
    dnnl::memory from(plain_desc.submemory_desc(dims, offsets), cpu_engine(), const_cast<char*>(base));
    dnnl::memory to(layout.submemory_desc(dims, offsets), cpu_engine(), aligned);
    slices.push_back({from, to, dnnl::reorder(from, to), at, dims[outer]});
  }
  for (Slice& slice : slices) {
    slice.reorder.execute(cpu_stream(), slice.from, slice.to);
    cpu_stream().wait();
    release_pages(base + static_cast<size_t>(slice.at) * slice_row_bytes,
                  base + static_cast<size_t>(slice.at + slice.count) * slice_row_bytes);
  }
  owner = std::move(buffer);
  return packed;
}

}  // namespace

void PackedWeights::hold(Tensor plain, dnnl::memory::desc plain_desc, WeightCache* cache) {
  auto make = [&] {
    auto c = std::make_shared<Copies>();
    c->plain_type = plain.dtype();
    c->plain_shape = plain.shape();
    c->plain = plain;
    c->plain_desc = plain_desc;
    return c;
  };
  state_ = cache ? cache->get_or_make<Copies>(desc_key(plain_desc) + "|" + content_key(plain), make) : make();
}

dnnl::memory PackedWeights::in_layout(const dnnl::memory::desc& layout) {
  Copies& c = *state_;
  std::lock_guard lock(c.mu);
  auto& eng = cpu_engine();
  for (const dnnl::memory& m : c.packed)
    if (m.get_desc() == layout) return m;
  if (!c.plain.empty() && layout == c.plain_desc) {
    // The primitive reads the plain layout: no copy, and the bytes stay.
    c.plain_shared = true;
    c.packed.emplace_back(c.plain_desc, eng, c.plain.raw());
    return c.packed.back();
  }
  dnnl::memory source;
  if (!c.plain.empty()) {
    source = dnnl::memory(c.plain_desc, eng, c.plain.raw());
  } else {
    // Reorders go between layouts of the same logical tensor only.
    for (const dnnl::memory& m : c.packed)
      if (m.get_desc().dims() == layout.dims()) source = m;
    if (!source) throw dnnl::error(dnnl_invalid_arguments, "no copy of the weights has these dims");
  }
  // The first packing of a plain copy nobody else holds can give its bytes
  // back as it goes (the plain copy is let go below anyway).
  dnnl::memory packed;
  if (!c.plain.empty() && c.packed.empty() && c.plain.sole_owner() && c.plain_type == DataType::kFloat32) {
    std::shared_ptr<void> owner;
    try {
      packed = pack_releasing(c.plain_desc, c.plain, layout, owner);
    } catch (const dnnl::error&) {
      packed = dnnl::memory();  // a layout oneDNN cannot take slices of: packed whole below, from the untouched source
    }
    if (packed) c.buffers.push_back(std::move(owner));
  }
  if (!packed) {
    packed = dnnl::memory(layout, eng);
    dnnl::reorder(source, packed).execute(cpu_stream(), source, packed);
    cpu_stream().wait();
  }
  c.packed.push_back(packed);
  // An int8 layout with oneDNN's compensation appended (bigger than the
  // plain bytes) cannot be reordered into another layout: such weights keep
  // their plain copy for the next one.
  const bool compensated = c.plain_type != DataType::kFloat32 && layout.get_size() > c.plain_desc.get_size();
  if (!c.plain_shared && !compensated) c.plain = Tensor();
  return packed;
}

Result<Tensor> PackedWeights::plain() {
  Copies& c = *state_;
  std::lock_guard lock(c.mu);
  if (!c.plain.empty()) return c.plain;
  if (c.packed.empty()) return error(StatusCode::kInternal, "packed weights hold no copy");
  try {
    // The plain desc may be strided (a transposed B): unpacking through it
    // gives the bytes as the model stored them.
    Tensor t = Tensor::allocate(c.plain_type, c.plain_shape);
    dnnl::memory out(c.plain_desc, cpu_engine(), t.raw());
    dnnl::memory source = c.packed.front();
    dnnl::reorder(source, out).execute(cpu_stream(), source, out);
    cpu_stream().wait();
    return t;
  } catch (const std::exception& e) {
    return from_exception(e, "weight unpacking");
  }
}

size_t PackedWeights::bytes() const { return state_ ? state_->bytes() : 0; }

}  // namespace parallax::dnnl_util
