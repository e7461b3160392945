// Strong ids for graph entities: a NodeId cannot be passed where a ValueId is
// expected, and "absent" is explicit instead of a -1 sentinel.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>

namespace parallax {

template <typename Tag>
class Id {
 public:
  static constexpr uint32_t kInvalid = std::numeric_limits<uint32_t>::max();
  constexpr Id() = default;
  constexpr explicit Id(uint32_t v) : v_(v) {}
  constexpr explicit Id(size_t v) : v_(static_cast<uint32_t>(v)) {}
  constexpr bool valid() const { return v_ != kInvalid; }
  constexpr uint32_t index() const { return v_; }
  constexpr auto operator<=>(const Id&) const = default;

 private:
  uint32_t v_ = kInvalid;
};

struct NodeTag {};
struct ValueTag {};
using NodeId = Id<NodeTag>;
using ValueId = Id<ValueTag>;

}  // namespace parallax

template <typename Tag>
struct std::hash<parallax::Id<Tag>> {
  size_t operator()(parallax::Id<Tag> id) const noexcept { return std::hash<uint32_t>()(id.index()); }
};
