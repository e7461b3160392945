// Cast -> Cast chains that keep every value: fewer passes over the data.
//
// Cast(x: A -> B) -> Cast(-> C) reads x directly as Cast(x: A -> C) when B
// holds every value of A exactly (float16 -> float32, int8 -> int32, ...):
// the first Cast then changes nothing the second could see. With C == A the
// pair is the identity and readers read x. The other order is not safe:
// float32 -> float16 -> float32 rounds, and that rounding is the model's
// meaning, so such pairs stay. A Cast to the type its input already has is
// dropped too. Only types the graph states are trusted: an initializer's, a
// graph input's, a Cast's output.
#include "graph/passes/pass_util.h"

namespace parallax::passes {

namespace {

DataType known_type(const Graph& g, ValueId v) {
  if (!v.valid()) return DataType::kUndefined;  // an optional input or output left out
  const Value& value = g.value(v);
  if (value.initializer) return value.initializer->dtype();
  if (value.is_graph_input) return value.dtype;
  if (!value.producer.valid()) return DataType::kUndefined;
  const Node& p = g.node(value.producer);
  if (!is_op(p, "Cast")) return DataType::kUndefined;
  const Attribute* to = p.attrs.find("to");
  return to && to->kind == Attribute::Kind::kInt ? static_cast<DataType>(to->i) : DataType::kUndefined;
}

// Every value of `from` converts to `to` and back unchanged.
bool holds_exactly(DataType from, DataType to) {
  using D = DataType;
  switch (from) {
    case D::kFloat16:
    case D::kBFloat16: return to == D::kFloat32 || to == D::kFloat64;
    case D::kFloat32: return to == D::kFloat64;
    case D::kInt8:
      return to == D::kInt16 || to == D::kInt32 || to == D::kInt64 || to == D::kFloat32 || to == D::kFloat64;
    case D::kUInt8:
      return to == D::kInt16 || to == D::kUInt16 || to == D::kInt32 || to == D::kUInt32 || to == D::kInt64 ||
             to == D::kUInt64 || to == D::kFloat32 || to == D::kFloat64;
    case D::kInt16: return to == D::kInt32 || to == D::kInt64 || to == D::kFloat32 || to == D::kFloat64;
    case D::kUInt16:
      return to == D::kInt32 || to == D::kUInt32 || to == D::kInt64 || to == D::kUInt64 || to == D::kFloat32 ||
             to == D::kFloat64;
    case D::kInt32: return to == D::kInt64 || to == D::kFloat64;
    case D::kUInt32: return to == D::kInt64 || to == D::kUInt64 || to == D::kFloat64;
    default: return false;
  }
}

}  // namespace

size_t fold_cast_pairs(Graph& g) {
  size_t rewrites = 0;
  for (Node& n : g.nodes) {
    if (!is_op(n, "Cast") || n.inputs.empty() || !n.inputs[0].valid() || n.outputs.empty() || !n.outputs[0].valid())
      continue;
    const DataType to = known_type(g, n.outputs[0]);
    if (to == DataType::kUndefined) continue;
    // Skip a widening Cast in front: read what it widened.
    const Value& in = g.value(n.inputs[0]);
    if (in.producer.valid() && is_op(g.node(in.producer), "Cast")) {
      const Node& first = g.node(in.producer);
      const DataType source =
          first.inputs.empty() || !first.inputs[0].valid() ? DataType::kUndefined : known_type(g, first.inputs[0]);
      if (holds_exactly(source, known_type(g, n.inputs[0]))) {
        n.inputs[0] = first.inputs[0];
        g.rebuild_links();
        ++rewrites;
      }
    }
    if (known_type(g, n.inputs[0]) == to && replace_uses(g, n.outputs[0], n.inputs[0])) {
      n.removed = true;
      ++rewrites;
    }
  }
  g.rebuild_links();
  return rewrites;
}

}  // namespace parallax::passes
