// One self-contained HTML page to explore a Partition in a browser: inline
// CSS and a little vanilla JavaScript, no external resources.
//
//   std::ofstream("plan.html") << plan_html(graph, p, work, {.title = "googlenet.onnx"});
//
// The page shows the Table-7 figures, work, critical path and the bound;
// one row per layer with its branches as boxes (width proportional to MACs,
// one colour per branch), parallel / sequential layers marked with the
// reason, offloaded device regions outlined in red; clicking a branch (or
// opening the page with #b12) lists its ops with their MACs.
//
// Escaping: text written into the markup goes through html_escape; the plan
// itself is embedded as JSON in a <script type="application/json"> element
// with '<', '>' and '&' written as \u003c, \u003e, \u0026 (so a name such as
// "</script>" cannot end the element) and invalid UTF-8 replaced; the script
// puts model strings into the page with textContent only, never as markup.
#pragma once

#include <span>
#include <string>

#include "graph/graph.h"
#include "partition/branches.h"
#include "partition/work_estimate.h"

namespace parallax {

struct PlanHtmlOptions {
  std::string title;           // shown in the heading, e.g. the model path
  double beta = 1.5;           // the refinement settings the plan was made with
  int64_t min_branch_ops = 3;  // (shown in the summary only)
};

// `work` is indexed by NodeId (estimate_work); it may be empty (MACs then
// come from the branch totals only and ops show no MACs).
std::string plan_html(const Graph& graph, const Partition& p, std::span<const NodeWork> work,
                      const PlanHtmlOptions& options = {});

// &, <, >, " and ' as character references.
std::string html_escape(const std::string& s);

// A JSON text made safe to sit inside a <script> element.
std::string script_safe_json(const std::string& json_text);

}  // namespace parallax
