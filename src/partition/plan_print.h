// Prints a Partition for people and programs.
//
//   std::cout << plan_text(graph, p);   // Table-7 figures, work, bound, multi-branch layers
//   std::cout << plan_json(graph, p).dump(2);
//   std::cout << plan_dot(graph, p);    // Graphviz: one colour per branch, a cluster per layer
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "graph/graph.h"
#include "partition/branches.h"

namespace parallax {

std::string plan_text(const Graph& graph, const Partition& p);
nlohmann::json plan_json(const Graph& graph, const Partition& p);
std::string plan_dot(const Graph& graph, const Partition& p);

}  // namespace parallax
