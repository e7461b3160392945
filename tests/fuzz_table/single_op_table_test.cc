// The per-op fuzzer (fuzz/fuzz_single_op.cc) must reach every registered
// kernel: a kernel without an entry in its op table fails here, in the
// normal build, rather than going unfuzzed unnoticed.
#include "single_op_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

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

}  // namespace
}  // namespace parallax::fuzz
