"""SessionOptions and RunOptions as onnxruntime spells them, plus Parallax's own."""
import enum
import os


class GraphOptimizationLevel(enum.IntEnum):
    """onnxruntime's levels. Parallax has one set of graph cleanups and
    fusions: ORT_DISABLE_ALL turns it off, every other level on."""

    ORT_DISABLE_ALL = 0
    ORT_ENABLE_BASIC = 1
    ORT_ENABLE_EXTENDED = 2
    ORT_ENABLE_ALL = 99


class ExecutionMode(enum.IntEnum):
    """onnxruntime's modes: ORT_SEQUENTIAL runs Parallax's 'sequential'
    schedule, ORT_PARALLEL its 'dataflow' one."""

    ORT_SEQUENTIAL = 0
    ORT_PARALLEL = 1


_MODES = ("sequential", "layer", "dataflow")


class SessionOptions:
    """Options of an InferenceSession.

    onnxruntime's: intra_op_num_threads (0: one per CPU this process may use),
    graph_optimization_level, execution_mode (ExecutionMode or Parallax's
    'sequential' / 'layer' / 'dataflow'). Parallax's own: memory_budget
    (bytes of activation arena, 0: available memory less a margin),
    accelerator ('none' or 'opencl'), max_tensor_bytes, adapt_schedule,
    max_loop_iterations (0: unlimited).
    onnxruntime settings without a Parallax meaning (inter_op_num_threads,
    log levels, arena and memory-pattern switches, profiling) are accepted
    and ignored, so that scripts that set them run unchanged.
    """

    _IGNORED = (
        "inter_op_num_threads",
        "log_severity_level",
        "log_verbosity_level",
        "logid",
        "enable_cpu_mem_arena",
        "enable_mem_pattern",
        "enable_mem_reuse",
        "enable_profiling",
        "profile_file_prefix",
        "optimized_model_filepath",
        "use_deterministic_compute",
    )

    def __init__(self):
        self.intra_op_num_threads = 0
        self.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_ALL
        self.execution_mode = "dataflow"
        self.memory_budget = 0
        self.accelerator = "none"
        self.max_tensor_bytes = None
        self.adapt_schedule = True
        self.max_loop_iterations = 0
        for name in self._IGNORED:
            object.__setattr__(self, name, None)
        self._config = {}

    def __setattr__(self, name, value):
        # Like onnxruntime's (a pybind11 class), a misspelt option is an error.
        if name not in self.__dict__ and not name.startswith("_") and name not in (
            "intra_op_num_threads",
            "graph_optimization_level",
            "execution_mode",
            "memory_budget",
            "accelerator",
            "max_tensor_bytes",
            "adapt_schedule",
            "max_loop_iterations",
        ):
            raise AttributeError(f"'SessionOptions' object has no attribute '{name}'")
        object.__setattr__(self, name, value)

    def add_session_config_entry(self, key, value):
        self._config[str(key)] = str(value)

    def get_session_config_entry(self, key):
        return self._config[key]

    def _num_threads(self):
        n = int(self.intra_op_num_threads or 0)
        if n < 0:
            raise ValueError(f"intra_op_num_threads is {n}, must be >= 0")
        if n == 0:
            n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return n

    def _mode(self):
        mode = self.execution_mode
        if isinstance(mode, ExecutionMode):
            return "sequential" if mode == ExecutionMode.ORT_SEQUENTIAL else "dataflow"
        if mode not in _MODES:
            raise ValueError(f"execution_mode is {mode!r}; use one of {_MODES} or parallax.ExecutionMode")
        return mode

    def _open_kwargs(self):
        """The keyword arguments of _parallax.Session."""
        return dict(
            num_threads=self._num_threads(),
            mode=self._mode(),
            memory_budget=int(self.memory_budget or 0),
            optimize=int(self.graph_optimization_level) != GraphOptimizationLevel.ORT_DISABLE_ALL,
            accelerator=self.accelerator or "none",
            max_tensor_bytes=self.max_tensor_bytes,
            adapt_schedule=bool(self.adapt_schedule),
            max_loop_iterations=int(self.max_loop_iterations or 0),
        )


class RunOptions:
    """Accepted for onnxruntime compatibility; Parallax reads none of it."""

    def __init__(self):
        self.log_severity_level = 2
        self.log_verbosity_level = 0
        self.logid = ""
        self.run_tag = ""
        self.terminate = False

    def add_run_config_entry(self, key, value):
        pass
