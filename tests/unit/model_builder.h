// Builds small ONNX models in memory for tests:
//
//   ModelBuilder b(13);
//   b.input("x", onnx::TensorProto::FLOAT, {1, 4});
//   b.node("Relu", {"x"}, {"y"});
//   b.output("y", onnx::TensorProto::FLOAT, {1, 4});
//   auto session = Session::open_from_bytes(b.bytes());
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace parallax::testing {

class ModelBuilder {
 public:
  explicit ModelBuilder(int opset) {
    model_.set_ir_version(8);
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }
  // dims: -1 = symbolic dim "N".
  void input(const std::string& name, int elem_type, const std::vector<int64_t>& dims) {
    fill(model_.mutable_graph()->add_input(), name, elem_type, dims);
  }
  void output(const std::string& name, int elem_type, const std::vector<int64_t>& dims) {
    fill(model_.mutable_graph()->add_output(), name, elem_type, dims);
  }
  // A sequence of tensors of `elem_type` (ONNX seq(tensor(T))).
  void sequence_input(const std::string& name, int elem_type) {
    fill_sequence(model_.mutable_graph()->add_input(), name, elem_type);
  }
  void sequence_output(const std::string& name, int elem_type) {
    fill_sequence(model_.mutable_graph()->add_output(), name, elem_type);
  }
  // optional(tensor(T)), as an input.
  void optional_input(const std::string& name, int elem_type) {
    auto* v = model_.mutable_graph()->add_input();
    v->set_name(name);
    v->mutable_type()->mutable_optional_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(elem_type);
  }
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& ins,
                        const std::vector<std::string>& outs, const std::string& domain = "") {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(model_.graph().node_size()));
    n->set_domain(domain);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return n;
  }
  void initializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
  }
  void initializer_int64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t v : values) t->add_int64_data(v);
  }
  onnx::ModelProto& proto() { return model_; }
  std::string bytes() const { return model_.SerializeAsString(); }

 private:
  static void fill(onnx::ValueInfoProto* v, const std::string& name, int elem_type, const std::vector<int64_t>& dims) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem_type);
    auto* shape = tt->mutable_shape();
    for (int64_t d : dims) {
      auto* dim = shape->add_dim();
      if (d < 0) dim->set_dim_param("N");
      else dim->set_dim_value(d);
    }
  }
  static void fill_sequence(onnx::ValueInfoProto* v, const std::string& name, int elem_type) {
    v->set_name(name);
    v->mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(elem_type);
  }
  onnx::ModelProto model_;
};

// Attributes on a node that ModelBuilder::node returned.
inline void set_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

}  // namespace parallax::testing
