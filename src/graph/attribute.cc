#include "graph/attribute.h"

namespace parallax {

const Attribute* Attributes::find(const std::string& name) const {
  auto it = map_.find(name);
  return it == map_.end() ? nullptr : &it->second;
}

namespace {
Status wrong_kind(const std::string& name, const char* expected) {
  return error(StatusCode::kInvalidModel, "attribute '", name, "' should be ", expected);
}
Status missing(const std::string& name) {
  return error(StatusCode::kInvalidModel, "required attribute '", name, "' is missing");
}

template <typename T, typename Get>
Result<T> lookup(const Attributes& attrs, const std::string& name, std::optional<T> fallback, Attribute::Kind kind,
                 const char* kind_name, Get get) {
  const Attribute* a = attrs.find(name);
  if (a == nullptr) {
    if (fallback) return *fallback;
    return missing(name);
  }
  if (a->kind != kind) return wrong_kind(name, kind_name);
  return get(*a);
}
}  // namespace

Result<int64_t> Attributes::get_int(const std::string& name, std::optional<int64_t> fallback) const {
  return lookup<int64_t>(*this, name, fallback, Attribute::Kind::kInt, "an int", [](const Attribute& a) { return a.i; });
}
Result<float> Attributes::get_float(const std::string& name, std::optional<float> fallback) const {
  return lookup<float>(*this, name, fallback, Attribute::Kind::kFloat, "a float", [](const Attribute& a) { return a.f; });
}
Result<std::string> Attributes::get_string(const std::string& name, std::optional<std::string> fallback) const {
  return lookup<std::string>(*this, name, fallback, Attribute::Kind::kString, "a string",
                             [](const Attribute& a) { return a.s; });
}
Result<std::vector<int64_t>> Attributes::get_ints(const std::string& name,
                                                  std::optional<std::vector<int64_t>> fallback) const {
  return lookup<std::vector<int64_t>>(*this, name, fallback, Attribute::Kind::kInts, "a list of ints",
                                      [](const Attribute& a) { return a.ints; });
}
Result<std::vector<float>> Attributes::get_floats(const std::string& name,
                                                  std::optional<std::vector<float>> fallback) const {
  return lookup<std::vector<float>>(*this, name, fallback, Attribute::Kind::kFloats, "a list of floats",
                                    [](const Attribute& a) { return a.floats; });
}
Result<Tensor> Attributes::get_tensor(const std::string& name) const {
  return lookup<Tensor>(*this, name, std::nullopt, Attribute::Kind::kTensor, "a tensor",
                        [](const Attribute& a) { return a.t; });
}
Result<std::shared_ptr<Graph>> Attributes::get_graph(const std::string& name) const {
  return lookup<std::shared_ptr<Graph>>(*this, name, std::nullopt, Attribute::Kind::kGraph, "a graph",
                                        [](const Attribute& a) { return a.g; });
}

}  // namespace parallax
