#include "tools/op_list.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace parallax::tools {

Result<std::set<std::string>> parse_op_list(std::string_view list_or_file) {
  std::string text(list_or_file);
  std::error_code ec;
  const bool looks_like_file = text.find('/') != std::string::npos || text.find(".txt") != std::string::npos ||
                               std::filesystem::is_regular_file(text, ec);
  if (looks_like_file) {
    std::ifstream in(text);
    if (!in) return error(StatusCode::kNotFound, "cannot open op list file '", text, "'");
    std::ostringstream all;
    std::string line;
    while (std::getline(in, line)) all << line.substr(0, line.find('#')) << '\n';
    text = all.str();
  }
  std::set<std::string> ops;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) ops.insert(word);
    word.clear();
  };
  for (char ch : text) {
    if (ch == ',' || ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r')
      flush();
    else
      word += ch;
  }
  flush();
  if (ops.empty()) return error(StatusCode::kInvalidArgument, "the op list '", list_or_file, "' names no op");
  return ops;
}

}  // namespace parallax::tools
