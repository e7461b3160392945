#include "format/onnx_loader.h"

#include <fcntl.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <onnx/onnx_pb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <unordered_set>

#include "core/status_macros.h"
#include "format/tensor_proto.h"
#include "graph/fused_ops.h"

namespace parallax {

namespace fs = std::filesystem;

namespace {

// Bytes read per system call while parsing a file.
constexpr int kReadWindowBytes = 1 << 20;

// Names visible in one graph, chained to its enclosing graph's scope.
struct Scope {
  const Scope* parent = nullptr;
  std::unordered_set<std::string> names;
  bool visible(const std::string& n) const { return names.count(n) || (parent && parent->visible(n)); }
};

// A tensor's declared element type. Numbers ONNX does not define stay as
// they are (the kernels refuse them by name); kSequence's and kNone's own
// numbers are not a tensor's.
Result<DataType> element_type(const std::string& value, int32_t onnx_type) {
  if (onnx_type == static_cast<int32_t>(DataType::kSequence) || onnx_type == static_cast<int32_t>(DataType::kNone))
    return error(StatusCode::kInvalidModel, "value '", value, "' declares element type ", onnx_type,
                 ", which ONNX does not define");
  return static_cast<DataType>(onnx_type);
}

class GraphConverter {
 public:
  GraphConverter(const std::map<std::string, int>& opsets, const LoadOptions& options, fs::path base_dir)
      : opsets_(opsets), options_(options), base_dir_(std::move(base_dir)) {}

  Result<std::shared_ptr<Graph>> convert(onnx::GraphProto& gp, const Scope* outer, int depth);

 private:
  Status convert_value_info(const onnx::ValueInfoProto& info, Value& v);
  Status convert_type(const std::string& name, const onnx::TypeProto& type, Value& v, bool inside_optional);
  Result<Attribute> convert_attribute(onnx::AttributeProto& ap, const Scope& scope, int depth);
  Result<ValueId> resolve(Graph& g, const Scope& scope, const std::string& name);
  Status constant_to_initializer(onnx::NodeProto& np, Graph& g, const Scope& scope);

  const std::map<std::string, int>& opsets_;
  const LoadOptions& options_;
  fs::path base_dir_;
};

Status GraphConverter::convert_value_info(const onnx::ValueInfoProto& info, Value& v) {
  if (!info.has_type()) return Status::ok();
  return convert_type(info.name(), info.type(), v, false);
}

// `inside_optional`: an optional's element, which may not be another optional.
Status GraphConverter::convert_type(const std::string& name, const onnx::TypeProto& type, Value& v,
                                    bool inside_optional) {
  if (type.has_optional_type()) {
    if (inside_optional)
      return error(StatusCode::kUnsupported, "value '", name, "' is an optional of an optional");
    v.optional = true;
    return convert_type(name, type.optional_type().elem_type(), v, true);
  }
  if (type.has_sequence_type()) {
    const auto& elem = type.sequence_type().elem_type();
    if (elem.has_sequence_type() || elem.has_map_type() || elem.has_optional_type())
      return error(StatusCode::kUnsupported, "value '", name,
                   "' is a sequence of non-tensors (only sequences of tensors are supported)");
    v.dtype = DataType::kSequence;
    if (elem.has_tensor_type()) {
      PX_ASSIGN_OR_RETURN(v.sequence_element, element_type(name, elem.tensor_type().elem_type()));
    }
    return Status::ok();
  }
  if (!type.has_tensor_type()) {
    if (type.has_map_type()) return error(StatusCode::kUnsupported, "value '", name, "' is a map, which is not supported");
    return Status::ok();
  }
  const auto& tt = type.tensor_type();
  PX_ASSIGN_OR_RETURN(v.dtype, element_type(name, tt.elem_type()));
  if (tt.has_shape()) {
    std::vector<Dim> dims;
    for (const auto& d : tt.shape().dim()) {
      Dim dim;
      if (d.has_dim_value()) {
        if (d.dim_value() < 0)
          return error(StatusCode::kInvalidModel, "value '", name, "' declares a negative dimension");
        dim.value = d.dim_value();
      } else if (d.has_dim_param()) {
        dim.symbol = d.dim_param();
      }
      dims.push_back(dim);
    }
    v.declared_shape = std::move(dims);
  }
  return Status::ok();
}

Result<ValueId> GraphConverter::resolve(Graph& g, const Scope& scope, const std::string& name) {
  if (auto id = g.find_value(name)) return *id;
  if (scope.parent && scope.parent->visible(name)) {
    Value v;
    v.name = name;
    ValueId id = g.add_value(std::move(v));
    g.outer_inputs.push_back(name);
    g.outer_values.push_back(id);
    return id;
  }
  return error(StatusCode::kInvalidModel, "graph '", g.name, "' reads value '", name, "', which nothing defines");
}

Result<Attribute> GraphConverter::convert_attribute(onnx::AttributeProto& ap, const Scope& scope, int depth) {
  Attribute a;
  TensorReadOptions topts{base_dir_, options_.max_tensor_bytes};
  using AP = onnx::AttributeProto;
  switch (ap.type()) {
    case AP::FLOAT: a.kind = Attribute::Kind::kFloat; a.f = ap.f(); break;
    case AP::INT: a.kind = Attribute::Kind::kInt; a.i = ap.i(); break;
    case AP::STRING: a.kind = Attribute::Kind::kString; a.s = ap.s(); break;
    case AP::FLOATS: a.kind = Attribute::Kind::kFloats; a.floats.assign(ap.floats().begin(), ap.floats().end()); break;
    case AP::INTS: a.kind = Attribute::Kind::kInts; a.ints.assign(ap.ints().begin(), ap.ints().end()); break;
    case AP::STRINGS: a.kind = Attribute::Kind::kStrings; a.strings.assign(ap.strings().begin(), ap.strings().end()); break;
    case AP::TENSOR: {
      a.kind = Attribute::Kind::kTensor;
      PX_ASSIGN_OR_RETURN(a.t, tensor_from_proto(*ap.mutable_t(), topts));
      break;
    }
    case AP::TENSORS:
      a.kind = Attribute::Kind::kTensors;
      for (auto& t : *ap.mutable_tensors()) {
        PX_ASSIGN_OR_RETURN(Tensor tensor, tensor_from_proto(t, topts));
        a.tensors.push_back(std::move(tensor));
      }
      break;
    case AP::GRAPH: {
      a.kind = Attribute::Kind::kGraph;
      PX_ASSIGN_OR_RETURN(a.g, convert(*ap.mutable_g(), &scope, depth + 1));
      break;
    }
    case AP::TYPE_PROTO: a.kind = Attribute::Kind::kType; break;
    default:
      return error(StatusCode::kUnsupported, "attribute '", ap.name(), "' has an unsupported type (", ap.type(), ")");
  }
  return a;
}

Status GraphConverter::constant_to_initializer(onnx::NodeProto& np, Graph& g, const Scope& scope) {
  if (np.output_size() != 1 || np.output(0).empty() || np.attribute_size() != 1)
    return error(StatusCode::kInvalidModel, "Constant node '", np.name(), "' needs one named output and one value attribute");
  onnx::AttributeProto& ap = *np.mutable_attribute(0);
  Tensor t;
  if (ap.name() == "value") {
    PX_ASSIGN_OR_RETURN(Attribute a, convert_attribute(ap, scope, 0));
    if (a.kind != Attribute::Kind::kTensor)
      return error(StatusCode::kInvalidModel, "Constant node '", np.name(), "' value is not a tensor");
    t = a.t;
  } else if (ap.name() == "value_float") {
    t = Tensor::allocate(DataType::kFloat32, {});
    *t.data<float>() = ap.f();
  } else if (ap.name() == "value_int") {
    t = Tensor::allocate(DataType::kInt64, {});
    *t.data<int64_t>() = ap.i();
  } else if (ap.name() == "value_floats") {
    t = Tensor::allocate(DataType::kFloat32, {static_cast<int64_t>(ap.floats_size())});
    std::copy(ap.floats().begin(), ap.floats().end(), t.data<float>());
  } else if (ap.name() == "value_ints") {
    t = Tensor::allocate(DataType::kInt64, {static_cast<int64_t>(ap.ints_size())});
    std::copy(ap.ints().begin(), ap.ints().end(), t.data<int64_t>());
  } else {
    return error(StatusCode::kUnsupported, "Constant node '", np.name(), "' uses attribute '", ap.name(),
                 "', which is not supported");
  }
  ValueId id = *g.find_value(np.output(0));
  Value& v = g.value(id);
  v.dtype = t.dtype();
  v.initializer = std::move(t);
  return Status::ok();
}

Result<std::shared_ptr<Graph>> GraphConverter::convert(onnx::GraphProto& gp, const Scope* outer, int depth) {
  if (depth > options_.max_subgraph_depth)
    return error(StatusCode::kInvalidModel, "subgraphs are nested deeper than ", options_.max_subgraph_depth, " levels");
  auto g = std::make_shared<Graph>();
  g->name = gp.name();
  g->opsets = opsets_;
  Scope scope;
  scope.parent = outer;

  auto declare = [&](const std::string& name) -> Result<ValueId> {
    if (name.empty()) return error(StatusCode::kInvalidModel, "graph '", g->name, "' has a value with no name");
    if (g->find_value(name))
      return error(StatusCode::kInvalidModel, "graph '", g->name, "' defines value '", name, "' more than once");
    Value v;
    v.name = name;
    scope.names.insert(name);
    return g->add_value(std::move(v));
  };

  TensorReadOptions topts{base_dir_, options_.max_tensor_bytes};
  for (auto& init : *gp.mutable_initializer()) {
    PX_ASSIGN_OR_RETURN(ValueId id, declare(init.name()));
    std::string name = init.name();
    auto tensor = tensor_from_proto(init, topts);
    if (!tensor.is_ok()) return tensor.status().with_context("initializer '" + name + "'");
    g->value(id).dtype = tensor->dtype();
    g->value(id).initializer = std::move(tensor).value();
  }
  if (gp.sparse_initializer_size() > 0)
    return error(StatusCode::kUnsupported, "graph '", g->name, "' has sparse initializers");
  for (const auto& in : gp.input()) {
    if (auto existing = g->find_value(in.name())) {
      // Old exporters list initializers as inputs too: they stay constants.
      if (g->value(*existing).initializer) continue;
    }
    PX_ASSIGN_OR_RETURN(ValueId id, declare(in.name()));
    PX_RETURN_IF_ERROR(convert_value_info(in, g->value(id)));
    g->value(id).is_graph_input = true;
    g->inputs.push_back(id);
  }
  for (const auto& np : gp.node())
    for (const auto& out : np.output())
      if (!out.empty()) PX_RETURN_IF_ERROR(declare(out).status());

  for (auto& np : *gp.mutable_node()) {
    std::string domain = np.domain() == "ai.onnx" ? "" : np.domain();
    if (np.op_type() == "Constant" && domain.empty()) {
      PX_RETURN_IF_ERROR(constant_to_initializer(np, *g, scope));
      continue;
    }
    Node n;
    n.name = np.name().empty() ? np.op_type() + "_" + std::to_string(g->nodes.size()) : np.name();
    n.op_type = np.op_type();
    n.domain = domain;
    auto it = opsets_.find(domain);
    n.opset = it == opsets_.end() ? 0 : it->second;
    for (const auto& in : np.input()) {
      if (in.empty()) {
        n.inputs.emplace_back();
        continue;
      }
      auto id = resolve(*g, scope, in);
      if (!id.is_ok()) return id.status().with_context(n.describe());
      n.inputs.push_back(*id);
    }
    n.num_explicit_inputs = n.inputs.size();
    for (const auto& out : np.output()) n.outputs.push_back(out.empty() ? ValueId() : *g->find_value(out));
    for (auto& ap : *np.mutable_attribute()) {
      if (!ap.ref_attr_name().empty())
        return error(StatusCode::kUnsupported, n.describe(), " uses a reference attribute (functions are not supported)");
      // px_ attributes are the epilogues of Parallax's fused ops (graph/fused_ops.h).
      if (ap.name().rfind("px_", 0) == 0 && domain != kParallaxDomain)
        return error(StatusCode::kInvalidModel, n.describe(), ": attribute '", ap.name(),
                     "' is reserved for Parallax's fused ops (domain com.parallax)");
      auto attr = convert_attribute(ap, scope, depth);
      if (!attr.is_ok()) return attr.status().with_context(n.describe());
      // A subgraph's outer reads become implicit inputs of this node.
      if (attr->kind == Attribute::Kind::kGraph) {
        for (const std::string& name : attr->g->outer_inputs) {
          auto id = resolve(*g, scope, name);
          if (!id.is_ok()) return id.status().with_context(n.describe());
          if (std::find(n.inputs.begin() + static_cast<long>(n.num_explicit_inputs), n.inputs.end(), *id) == n.inputs.end())
            n.inputs.push_back(*id);
        }
      }
      n.attrs.set(ap.name(), std::move(attr).value());
    }
    g->add_node(std::move(n));
  }

  for (const auto& info : gp.value_info()) {
    if (auto id = g->find_value(info.name())) {
      Value& v = g->value(*id);
      if (!v.initializer) PX_RETURN_IF_ERROR(convert_value_info(info, v));
    }
  }
  for (const auto& out : gp.output()) {
    auto id = resolve(*g, scope, out.name());
    if (!id.is_ok()) return id.status().with_context("graph output");
    Value& v = g->value(*id);
    if (!v.initializer) PX_RETURN_IF_ERROR(convert_value_info(out, v));
    v.is_graph_output = true;
    g->outputs.push_back(*id);
  }
  PX_RETURN_IF_ERROR(g->topological_sort());
  return g;
}

// Everything but the parse: `proto`'s tensor bytes are moved out, not copied.
Result<std::unique_ptr<Model>> model_from_proto(onnx::ModelProto& proto, const fs::path& base_dir,
                                                const LoadOptions& options) {
  if (!proto.has_graph()) return error(StatusCode::kInvalidModel, "the model has no graph");

  auto model = std::make_unique<Model>();
  model->ir_version = proto.ir_version();
  model->producer_name = proto.producer_name();
  model->producer_version = proto.producer_version();
  for (const auto& op : proto.opset_import()) {
    std::string domain = op.domain() == "ai.onnx" ? "" : op.domain();
    model->opsets[domain] = static_cast<int>(op.version());
  }
  // IR version 3 models may omit opset_import; ONNX says that means opset 1.
  if (model->opsets.empty()) model->opsets[""] = 1;
  if (proto.functions_size() > 0)
    return error(StatusCode::kUnsupported, "model-local functions are not supported");

  GraphConverter converter(model->opsets, options, base_dir);
  PX_ASSIGN_OR_RETURN(model->graph, converter.convert(*proto.mutable_graph(), nullptr, 0));
  return model;
}

constexpr const char* kParseFailed =
    "the file is not a valid ONNX model (protobuf parsing failed: truncated, corrupt, or messages nested more than "
    "100 deep?)";

}  // namespace

Result<std::unique_ptr<Model>> load_model_from_bytes(std::string_view bytes, const fs::path& base_dir,
                                                     const LoadOptions& options) {
  onnx::ModelProto proto;
  if (bytes.size() > static_cast<size_t>(INT32_MAX))
    return error(StatusCode::kUnsupported, "model files over 2 GiB must keep their weights in external data");
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return error(StatusCode::kInvalidModel, kParseFailed);
  return model_from_proto(proto, base_dir, options);
}

Result<std::unique_ptr<Model>> load_model(const fs::path& path, const LoadOptions& options) {
  // Parsed straight from the file through a small window: the file's bytes
  // are never held whole, so the weights exist once (in the parsed message,
  // whose strings the tensors then adopt). Reading the file into a string
  // first cost a copy of every weight at peak, and growing that string
  // another two.
  auto fail = [&](Status s) { return s.with_context("loading '" + path.string() + "'"); };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error(StatusCode::kNotFound, "cannot open model file '", path.string(), "'");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(error(StatusCode::kInvalidModel, "the model path is not a regular file"));
  }
  if (st.st_size > INT32_MAX) {
    ::close(fd);
    return fail(error(StatusCode::kUnsupported, "model files over 2 GiB must keep their weights in external data"));
  }
  onnx::ModelProto proto;
  bool parsed;
  {
    google::protobuf::io::FileInputStream stream(fd, kReadWindowBytes);
    stream.SetCloseOnDelete(true);
    parsed = proto.ParseFromZeroCopyStream(&stream) && stream.GetErrno() == 0;
  }
  if (!parsed) return fail(error(StatusCode::kInvalidModel, kParseFailed));
  auto model = model_from_proto(proto, path.parent_path().empty() ? fs::path(".") : path.parent_path(), options);
  if (!model.is_ok()) return fail(model.status());
  return model;
}

}  // namespace parallax
