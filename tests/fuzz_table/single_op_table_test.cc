// The per-op fuzzer (fuzz/fuzz_single_op.cc) must reach every registered
// kernel: a kernel without an entry in its op table fails here, in the
// normal build, rather than going unfuzzed unnoticed.
#include "single_op_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "kernels/registry.h"

namespace parallax::fuzz {
namespace {

TEST(SingleOpTable, CoversEveryRegisteredKernel) {
  const std::vector<std::string> missing = uncovered_kernels();
  std::string list;
  for (const std::string& m : missing) list += "\n  " + m;
  EXPECT_TRUE(missing.empty()) << "kernels the per-op fuzzer cannot build (add them to kExtras in "
                                  "fuzz/single_op_table.cc):"
                               << list;
}

TEST(SingleOpTable, EveryEntryIsARegisteredKernel) {
  ASSERT_FALSE(single_op_specs().empty());
  for (const OpSpec& s : single_op_specs()) {
    EXPECT_NE(KernelRegistry::global().find(s.domain, s.op_type, s.opset), nullptr)
        << s.domain << ":" << s.op_type << " at opset " << s.opset;
    for (const FormalSpec& f : s.inputs) EXPECT_FALSE(f.types.empty()) << s.op_type << " input " << f.name;
  }
}

TEST(SingleOpTable, EveryRegisteredOpTypeAppears) {
  std::set<std::string> in_table;
  for (const OpSpec& s : single_op_specs()) in_table.insert(s.domain + ":" + s.op_type);
  for (const KernelDef& d : KernelRegistry::global().all())
    EXPECT_TRUE(in_table.count(d.domain + ":" + d.op_type)) << d.domain << ":" << d.op_type;
}

// The dynamic int8 MatMuls get their own inputs, not MatMulInteger's (whose
// third input, an int8 zero point, their kernels refuse as a scale before
// the GEMM is reached).
TEST(SingleOpTable, DynamicInt8MatMulsTakeTheirRealInputs) {
  int found = 0;
  for (const OpSpec& s : single_op_specs()) {
    if (s.op_type != "DynamicQuantizeMatMul" && s.op_type != "MatMulIntegerToFloat") continue;
    ++found;
    const bool dynamic = s.op_type == "DynamicQuantizeMatMul";
    ASSERT_EQ(s.inputs.size(), dynamic ? 5u : 7u) << s.domain << ":" << s.op_type;
    const std::vector<DataType> f32 = {DataType::kFloat32};
    const std::vector<DataType> int8s = {DataType::kUInt8, DataType::kInt8};
    EXPECT_EQ(s.inputs[0].types, dynamic ? f32 : int8s);
    EXPECT_EQ(s.inputs[1].types, int8s);
    EXPECT_EQ(s.inputs[2].types, f32) << s.inputs[2].name;  // b_scale / a_scale
    EXPECT_EQ(s.inputs.back().name, "bias");
    EXPECT_EQ(s.inputs.back().types, f32);
    EXPECT_TRUE(s.inputs.back().optional);
  }
  EXPECT_EQ(found, 4);  // com.parallax and com.microsoft forms of both
}

}  // namespace
}  // namespace parallax::fuzz
