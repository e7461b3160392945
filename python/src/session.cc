// _parallax.Session: open from a path or bytes, describe inputs and outputs,
// run with the GIL released, close. A run holds its own reference to the
// runtime session, so close() (or the object's end) during a run in another
// thread frees it only when that run is over.
#include "session.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors.h"
#include "numpy_tensors.h"
#include "parallax/session.h"

namespace py = pybind11;

namespace parallax::python {

namespace {

struct OpenOptions {
  int num_threads = 1;
  std::string mode = "dataflow";
  size_t memory_budget = 0;
  bool optimize = true;
  std::string accelerator = "none";
  std::optional<size_t> max_tensor_bytes;
  bool adapt_schedule = true;
  uint64_t max_loop_iterations = 0;
};

SessionOptions to_session_options(const OpenOptions& o) {
  SessionOptions options;
  if (o.num_threads < 1 || o.num_threads > 1024)
    throw StatusError{error(StatusCode::kInvalidArgument, "num_threads is ", o.num_threads, ", must be in [1, 1024]")};
  options.num_threads = o.num_threads;
  Result<ExecutionMode> mode = parse_execution_mode(o.mode);
  throw_if_error(mode.status());
  options.mode = *mode;
  options.memory_budget = o.memory_budget;
  options.optimize = o.optimize;
  Result<Accelerator> accelerator = parse_accelerator(o.accelerator);
  throw_if_error(accelerator.status());
  options.accelerator = *accelerator;
  if (o.max_tensor_bytes) options.max_tensor_bytes = *o.max_tensor_bytes;
  options.adapt_schedule = o.adapt_schedule;
  options.max_loop_iterations = o.max_loop_iterations;
  return options;
}

py::tuple describe(const TensorInfo& info) {
  py::list shape;
  if (info.has_shape) {
    for (size_t d = 0; d < info.shape.size(); ++d) {
      // onnxruntime: a symbolic dim is its name, an unknown one None.
      if (info.shape[d] >= 0)
        shape.append(info.shape[d]);
      else if (d < info.symbols.size() && !info.symbols[d].empty())
        shape.append(info.symbols[d]);
      else
        shape.append(py::none());
    }
  }
  return py::make_tuple(info.name, ort_type_name(info), shape, info.has_shape);
}

py::dict stats_dict(const RunStatistics& s) {
  py::dict d;
  d["wall_ms"] = s.wall_ms;
  d["mode"] = execution_mode_name(s.mode);
  d["threads"] = s.threads;
  d["arena_bytes"] = s.arena_bytes;
  d["sequential_arena_bytes"] = s.sequential_arena_bytes;
  d["peak_live_bytes"] = s.peak_live_bytes;
  d["memory_budget"] = s.memory_budget;
  d["nodes_run"] = s.nodes_run;
  d["max_concurrency"] = s.max_concurrency;
  d["critical_path_ms"] = s.critical_path_ms;
  d["bound_ms"] = s.bound_ms;
  d["note"] = s.note;
  return d;
}

class PySession {
 public:
  PySession(py::object model, const OpenOptions& o) {
    const SessionOptions options = to_session_options(o);
    Result<std::unique_ptr<Session>> opened = Status(StatusCode::kInternal, "not opened");
    if (py::isinstance<py::bytes>(model)) {
      // bytes are immutable and `model` holds them: read in place, without the GIL.
      char* data = nullptr;
      Py_ssize_t size = 0;
      if (PyBytes_AsStringAndSize(model.ptr(), &data, &size) != 0) throw py::error_already_set();
      py::gil_scoped_release no_gil;
      opened = Session::open_from_bytes(std::string_view(data, static_cast<size_t>(size)), options);
    } else {
      // str or os.PathLike
      std::string path = py::str(py::module_::import("os").attr("fspath")(model));
      py::gil_scoped_release no_gil;
      opened = Session::open(path, options);
    }
    throw_if_error(opened.status());
    session_ = std::shared_ptr<Session>(std::move(opened).value());
  }

  py::list inputs() const { return describe_all(live()->inputs()); }
  py::list outputs() const { return describe_all(live()->outputs()); }

  // pybind11's own cast would raise "Unable to cast Python instance to C++
  // type" for [1] or "abc"; say what was wrong instead (fuzz/fuzz_python.py).
  static std::vector<std::string> output_name_list(const py::object& names) {
    std::vector<std::string> list;
    if (names.is_none()) return list;
    if (py::isinstance<py::str>(names) || !py::isinstance<py::sequence>(names))
      throw StatusError{error(StatusCode::kInvalidArgument, "output_names must be a list of output names (str), got ",
                              std::string(py::str(names.get_type().attr("__name__"))))};
    for (const py::handle item : py::reinterpret_borrow<py::sequence>(names)) {
      if (!py::isinstance<py::str>(item))
        throw StatusError{error(StatusCode::kInvalidArgument, "output_names must hold output names (str), got ",
                                std::string(py::str(item.get_type().attr("__name__"))))};
      list.push_back(py::str(item));
    }
    return list;
  }

  py::list run(const py::object& output_names, const py::dict& feeds) {
    std::shared_ptr<Session> session = live();
    std::vector<NamedTensor> inputs;
    std::vector<py::object> keep(feeds.size());
    inputs.reserve(feeds.size());
    size_t i = 0;
    for (auto [key, value] : feeds) {
      if (!py::isinstance<py::str>(key))
        throw StatusError{error(StatusCode::kInvalidArgument, "input_feed keys must be input names (str), got ",
                                std::string(py::str(key.get_type().attr("__name__"))))};
      std::string name = py::str(key);
      const TensorInfo* info = find(session->inputs(), name);
      if (info == nullptr)
        throw StatusError{error(StatusCode::kInvalidArgument, "the model has no input named '", name,
                                "'; its inputs: ", names_of(session->inputs()))};
      inputs.push_back({std::move(name), to_tensor(value, *info, keep[i++])});
    }
    std::vector<std::string> wanted = output_name_list(output_names);

    Result<std::vector<Tensor>> result = Status(StatusCode::kInternal, "not run");
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++in_flight_;
    }
    {
      py::gil_scoped_release no_gil;
      result = session->run(inputs, wanted);
      std::lock_guard<std::mutex> lock(mutex_);
      // Session::last_run_stats may be read only while no other run is in
      // flight; a run starting now waits for this mutex before it begins.
      if (in_flight_ == 1 && result.is_ok()) stats_ = session->last_run_stats();
      --in_flight_;
    }
    throw_if_error(result.status());
    py::list arrays;
    for (Tensor& t : *result) arrays.append(to_numpy(std::move(t)));
    return arrays;
  }

  // Times `runs` calls of Session::run in C++ on the feeds converted once:
  // the C++ API's cost in this process, to measure what run() adds from
  // Python (scripts/python_overhead.py). Milliseconds per run.
  std::vector<double> time_cpp_runs(const py::dict& feeds, int runs) {
    std::shared_ptr<Session> session = live();
    std::vector<NamedTensor> inputs;
    std::vector<py::object> keep(feeds.size());
    size_t i = 0;
    for (auto [key, value] : feeds) {
      std::string name = py::str(key);
      const TensorInfo* info = find(session->inputs(), name);
      if (info == nullptr) throw StatusError{error(StatusCode::kInvalidArgument, "no input named '", name, "'")};
      inputs.push_back({std::move(name), to_tensor(value, *info, keep[i++])});
    }
    std::vector<double> ms;
    ms.reserve(static_cast<size_t>(std::max(runs, 0)));
    py::gil_scoped_release no_gil;
    for (int r = 0; r < runs; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      Result<std::vector<Tensor>> out = session->run(inputs);
      auto t1 = std::chrono::steady_clock::now();
      throw_if_error(out.status());
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    return ms;
  }

  py::dict last_run_stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_dict(stats_);
  }

  py::dict model_info() const {
    const ModelInfo& info = live()->model_info();
    py::dict d;
    d["ir_version"] = info.ir_version;
    d["producer"] = info.producer;
    py::list opsets;
    for (const auto& [domain, version] : info.opsets) opsets.append(py::make_tuple(domain, version));
    d["opsets"] = opsets;
    d["num_nodes"] = info.num_nodes;
    d["weight_bytes"] = info.weight_bytes;
    d["open_ms"] = info.open_ms;
    return d;
  }

  std::string accelerator() const { return accelerator_name(live()->accelerator()); }

  void close() { session_.reset(); }
  bool closed() const { return session_ == nullptr; }

 private:
  std::shared_ptr<Session> live() const {
    std::shared_ptr<Session> s = session_;
    if (!s) throw StatusError{Status(StatusCode::kInvalidArgument, "the InferenceSession is closed")};
    return s;
  }

  static const TensorInfo* find(const std::vector<TensorInfo>& infos, const std::string& name) {
    for (const TensorInfo& info : infos)
      if (info.name == name) return &info;
    return nullptr;
  }

  static std::string names_of(const std::vector<TensorInfo>& infos) {
    std::string out;
    for (const TensorInfo& info : infos) out += (out.empty() ? "'" : ", '") + info.name + "'";
    return out;
  }

  static py::list describe_all(const std::vector<TensorInfo>& infos) {
    py::list out;
    for (const TensorInfo& info : infos) out.append(describe(info));
    return out;
  }

  // Read and replaced with the GIL held: Python threads see it whole.
  std::shared_ptr<Session> session_;
  mutable std::mutex mutex_;  // guards in_flight_ and stats_
  int in_flight_ = 0;
  RunStatistics stats_;
};

}  // namespace

void register_session(py::module_& m) {
  py::class_<PySession>(m, "Session")
      .def(py::init([](py::object model, int num_threads, std::string mode, size_t memory_budget, bool optimize,
                       std::string accelerator, std::optional<size_t> max_tensor_bytes, bool adapt_schedule,
                       uint64_t max_loop_iterations) {
             OpenOptions o{num_threads,      std::move(mode), memory_budget,      optimize, std::move(accelerator),
                           max_tensor_bytes, adapt_schedule,  max_loop_iterations};
             return std::make_unique<PySession>(std::move(model), o);
           }),
           py::arg("model"), py::kw_only(), py::arg("num_threads") = 1, py::arg("mode") = "dataflow",
           py::arg("memory_budget") = 0, py::arg("optimize") = true, py::arg("accelerator") = "none",
           py::arg("max_tensor_bytes") = py::none(), py::arg("adapt_schedule") = true,
           py::arg("max_loop_iterations") = 0, "Opens a model from a path or from its bytes.")
      .def("inputs", &PySession::inputs, "[(name, type, shape, has_shape)] of the graph inputs")
      .def("outputs", &PySession::outputs, "[(name, type, shape, has_shape)] of the graph outputs")
      .def("run", &PySession::run, py::arg("output_names"), py::arg("feeds"),
           "Runs with the GIL released; returns the outputs asked for (None: all) as numpy arrays.")
      .def("last_run_stats", &PySession::last_run_stats)
      .def("_time_cpp_runs", &PySession::time_cpp_runs, py::arg("feeds"), py::arg("runs"))
      .def("model_info", &PySession::model_info)
      .def("accelerator", &PySession::accelerator)
      .def("close", &PySession::close)
      .def_property_readonly("closed", &PySession::closed);
}

}  // namespace parallax::python
