"""Parallax: an ONNX runtime for edge CPUs, spelled like onnxruntime.

    import parallax as ort
    session = ort.InferenceSession("model.onnx", providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    logits, = session.run(None, {name: image})
"""
import os

# libgomp reads its waiting policy once, when it is loaded, which happens with
# _parallax below. Idle threads that spin briefly and then sleep are as fast
# as spinning forever on a quiet machine and stay within ~2x on shared cores,
# where libgomp's default made swin_v2_t 17x slower (measurements in
# src/tools/parallax_main.cc). A user's own setting wins. Too late if the
# process loaded libgomp before this import (e.g. through another package).
os.environ.setdefault("OMP_WAIT_POLICY", "active")
os.environ.setdefault("GOMP_SPINCOUNT", "30000")

from . import _parallax  # noqa: E402
from ._parallax import (  # noqa: E402,F401
    Fail,
    Internal,
    InvalidArgument,
    InvalidModel,
    NotFound,
    ResourceExhausted,
    Unsupported,
)
from ._options import (  # noqa: E402,F401
    ExecutionMode,
    GraphOptimizationLevel,
    RunOptions,
    SessionOptions,
)
from ._session import (  # noqa: E402,F401
    InferenceSession,
    ModelMetadata,
    NodeArg,
    get_available_providers,
    get_device,
)

# onnxruntime's names for the same errors.
NoSuchFile = NotFound
InvalidGraph = InvalidModel
NotImplemented = Unsupported  # noqa: A001 (onnxruntime's name)
RuntimeException = Internal

__version__ = _parallax.__version__
