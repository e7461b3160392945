// Input making and output summaries shared by the CLI subcommands.
#pragma once

#include <string>
#include <vector>

#include "parallax/session.h"

namespace parallax::tools {

// Random inputs for every model input; symbolic dims come from `shapes`
// ("name=1x3x640x640") or default to 1.
Result<std::vector<NamedTensor>> make_random_inputs(const Session& session, const std::vector<std::string>& shapes,
                                                    uint32_t seed);
// input_<i>.pb files of a test-data folder, matched to model inputs by position.
Result<std::vector<NamedTensor>> read_input_dir(const Session& session, const std::string& dir);
// "min -1.2 max 3.4 mean 0.5" for numeric tensors (first values for small ones).
std::string summarize(const Tensor& t);

}  // namespace parallax::tools
