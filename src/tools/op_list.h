// The op lists of --accelerator-ops and PARALLAX_ACCELERATOR_OPS: the CLI
// reads them into SessionOptions::accelerator_ops.
//
//   parse_op_list("Conv,Relu, Add")                           // {"Add", "Conv", "Relu"}
//   parse_op_list("src/backends/opencl/tflite_gpu_ops.txt")  // the file's op names
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "parallax/status.h"

namespace parallax::tools {

// "Conv,Relu,Add" or the path of a file with op names separated by commas,
// spaces or newlines ('#' starts a comment). A word that contains '/' or
// ".txt", or names an existing file, is read as a file. An unreadable file
// or a list that names no op is an error.
Result<std::set<std::string>> parse_op_list(std::string_view list_or_file);

}  // namespace parallax::tools
