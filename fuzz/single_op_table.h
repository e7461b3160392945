// The op table of fuzz/fuzz_single_op.cc: one entry per (registered kernel,
// ONNX schema version) pair, saying what a single-node model of that op may
// hold — its formal inputs and outputs with their allowed dtypes, and its
// attributes.
//
// The table is derived, not written by hand: every kernel in the registry
// (kernels/registry.h) is paired with the ONNX schemas (libonnx's
// OpSchemaRegistry) that fall inside its opset range. Ops that ONNX does not
// define (the com.parallax fused ops) borrow the schema of the op they
// replace plus the attributes the graph optimizer adds (kExtras in the .cc),
// or, with no ONNX op alike (the dynamic int8 MatMuls), have their inputs
// written out from their kernels (own_schemas in the .cc). A kernel that
// gets no entry is reported by uncovered_kernels(), which a ctest checks
// (tests/fuzz_table/single_op_table_test.cc), so that a new kernel cannot
// land without the fuzzer reaching it.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "parallax/data_type.h"

namespace parallax::fuzz {

struct FormalSpec {
  std::string name;
  std::string type_str;         // the type constraint ("T") or a literal type
  std::vector<DataType> types;  // allowed dtypes that the runtime can hold; never empty
  bool optional = false;
  bool variadic = false;
  bool sequence = false;  // seq(tensor(T)) in ONNX: `types` are then the items' element types
};

struct AttrSpec {
  std::string name;
  onnx::AttributeProto::AttributeType type = onnx::AttributeProto::UNDEFINED;
  bool required = false;
};

struct OpSpec {
  std::string domain;
  std::string op_type;
  int opset = 0;  // the model's opset import for this domain
  std::vector<FormalSpec> inputs;
  std::vector<FormalSpec> outputs;
  std::vector<AttrSpec> attrs;
};

// Every fuzzable (op, opset) entry, in a fixed order (the fuzzer indexes it
// with its first bytes, so the order must not depend on registration order).
const std::vector<OpSpec>& single_op_specs();

// "domain:op_type [since, until]" of each registered kernel that has no entry
// in single_op_specs(); empty when the fuzzer reaches every kernel.
std::vector<std::string> uncovered_kernels();

}  // namespace parallax::fuzz
