// Node attributes, decoded once at load so kernels never see protobuf.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parallax/status.h"
#include "parallax/tensor.h"

namespace parallax {

class Graph;

struct Attribute {
  // kType: a TYPE_PROTO (Optional's `type`); its contents are not kept, as
  // no kernel reads them.
  enum class Kind { kFloat, kInt, kString, kTensor, kGraph, kFloats, kInts, kStrings, kTensors, kGraphs, kType };
  Kind kind = Kind::kInt;
  float f = 0.0f;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
};

// Typed lookup with defaults; a present attribute of the wrong kind is an error.
class Attributes {
 public:
  void set(std::string name, Attribute value) { map_[std::move(name)] = std::move(value); }
  // Typed setters, for the graph passes that write attributes.
  void set_int(std::string name, int64_t v) { at(std::move(name), Attribute::Kind::kInt).i = v; }
  void set_float(std::string name, float v) { at(std::move(name), Attribute::Kind::kFloat).f = v; }
  void set_string(std::string name, std::string v) { at(std::move(name), Attribute::Kind::kString).s = std::move(v); }
  void set_ints(std::string name, std::vector<int64_t> v) {
    at(std::move(name), Attribute::Kind::kInts).ints = std::move(v);
  }
  void set_floats(std::string name, std::vector<float> v) {
    at(std::move(name), Attribute::Kind::kFloats).floats = std::move(v);
  }
  bool has(const std::string& name) const { return map_.count(name) != 0; }
  const Attribute* find(const std::string& name) const;
  const std::map<std::string, Attribute>& all() const { return map_; }

  Result<int64_t> get_int(const std::string& name, std::optional<int64_t> fallback = std::nullopt) const;
  Result<float> get_float(const std::string& name, std::optional<float> fallback = std::nullopt) const;
  Result<std::string> get_string(const std::string& name,
                                 std::optional<std::string> fallback = std::nullopt) const;
  Result<std::vector<int64_t>> get_ints(const std::string& name,
                                        std::optional<std::vector<int64_t>> fallback = std::nullopt) const;
  Result<std::vector<float>> get_floats(const std::string& name,
                                        std::optional<std::vector<float>> fallback = std::nullopt) const;
  Result<Tensor> get_tensor(const std::string& name) const;
  Result<std::shared_ptr<Graph>> get_graph(const std::string& name) const;

 private:
  // A fresh attribute of `kind` under `name`, replacing any there.
  Attribute& at(std::string name, Attribute::Kind kind) {
    Attribute& a = map_[std::move(name)] = Attribute{};
    a.kind = kind;
    return a;
  }

  std::map<std::string, Attribute> map_;
};

}  // namespace parallax
