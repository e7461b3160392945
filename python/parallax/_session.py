"""InferenceSession: onnxruntime's session API over _parallax.Session."""
import os
import warnings

from . import _parallax
from ._options import SessionOptions

_CPU = "CPUExecutionProvider"
_OPENCL = "OpenCLExecutionProvider"
_KNOWN = (_CPU, _OPENCL)


def get_available_providers():
    return list(_KNOWN)


def get_device():
    return "CPU"


class NodeArg:
    """A graph input or output: .name, .type ('tensor(float)'), .shape (ints;
    a symbolic dim is its name, an unknown one None), as onnxruntime's."""

    __slots__ = ("name", "type", "shape")

    def __init__(self, name, type, shape):  # noqa: A002 (onnxruntime's name)
        self.name = name
        self.type = type
        self.shape = shape

    def __repr__(self):
        return f"NodeArg(name={self.name!r}, type={self.type!r}, shape={self.shape!r})"


class ModelMetadata:
    def __init__(self, info):
        self.producer_name = info["producer"]
        self.graph_name = ""
        self.graph_description = ""
        self.domain = ""
        self.description = ""
        self.version = int(info["ir_version"])
        self.custom_metadata_map = {}


def _accelerator_from_providers(providers):
    """'opencl' when the OpenCL provider comes before the CPU one, else None.
    Providers may be names or (name, options) pairs, as in onnxruntime; an
    unknown one warns with the same text and is skipped."""
    if providers is None:
        return None
    chosen = None
    for p in providers:
        name = p[0] if isinstance(p, (tuple, list)) else p
        if name not in _KNOWN:
            warnings.warn(
                f"Specified provider '{name}' is not in available provider names."
                f"Available providers: '{', '.join(_KNOWN)}'"
            )
            continue
        if chosen is None:
            chosen = "opencl" if name == _OPENCL else "none"
    return chosen


class InferenceSession:
    """onnxruntime.InferenceSession's API on the Parallax runtime.

    path_or_bytes: a model path (str or os.PathLike) or its bytes.
    sess_options: a parallax.SessionOptions (None: defaults, one thread per CPU).
    providers: ['CPUExecutionProvider'] (default) or with
    'OpenCLExecutionProvider' first to offload to OpenCL.
    """

    def __init__(self, path_or_bytes, sess_options=None, providers=None, provider_options=None, **kwargs):
        self._options = sess_options if sess_options is not None else SessionOptions()
        kwargs_open = self._options._open_kwargs()
        accelerator = _accelerator_from_providers(providers)
        if accelerator is not None and kwargs_open["accelerator"] in ("none", "", None):
            kwargs_open["accelerator"] = accelerator
        if isinstance(path_or_bytes, (bytearray, memoryview)):
            path_or_bytes = bytes(path_or_bytes)
        elif not isinstance(path_or_bytes, (bytes, str, os.PathLike)):
            raise TypeError(f"path_or_bytes must be a path or bytes, not {type(path_or_bytes).__name__}")
        self._model_path = None if isinstance(path_or_bytes, bytes) else os.fspath(path_or_bytes)
        self._sess = _parallax.Session(path_or_bytes, **kwargs_open)
        self._inputs = [NodeArg(n, t, s) for n, t, s, _ in self._sess.inputs()]
        self._outputs = [NodeArg(n, t, s) for n, t, s, _ in self._sess.outputs()]
        self._providers = ([_OPENCL] if self._sess.accelerator() == "opencl" else []) + [_CPU]

    def get_inputs(self):
        return list(self._inputs)

    def get_outputs(self):
        return list(self._outputs)

    def get_overridable_initializers(self):
        return []

    def get_providers(self):
        return list(self._providers)

    def get_provider_options(self):
        return {p: {} for p in self._providers}

    def get_session_options(self):
        return self._options

    def get_modelmeta(self):
        return ModelMetadata(self._sess.model_info())

    def run(self, output_names, input_feed, run_options=None):
        """Returns the outputs named (None or []: all) as a list of numpy
        arrays; only what they depend on is computed. The GIL is released
        while the model runs."""
        return self._sess.run(output_names or None, input_feed)

    def last_run_stats(self):
        """The last run's statistics: wall_ms, mode, threads, arena_bytes,
        note and more (a dict)."""
        return self._sess.last_run_stats()

    def close(self):
        """Frees the runtime session; later calls raise parallax.InvalidArgument."""
        self._sess.close()

    def end_profiling(self):
        return ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
