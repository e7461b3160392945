# Cross build for 64-bit ARM Linux (phones, Jetson, Raspberry Pi 4/5,
# RK3588) with Debian's cross toolchain (crossbuild-essential-arm64):
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#         -DPX_ARM64_OVERLAY=$PWD/build-arm64/overlay
# scripts/setup.sh --arch arm64 installs the toolchain and the arm64 libraries
# and makes the overlay. Tests run under qemu-aarch64-static (ctest prefixes
# every test program with CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Most arm64 libraries are installed beside the host's (Debian multiarch:
# /usr/lib/aarch64-linux-gnu). Two -dev packages cannot be: libdnnl-dev's
# dnnl_config.h and libonnxifi's /usr/lib/libonnxifi.so differ between
# architectures at the same path. Their arm64 files are unpacked into the
# overlay instead, with the libraries they name.
set(PX_ARM64_OVERLAY "" CACHE PATH "Unpacked arm64 libdnnl-dev/libonnx-dev (scripts/setup.sh --arch arm64)")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES PX_ARM64_OVERLAY)  # the compiler checks read this file too
if(NOT PX_ARM64_OVERLAY OR NOT EXISTS "${PX_ARM64_OVERLAY}/usr/include/oneapi/dnnl/dnnl_config.h")
  message(FATAL_ERROR "PX_ARM64_OVERLAY must name the overlay made by scripts/setup.sh --arch arm64")
endif()
set(CMAKE_FIND_ROOT_PATH "${PX_ARM64_OVERLAY}" /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)  # protoc and the tools run on the host
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
# The overlay's headers (arm64's dnnl_config.h) before /usr/include's.
set(CMAKE_C_FLAGS_INIT "-isystem ${PX_ARM64_OVERLAY}/usr/include")
set(CMAKE_CXX_FLAGS_INIT "-isystem ${PX_ARM64_OVERLAY}/usr/include")

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
