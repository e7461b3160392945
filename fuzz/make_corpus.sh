#!/usr/bin/env bash
# Seeds fuzz/corpus/<fuzzer>/ (generated, gitignored) for the libFuzzer targets:
#   fuzz_model_load:   ONNX node test models and the models/*.onnx under 1 MiB
#   fuzz_tensor_proto: the node tests' test_data_set_0/*.pb under 1 MiB, each
#                      behind a selector byte (see fuzz_tensor_proto.cc)
#   fuzz_run_shapes:   a few byte strings that pick each model with small dims
#   fuzz_capi_model_bytes: the same models as fuzz_model_load (copied at the end)
# Existing files are kept, so what the fuzzers found accumulates.
set -euo pipefail
cd "$(dirname "$0")/.."
data=/usr/share/libonnx-testdata/data/node
out=fuzz/corpus
mkdir -p "$out/fuzz_model_load" "$out/fuzz_tensor_proto" "$out/fuzz_run_shapes"

small() { [[ -f "$1" && $(stat -c %s "$1") -lt 1048576 ]]; }

if [[ -d "$data" ]]; then
  for model in "$data"/*/model.onnx; do
    test=$(basename "$(dirname "$model")")
    small "$model" && cp -n "$model" "$out/fuzz_model_load/$test.onnx"
    for pb in "$data/$test"/test_data_set_0/*.pb; do
      [[ -e "$pb" ]] || continue
      small "$pb" || continue
      # Byte 0 is the fuzzer's selector (bit 0: allow external data); 0 = refuse it.
      dst="$out/fuzz_tensor_proto/${test}_$(basename "$pb")"
      [[ -e "$dst" ]] || { printf '\x00' && cat "$pb"; } >"$dst"
    done
  done
else
  echo "make_corpus.sh: $data is missing (apt install libonnx-testdata); node seeds skipped" >&2
fi

if [[ -d models ]]; then
  for model in models/*.onnx; do
    [[ -e "$model" ]] || continue
    small "$model" && cp -n "$model" "$out/fuzz_model_load/models_$(basename "$model")"
  done
fi

# fuzz_run_shapes: byte 0 picks one of 10 (model, mode) slots, then one byte
# per symbolic dim (0..64) and one per value. Dims of 2..3 give runs that
# mostly succeed, so the fuzzer starts from working shapes.
for slot in 0 1 2 3 4 5 6 7 8 9; do
  { printf "\\x$(printf %02x "$slot")"; printf '\x01\x03\x04\x04\x02\x02\x02\x02\x02\x02'; for _ in $(seq 64); do printf '\012\204\011\202'; done; } \
    >"$out/fuzz_run_shapes/seed_$slot"
done
echo "corpus: $(ls "$out/fuzz_model_load" | wc -l) models, $(ls "$out/fuzz_tensor_proto" | wc -l) tensors," \
  "$(ls "$out/fuzz_run_shapes" | wc -l) shape seeds"

# The C API's model-bytes entry takes the same files as fuzz_model_load.
mkdir -p "$out/fuzz_capi_model_bytes"
cp -n "$out"/fuzz_model_load/* "$out/fuzz_capi_model_bytes/" 2>/dev/null || true
