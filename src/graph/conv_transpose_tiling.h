// The tiling form of ConvTranspose: kernel equal to stride, one group, and no
// padding, dilation, output padding, output_shape or fused residual, so that
// each input pixel writes its own kH x kW tile of the output. The
// channels-last pass rewrites only this form (graph/passes/channels_last.cc),
// and com.parallax.NhwcConvTranspose accepts only this form
// (kernels/cpu/nhwc_conv_transpose.cc): one rule for both.
//
//   conv_transpose_tiles_output(node.attrs, w.dim(2), w.dim(3))   // W is [IC, OC, kH, kW]
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/attribute.h"

namespace parallax {

inline bool conv_transpose_tiles_output(const Attributes& a, int64_t kh, int64_t kw) {
  if (a.has("px_residual") || a.has("output_shape")) return false;
  const std::vector<int64_t> kernel = {kh, kw};
  auto ints = [&](const char* name) { return a.get_ints(name, std::vector<int64_t>{}); };
  auto all = [](const std::vector<int64_t>& v, int64_t value) {
    return std::all_of(v.begin(), v.end(), [&](int64_t e) { return e == value; });
  };
  auto strides = ints("strides"), kernel_shape = ints("kernel_shape"), pads = ints("pads"),
       dilations = ints("dilations"), output_padding = ints("output_padding");
  auto group = a.get_int("group", 1);
  auto auto_pad = a.get_string("auto_pad", std::string("NOTSET"));
  if (!strides.is_ok() || !kernel_shape.is_ok() || !pads.is_ok() || !dilations.is_ok() || !output_padding.is_ok() ||
      !group.is_ok() || !auto_pad.is_ok())
    return false;
  return *strides == kernel && (kernel_shape->empty() || *kernel_shape == kernel) && all(*pads, 0) &&
         all(*dilations, 1) && all(*output_padding, 0) && *group == 1 &&
         (*auto_pad == "NOTSET" || *auto_pad == "VALID");
}

}  // namespace parallax
