#include "tools/memory_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "partition/plan_html.h"
#include "plan/step_dag.h"

namespace parallax::tools {

namespace {

// Plot geometry in SVG user units (one unit ~ one CSS pixel at 1400 px wide).
constexpr int kWidth = 1400, kLeft = 84, kRight = 16, kTop = 12, kPlotH = 380, kBottom = 34;
constexpr int kPlotW = kWidth - kLeft - kRight;
constexpr int kHeight = kTop + kPlotH + kBottom;

std::string fmt_bytes(double b) {
  char buf[48];
  if (b >= 1024.0 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1024.0 * 1024 * 1024));
  else if (b >= 1024.0 * 1024) std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1024.0 * 1024));
  else if (b >= 1024.0) std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.0f B", b);
  return buf;
}

size_t json_size(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<size_t>() : 0;
}

// 1, 2 or 5 times a power of ten, at least x.
double nice_step(double x) {
  if (x <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= x) return m * p;
  return 10 * p;
}

std::string value_label(const Graph& g, ValueId v) {
  const std::string& n = g.value(v).name;
  return n.empty() ? "value#" + std::to_string(v.index()) : n;
}

const char* kStyle = R"CSS(
*{box-sizing:border-box}
body{font:13px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232b;background:#fff}
header{padding:10px 16px 8px;background:#f3f5f8;border-bottom:1px solid #d5dbe3}
h1{font-size:17px;margin:0 0 6px;word-break:break-all}
h2{font-size:14px;margin:14px 0 4px}
main{padding:4px 16px 30px}
table{border-collapse:collapse;font-size:12px;margin:4px 0}
td,th{padding:2px 8px;border-bottom:1px solid #e3e7ec;text-align:left}
td.num,th.num{text-align:right;white-space:nowrap}
tr.px td{font-weight:600}
.note{color:#555;font-size:12px;margin:2px 0}
.legend{color:#555;font-size:12px;margin:4px 0 0}
svg.mem{display:block;width:100%;max-width:1400px;height:auto;border:1px solid #d5dbe3;background:#fcfcfd}
svg.mem text{font-size:11px;fill:#444}
svg.mem .g{stroke:#e3e7ec;stroke-width:1}
svg.mem .ax{stroke:#888;stroke-width:1}
svg.mem .ar{stroke:#d22;stroke-width:1.5;stroke-dasharray:6 4}
svg.mem text.ar{fill:#d22;stroke:none;font-weight:600}
svg.mem rect{stroke:rgba(0,0,0,.35);stroke-width:.4}
svg.mem rect:hover{fill:#111}
.b0{fill:#4e79a7}.b1{fill:#f28e2b}.b2{fill:#e15759}.b3{fill:#76b7b2}.b4{fill:#59a14f}.b5{fill:#edc948}
.b6{fill:#b07aa1}.b7{fill:#ff9da7}.b8{fill:#9c755f}.b9{fill:#86bcb6}.b10{fill:#8cd17d}.b11{fill:#d4a6c8}
.bn{fill:#bab0ac}
)CSS";

void summary_table(std::ostringstream& o, const nlohmann::json& s) {
  const double seq = static_cast<double>(json_size(s, "sequential_bytes"));
  const double lb = static_cast<double>(json_size(s, "lower_bound_bytes"));
  auto mode_bytes = [&](const char* mode) {
    auto it = s.find(mode);
    return it != s.end() && it->is_object() ? json_size(*it, "arena_bytes") : size_t{0};
  };
  o << "<table id=\"summary\"><tr><th>memory plan</th><th class=\"num\">arena</th><th class=\"num\">bytes</th>"
    << "<th class=\"num\">/ sequential</th></tr>\n";
  auto row = [&](const char* name, size_t bytes, bool ours) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.2fx", seq > 0 ? static_cast<double>(bytes) / seq : 0.0);
    o << "<tr" << (ours ? " class=\"px\"" : "") << "><td>" << name << "</td><td class=\"num\">"
      << fmt_bytes(static_cast<double>(bytes)) << "</td><td class=\"num\">" << bytes << "</td><td class=\"num\">"
      << ratio << "</td></tr>\n";
  };
  row("naive (one buffer per tensor)", json_size(s, "naive_bytes"), false);
  row("sequential greedy by size", json_size(s, "sequential_bytes"), false);
  row("paper: per-branch arenas", json_size(s, "paper_branch_arenas_bytes"), false);
  row("parallax: dataflow schedule", mode_bytes("dataflow"), true);
  row("parallax: layer schedule", mode_bytes("layer"), true);
  row("lower bound (most bytes live at one step)", json_size(s, "lower_bound_bytes"), false);
  char r[64];
  std::snprintf(r, sizeof r, "%.3f", lb > 0 ? seq / lb : 1.0);
  o << "</table>\n<p class=\"note\">sequential / lower bound: " << r << "</p>\n";
  for (const char* mode : {"dataflow", "layer"}) {
    auto it = s.find(mode);
    if (it == s.end() || !it->is_object()) continue;
    const auto& m = *it;
    const std::string note = m.contains("note") && m["note"].is_string() ? m["note"].get<std::string>() : "";
    o << "<p class=\"note\">" << mode << ": " << json_size(m, "data_edges") << " data edges, "
      << json_size(m, "schedule_edges") << " schedule orders added, " << json_size(m, "memory_orders")
      << " buffer pairs share bytes by an order" << (note.empty() ? "" : "; ") << html_escape(note) << "</p>\n";
  }
}

void panel_svg(std::ostringstream& o, const Graph& g, const MemoryPanel& panel, const std::vector<MemoryBlock>& blocks,
               double ymax) {
  const ExecutionPlan& ep = panel.plan;
  const size_t n = std::max<size_t>(ep.order.size(), 1);
  const double sx = static_cast<double>(kPlotW) / static_cast<double>(n);
  const double sy = ymax > 0 ? kPlotH / ymax : 0;
  auto xpos = [&](double p) { return kLeft + static_cast<long>(std::lround(p * sx)); };
  auto ypos = [&](double bytes) { return kTop + kPlotH - static_cast<long>(std::lround(bytes * sy)); };

  o << "<svg class=\"mem\" id=\"panel-" << html_escape(panel.title) << "\" "
    << "viewBox=\"0 0 " << kWidth << ' ' << kHeight << "\" width=\"" << kWidth << "\" height=\"" << kHeight
    << "\" data-values=\"" << blocks.size() << "\">\n";

  // Grid and axes: offsets in the largest unit that fits, positions in steps.
  double unit = 1;
  const char* uname = "B";
  if (ymax >= 1024.0 * 1024) unit = 1024.0 * 1024, uname = "MiB";
  else if (ymax >= 1024.0) unit = 1024.0, uname = "KiB";
  const double ystep = nice_step(ymax / unit / 6);
  for (double t = 0; t * unit <= ymax + 1e-9 && ystep > 0; t += ystep) {
    const long y = ypos(t * unit);
    char lab[40];
    std::snprintf(lab, sizeof lab, "%g %s", t, uname);
    o << "<line class=\"g\" x1=\"" << kLeft << "\" y1=\"" << y << "\" x2=\"" << kLeft + kPlotW << "\" y2=\"" << y
      << "\"/><text x=\"" << kLeft - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << lab << "</text>\n";
  }
  const double xstep = nice_step(static_cast<double>(n) / 12);
  for (double t = 0; t <= static_cast<double>(n) + 1e-9; t += xstep) {
    const long x = xpos(t);
    o << "<line class=\"g\" x1=\"" << x << "\" y1=\"" << kTop << "\" x2=\"" << x << "\" y2=\"" << kTop + kPlotH
      << "\"/><text x=\"" << x << "\" y=\"" << kTop + kPlotH + 14 << "\" text-anchor=\"middle\">"
      << static_cast<long>(t) << "</text>\n";
  }
  o << "<text x=\"" << kLeft + kPlotW / 2 << "\" y=\"" << kHeight - 4
    << "\" text-anchor=\"middle\">execution position (step)</text>\n";

  // One rectangle per arena value.
  for (const MemoryBlock& b : blocks) {
    const long x0 = xpos(b.first), x1 = xpos(b.last + 1.0);
    long y0 = ypos(static_cast<double>(b.offset + b.bytes)), y1 = ypos(static_cast<double>(b.offset));
    if (y1 - y0 < 1) y0 = y1 - 1;
    // Streamed piecewise: GCC 12 warns falsely (-Wrestrict) on "b" + std::to_string(...).
    o << "<rect class=\"b";
    if (b.branch >= 0) o << b.branch % 12;
    else o << 'n';
    o << "\" x=\""
      << x0 << "\" y=\"" << y0 << "\" width=\"" << std::max<long>(x1 - x0, 1) << "\" height=\"" << y1 - y0
      << "\"><title>" << html_escape(value_label(g, b.value)) << "\n"
      << fmt_bytes(static_cast<double>(b.bytes)) << " (" << b.bytes << " B) at offset " << b.offset << "\nsteps "
      << b.first << "-" << b.last << ", branch ";
    if (b.branch >= 0) o << 'b' << b.branch;
    else o << '-';
    o << "</title></rect>\n";
  }

  const long ya = ypos(static_cast<double>(ep.arena_bytes));
  o << "<line class=\"ar\" x1=\"" << kLeft << "\" y1=\"" << ya << "\" x2=\"" << kLeft + kPlotW << "\" y2=\"" << ya
    << "\"/><text class=\"ar\" x=\"" << kLeft + kPlotW - 4 << "\" y=\"" << std::max<long>(ya - 4, kTop + 10)
    << "\" text-anchor=\"end\">arena " << fmt_bytes(static_cast<double>(ep.arena_bytes)) << "</text>\n";
  o << "<line class=\"ax\" x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft << "\" y2=\"" << kTop + kPlotH
    << "\"/><line class=\"ax\" x1=\"" << kLeft << "\" y1=\"" << kTop + kPlotH << "\" x2=\"" << kLeft + kPlotW
    << "\" y2=\"" << kTop + kPlotH << "\"/>\n</svg>\n";
}

}  // namespace

std::vector<MemoryBlock> memory_blocks(const Graph& graph, const ExecutionPlan& ep) {
  std::vector<MemoryBlock> out;
  if (!ep.shapes) return out;
  const ShapePlan& sp = *ep.shapes;
  std::vector<NodeId> nodes(ep.order.size());
  for (size_t p = 0; p < ep.order.size(); ++p) nodes[p] = sp.steps[ep.order[p]].node;
  const ValueUses uses = arena_value_uses(graph, nodes, sp);
  for (size_t v = 0; v < sp.values.size() && v < graph.values.size(); ++v) {
    const ValuePlan& vp = sp.values[v];
    if (vp.storage != Storage::kArena) continue;
    MemoryBlock b;
    b.value = ValueId(static_cast<uint32_t>(v));
    const int32_t w = uses.writer[v];
    b.first = w >= 0 ? static_cast<uint32_t>(w) : 0;
    b.last = b.first;
    for (uint32_t r : uses.readers[v]) b.last = std::max(b.last, r);
    b.offset = v < ep.offsets.size() ? ep.offsets[v] : vp.offset;
    b.bytes = static_cast<size_t>(shape_numel(vp.shape)) * element_size(vp.dtype);
    b.branch = w >= 0 && static_cast<size_t>(w) < ep.branch.size() ? ep.branch[w] : -1;
    out.push_back(b);
  }
  return out;
}

std::string memory_html(const Graph& graph, const std::vector<MemoryPanel>& panels, const nlohmann::json& summary) {
  std::vector<std::vector<MemoryBlock>> blocks;
  double ymax = 1;
  for (const MemoryPanel& p : panels) {
    blocks.push_back(memory_blocks(graph, p.plan));
    ymax = std::max(ymax, static_cast<double>(p.plan.arena_bytes));
    for (const MemoryBlock& b : blocks.back()) ymax = std::max(ymax, static_cast<double>(b.offset + b.bytes));
  }
  const std::string model =
      summary.contains("model") && summary["model"].is_string() ? summary["model"].get<std::string>() : "model";
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>" << html_escape("Parallax memory plan: " + model) << "</title>\n<style>" << kStyle
    << "</style>\n</head>\n<body>\n<header>\n<h1>Parallax memory plan: " << html_escape(model) << "</h1>\n";
  o << "<p class=\"note\">Arena bytes of each memory plan at " << json_size(summary, "threads")
    << " threads, against the sequential plan (what one thread needs).</p>\n";
  summary_table(o, summary);
  o << "<p class=\"legend\">Below: one rectangle per arena tensor, from the step that writes it to the last step "
       "that reads it (x), at its arena offset and as tall as its bytes (y, the same scale in every panel); colour "
       "= the writer's branch (12 colours, repeating); hover for details. Dashed line: the plan's arena size.</p>\n"
    << "</header>\n<main>\n";
  for (size_t i = 0; i < panels.size(); ++i) {
    const ExecutionPlan& ep = panels[i].plan;
    o << "<h2>" << html_escape(panels[i].title) << " plan (" << execution_mode_name(ep.mode) << "): arena "
      << fmt_bytes(static_cast<double>(ep.arena_bytes)) << ", " << ep.order.size() << " steps, " << blocks[i].size()
      << " arena tensors, " << ep.num_branches << " branches</h2>\n";
    if (!ep.note.empty()) o << "<p class=\"note\">" << html_escape(ep.note) << "</p>\n";
    panel_svg(o, graph, panels[i], blocks[i], ymax);
  }
  o << "</main>\n</body></html>\n";
  return o.str();
}

}  // namespace parallax::tools
