#!/usr/bin/env bash
# Installs a build into a fresh prefix and checks what a user of the library
# gets there: the SONAME, only the API exported, and programs built with
# nothing but that prefix (CMake package, pkg-config; C++ and the C API as
# C11) that run a model.
#   check_install.sh BUILD_DIR SOURCE_DIR RELU_MODEL
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2") model=$(realpath "$3")
work="$build/install-check"
prefix="$work/prefix"
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$prefix" >/dev/null

lib=$(find "$prefix" -name 'libparallax.so' | head -1)
[[ -n "$lib" ]] || { echo "no libparallax.so under $prefix"; exit 1; }
libdir=$(dirname "$lib")
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ "$soname" == libparallax.so.0 ]] || { echo "SONAME is '$soname', expected libparallax.so.0"; exit 1; }
[[ -f "$libdir/$soname" ]] || { echo "$soname is not installed beside libparallax.so"; exit 1; }
for f in parallax.h session.h tensor.h status.h data_type.h export.h c_api.h; do
  [[ -f "$prefix/include/parallax/$f" ]] || { echo "header parallax/$f is not installed"; exit 1; }
done

# Only the API: every exported symbol is a C API function or belongs to a
# type or function that include/parallax/ marks PARALLAX_API.
api='^(px_[a-z0-9_]+|Px[A-Za-z]+$|parallax::(Session|Tensor|Status)::|parallax::(status_code_name|shape_numel|shape_to_string|element_size|data_type_name|is_supported|is_half_float|is_storable|execution_mode_name|parse_execution_mode|make_weight_cache|big_cores|accelerator_name|parse_accelerator|operator-)(\[abi:cxx11\])?\()'
nm -DC --defined-only "$lib" | cut -d' ' -f3- > "$work/exports.txt"
if grep -Ev "$api" "$work/exports.txt" > "$work/unexpected.txt"; then
  echo "libparallax.so exports $(wc -l < "$work/unexpected.txt") symbols outside the API, e.g.:"
  head -5 "$work/unexpected.txt"
  exit 1
fi
grep -q '^parallax::Session::open(' "$work/exports.txt" || { echo "Session::open is not exported"; exit 1; }
grep -qx 'PxSessionRun' "$work/exports.txt" || { echo "the C API (PxSessionRun) is not exported"; exit 1; }
echo "exports: $(wc -l < "$work/exports.txt") symbols, all API"

# A CMake consumer.
cmake -S "$src/tests/consumer" -B "$work/cmake-consumer" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake-consumer" >/dev/null
"$work/cmake-consumer/consumer" "$model"
"$work/cmake-consumer/consumer_c" "$model"

# A pkg-config consumer.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
read -r -a flags <<< "$(pkg-config --cflags --libs parallax)"
c++ -std=c++20 -Wall -Wextra -Werror "$src/tests/consumer/consumer.cc" "${flags[@]}" -Wl,-rpath,"$libdir" \
  -o "$work/pkgconfig-consumer"
"$work/pkgconfig-consumer" "$model"
cc -std=c11 -Wall -Wextra -pedantic -Werror "$src/tests/consumer/consumer_c.c" "${flags[@]}" -Wl,-rpath,"$libdir" \
  -o "$work/pkgconfig-consumer-c"
"$work/pkgconfig-consumer-c" "$model"
echo "install check passed: $prefix"
