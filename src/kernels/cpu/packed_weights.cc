#include "kernels/cpu/packed_weights.h"

#include "kernels/cpu/dnnl_util.h"

namespace parallax::dnnl_util {

void PackedWeights::hold(Tensor plain, dnnl::memory::desc plain_desc) {
  plain_type_ = plain.dtype();
  plain_shape_ = plain.shape();
  plain_ = std::move(plain);
  plain_desc_ = std::move(plain_desc);
  held_ = true;
}

dnnl::memory PackedWeights::in_layout(const dnnl::memory::desc& layout) {
  auto& eng = cpu_engine();
  for (const dnnl::memory& m : packed_)
    if (m.get_desc() == layout) return m;
  if (!plain_.empty() && layout == plain_desc_) {
    // The primitive reads the plain layout: no copy, and the bytes stay.
    plain_shared_ = true;
    packed_.emplace_back(plain_desc_, eng, plain_.raw());
    return packed_.back();
  }
  dnnl::memory source;
  if (!plain_.empty()) {
    source = dnnl::memory(plain_desc_, eng, plain_.raw());
  } else {
    // Reorders go between layouts of the same logical tensor only.
    for (const dnnl::memory& m : packed_)
      if (m.get_desc().dims() == layout.dims()) source = m;
    if (!source) throw dnnl::error(dnnl_invalid_arguments, "no copy of the weights has these dims");
  }
  dnnl::memory packed(layout, eng);
  dnnl::reorder(source, packed).execute(cpu_stream(), source, packed);
  cpu_stream().wait();
  packed_.push_back(packed);
  if (!plain_shared_) plain_ = Tensor();
  return packed;
}

Result<Tensor> PackedWeights::plain() {
  if (!plain_.empty()) return plain_;
  if (packed_.empty()) return error(StatusCode::kInternal, "packed weights hold no copy");
  try {
    // The plain desc may be strided (a transposed B): unpacking through it
    // gives the bytes as the model stored them.
    Tensor t = Tensor::allocate(plain_type_, plain_shape_);
    dnnl::memory out(plain_desc_, cpu_engine(), t.raw());
    dnnl::memory source = packed_.front();
    dnnl::reorder(source, out).execute(cpu_stream(), source, out);
    cpu_stream().wait();
    return t;
  } catch (const std::exception& e) {
    return from_exception(e, "weight unpacking");
  }
}

size_t PackedWeights::bytes() const {
  size_t n = plain_.empty() ? 0 : plain_.nbytes();
  for (const dnnl::memory& m : packed_)
    if (!plain_shared_ || m.get_data_handle() != plain_.raw()) n += m.get_desc().get_size();
  return n;
}

}  // namespace parallax::dnnl_util
