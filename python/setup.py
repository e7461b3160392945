"""pip install --no-build-isolation ./python

Builds the extension with CMake (the repository above this folder, target
_parallax, into python/build-pip/) and packages <build>/python/parallax/:
the .py files, _parallax*.so and libparallax.so.0 (found through RPATH
$ORIGIN). PARALLAX_BUILD_DIR=build packages an existing build instead.
"""
import glob
import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cmake_build_dir():
    prebuilt = os.environ.get("PARALLAX_BUILD_DIR")
    if prebuilt:
        return os.path.abspath(prebuilt)
    build = os.path.join(HERE, "build-pip")
    subprocess.check_call(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                           f"-DPython_EXECUTABLE={sys.executable}", "-DPARALLAX_BUILD_TESTS=OFF",
                           "-DPARALLAX_BUILD_BENCH=OFF"])
    subprocess.check_call(["cmake", "--build", build, "-j2", "--target", "_parallax"])
    return build


class BuildWithCMake(build_py):
    def run(self):
        super().run()
        package = os.path.join(cmake_build_dir(), "python", "parallax")
        binaries = glob.glob(os.path.join(package, "_parallax*.so")) + glob.glob(os.path.join(package, "libparallax.so.*"))
        if len(binaries) < 2:
            raise RuntimeError(f"no _parallax extension and libparallax.so.0 in {package}: build target _parallax")
        target = os.path.join(self.build_lib, "parallax")
        os.makedirs(target, exist_ok=True)
        for f in binaries:
            shutil.copy2(f, target)


setup(
    name="parallax",
    version="0.1.0",
    description="Parallax ONNX runtime, with onnxruntime's Python API",
    packages=["parallax"],
    package_dir={"parallax": "parallax"},
    python_requires=">=3.9",
    install_requires=["numpy"],
    cmdclass={"build_py": BuildWithCMake},
    zip_safe=False,
)
