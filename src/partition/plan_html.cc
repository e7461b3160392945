#include "partition/plan_html.h"

#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

namespace parallax {

namespace {

std::string label(const Graph& g, size_t i) {
  const Node& n = g.nodes[i];
  return n.name.empty() ? n.op_type + "#" + std::to_string(i) : n.name;
}

std::string macs_str(double m) {
  char buf[40];
  if (m >= 1e9) std::snprintf(buf, sizeof buf, "%.3f GMAC", m / 1e9);
  else if (m >= 1e6) std::snprintf(buf, sizeof buf, "%.3f MMAC", m / 1e6);
  else if (m >= 1e3) std::snprintf(buf, sizeof buf, "%.1f kMAC", m / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f MAC", m);
  return buf;
}

// The plan in a compact form for the page's script. Nodes are arrays
// [label, op, macs, branch, region, class] to keep big models small.
nlohmann::json page_data(const Graph& g, const Partition& p, std::span<const NodeWork> work,
                         const PlanHtmlOptions& o) {
  using nlohmann::json;
  json nodes = json::array();
  for (size_t i = 0; i < p.nodes.size() && i < g.nodes.size(); ++i) {
    const NodePlacement& np = p.nodes[i];
    const double macs = i < work.size() ? work[i].macs : -1;
    nodes.push_back(json::array({label(g, i), g.nodes[i].op_type, macs,
                                 np.branch.valid() ? static_cast<int64_t>(np.branch.index()) : -1,
                                 np.region.valid() ? static_cast<int64_t>(np.region.index()) : -1,
                                 np.branch.valid() ? node_class_name(np.cls) : "", np.device_reason}));
  }
  auto ids = [](const auto& v) {
    json a = json::array();
    for (const auto& id : v) a.push_back(id.index());
    return a;
  };
  json branches = json::array();
  for (const Branch& b : p.branches) {
    json ns = json::array();
    for (NodeId n : b.nodes) ns.push_back(n.index());
    branches.push_back({{"layer", b.layer.index()},
                        {"nodes", std::move(ns)},
                        {"macs", b.macs},
                        {"region", b.region.valid() ? static_cast<int64_t>(b.region.index()) : -1},
                        {"preds", ids(b.preds)},
                        {"succs", ids(b.succs)}});
  }
  json layers = json::array();
  for (const Layer& l : p.layers)
    layers.push_back({{"branches", ids(l.branches)}, {"parallel", l.parallel}, {"reason", l.reason}, {"macs", l.macs}});
  json regions = json::array();
  for (const Region& r : p.regions)
    regions.push_back({{"ops", r.nodes.size()},
                       {"macs", r.cost.macs},
                       {"bytes", r.cost.boundary_bytes},
                       {"offload", r.offload},
                       {"reason", r.reason}});
  return {{"title", o.title},
          {"threads", p.threads},
          {"beta", o.beta},
          {"min_ops", o.min_branch_ops},
          {"nodes", std::move(nodes)},
          {"branches", std::move(branches)},
          {"layers", std::move(layers)},
          {"regions", std::move(regions)}};
}

const char* kStyle = R"CSS(
*{box-sizing:border-box}
body{font:13px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232b;background:#fff}
header{padding:10px 16px 8px;background:#f3f5f8;border-bottom:1px solid #d5dbe3}
h1{font-size:17px;margin:0 0 6px;word-break:break-all}
.figs{display:flex;flex-wrap:wrap;gap:4px 10px;margin:0;padding:0;list-style:none}
.figs li{background:#fff;border:1px solid #d5dbe3;border-radius:4px;padding:3px 8px}
.figs b{font-size:15px}
.note{color:#8a4b00;margin:4px 0 0}
.legend{margin:6px 0 0;color:#555;font-size:12px}
.legend span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px}
.tools{margin-top:6px;font-size:12px}
main{display:flex;align-items:flex-start}
#layers{flex:1;min-width:0;padding:6px 12px 40px}
#detail{width:430px;flex:none;position:sticky;top:0;max-height:100vh;overflow:auto;border-left:1px solid #d5dbe3;padding:8px 12px;background:#fbfcfd}
.layer{display:flex;align-items:center;border-left:5px solid #c9ced6;margin:2px 0;padding:2px 4px;min-height:26px}
.layer.par{border-left-color:#1a64d6;background:#e9f1fe}
.layer.seq{border-left-color:#e19b00;background:#fff8e6}
.lab{width:250px;flex:none;font-size:11px;padding-right:6px;overflow:hidden}
.lab .tag{font-weight:600}
.par .tag{color:#1a64d6}.seq .tag{color:#a86f00}
.lab .why{color:#555;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;display:block}
.boxes{display:flex;flex-wrap:wrap;gap:3px;flex:1;min-width:0}
.br{height:24px;min-width:50px;border:1px solid rgba(0,0,0,.28);border-radius:3px;font-size:11px;line-height:22px;padding:0 3px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;cursor:pointer}
.br b{font-weight:600}
.br:hover{filter:brightness(.93)}
.br.dev{border:3px solid #d22;line-height:18px}
.br.sel{outline:2px solid #111;outline-offset:1px}
.br.rel{outline:2px dashed #555;outline-offset:1px}
h2{font-size:14px;margin:4px 0 6px}
table{border-collapse:collapse;width:100%;font-size:12px}
td,th{padding:2px 4px;border-bottom:1px solid #e3e7ec;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}
td.name{overflow-wrap:anywhere}
a.lnk{color:#1a64d6;cursor:pointer;text-decoration:underline;margin-right:4px}
.muted{color:#666}
)CSS";

const char* kScript = R"JS(
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('plan-data').textContent);
  function fm(m) {
    if (m < 0) return '?';
    if (m >= 1e9) return (m / 1e9).toFixed(3) + ' GMAC';
    if (m >= 1e6) return (m / 1e6).toFixed(3) + ' MMAC';
    if (m >= 1e3) return (m / 1e3).toFixed(1) + ' kMAC';
    return Math.round(m) + ' MAC';
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function hue(b) { return ((0.618033988749895 * b) % 1) * 360; }
  var maxLayer = 0;
  D.layers.forEach(function (l) { maxLayer = Math.max(maxLayer, l.macs); });
  var boxes = [];
  var root = document.getElementById('layers');
  D.layers.forEach(function (l, li) {
    var multi = l.branches.length > 1;
    var row = el('div', 'layer' + (multi ? (l.parallel ? ' par' : ' seq') : ' one'));
    row.id = 'L' + li;
    var lab = el('div', 'lab');
    lab.appendChild(el('span', 'tag', 'L' + li + (multi ? (l.parallel ? ' parallel' : ' sequential') : '')));
    lab.appendChild(document.createTextNode(' \u00b7 ' + l.branches.length + ' br \u00b7 ' + fm(l.macs)));
    if (multi) { var why = el('span', 'why', l.reason); why.title = l.reason; lab.appendChild(why); }
    row.appendChild(lab);
    var bx = el('div', 'boxes');
    l.branches.forEach(function (b) {
      var br = D.branches[b];
      var first = D.nodes[br.nodes[0]];
      var box = el('div', 'br' + (br.region >= 0 ? ' dev' : ''));
      box.appendChild(el('b', null, 'b' + b));
      box.appendChild(document.createTextNode(' ' + (br.nodes.length > 1 ? br.nodes.length + ' ops' : first[1]) +
                                              ' \u00b7 ' + fm(br.macs)));
      var pct = maxLayer > 0 ? 100 * br.macs / maxLayer : 0;
      box.style.width = 'max(50px, calc(' + pct.toFixed(2) + '% - 3px))';
      box.style.background = 'hsl(' + hue(b).toFixed(1) + ',60%,80%)';
      box.title = 'b' + b + ': ' + br.nodes.length + ' ops, ' + fm(br.macs) +
                  (br.region >= 0 ? ', accelerator region r' + br.region : '') + '\n' + first[0];
      box.setAttribute('data-b', b);
      box.addEventListener('click', function () { show(b); });
      boxes[b] = box;
      bx.appendChild(box);
    });
    row.appendChild(bx);
    root.appendChild(row);
  });
  var only = document.getElementById('only-multi');
  only.addEventListener('change', function () {
    var rows = root.querySelectorAll('.layer.one');
    for (var i = 0; i < rows.length; ++i) rows[i].style.display = only.checked ? 'none' : '';
  });

  var detail = document.getElementById('detail');
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function links(parent, label, list) {
    var p = el('div', null, label + ': ');
    if (!list.length) p.appendChild(el('span', 'muted', 'none'));
    list.forEach(function (b) {
      var a = el('a', 'lnk', 'b' + b);
      a.addEventListener('click', function () { show(b); });
      p.appendChild(a);
    });
    parent.appendChild(p);
  }
  function regionsTable() {
    clear(detail);
    detail.removeAttribute('data-branch');
    detail.appendChild(el('h2', null, 'Click a branch to list its ops'));
    if (!D.regions.length) {
      detail.appendChild(el('p', 'muted', 'No device regions: every op runs on the CPU.'));
      return;
    }
    detail.appendChild(el('h2', null, 'Device regions'));
    var t = el('table'), h = el('tr');
    ['r', 'ops', 'MACs', 'boundary B', 'decision'].forEach(function (s) { h.appendChild(el('th', null, s)); });
    t.appendChild(h);
    D.regions.forEach(function (r, i) {
      var tr = el('tr');
      tr.appendChild(el('td', null, 'r' + i));
      tr.appendChild(el('td', 'num', r.ops));
      tr.appendChild(el('td', 'num', fm(r.macs)));
      tr.appendChild(el('td', 'num', Math.round(r.bytes)));
      tr.appendChild(el('td', null, (r.offload ? 'offload: ' : 'cpu: ') + r.reason));
      t.appendChild(tr);
    });
    detail.appendChild(t);
  }
  var marked = [];
  function show(b) {
    var br = D.branches[b];
    if (!br) return;
    marked.forEach(function (m) { m.classList.remove('sel'); m.classList.remove('rel'); });
    marked = [boxes[b]];
    boxes[b].classList.add('sel');
    br.preds.concat(br.succs).forEach(function (o) { boxes[o].classList.add('rel'); marked.push(boxes[o]); });
    clear(detail);
    detail.setAttribute('data-branch', b);
    var h = el('h2', null, 'Branch b' + b + ' \u00b7 layer L' + br.layer);
    h.style.borderLeft = '8px solid hsl(' + hue(b).toFixed(1) + ',60%,70%)';
    h.style.paddingLeft = '6px';
    detail.appendChild(h);
    detail.appendChild(el('div', null, br.nodes.length + (br.nodes.length === 1 ? ' op' : ' ops') + ' \u00b7 ' + fm(br.macs) +
      (br.region >= 0 ? ' \u00b7 accelerator region r' + br.region : ' \u00b7 CPU')));
    var l = D.layers[br.layer];
    detail.appendChild(el('div', 'muted', 'L' + br.layer + ': ' + l.branches.length + ' branch(es), ' +
      (l.branches.length > 1 ? (l.parallel ? 'parallel' : 'sequential') + ' (' + l.reason + ')' : 'single branch')));
    links(detail, 'after', br.preds);
    links(detail, 'before', br.succs);
    var t = el('table'), hr = el('tr');
    ['#', 'op', 'name', 'MACs', 'class'].forEach(function (s, i) { hr.appendChild(el('th', i === 3 ? 'num' : null, s)); });
    t.appendChild(hr);
    br.nodes.forEach(function (n, i) {
      var nd = D.nodes[n], tr = el('tr', 'op');
      tr.appendChild(el('td', 'num', i + 1));
      tr.appendChild(el('td', null, nd[1]));
      var name = el('td', 'name', nd[0]);
      name.title = nd[6];
      tr.appendChild(name);
      tr.appendChild(el('td', 'num', fm(nd[2])));
      tr.appendChild(el('td', null, nd[5]));
      t.appendChild(tr);
    });
    detail.appendChild(t);
    var back = el('a', 'lnk', 'device regions');
    back.addEventListener('click', regionsTable);
    detail.appendChild(back);
  }
  regionsTable();
  var m = /^#b(\d+)$/.exec(location.hash);
  if (m) show(Number(m[1]));
  // Marker for tests: the script ran and drew every branch.
  document.body.setAttribute('data-px-rendered', String(root.querySelectorAll('.br').length));
})();
)JS";

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string script_safe_json(const std::string& json_text) {
  // '<', '>' and '&' occur in JSON text only inside strings, where \uXXXX
  // means the same character; U+2028 / U+2029 are escaped for old parsers.
  std::string out;
  out.reserve(json_text.size());
  for (size_t i = 0; i < json_text.size(); ++i) {
    const char c = json_text[i];
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xe2' && i + 2 < json_text.size() && json_text[i + 1] == '\x80' &&
             (json_text[i + 2] == '\xa8' || json_text[i + 2] == '\xa9')) {
      out += json_text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string plan_html(const Graph& graph, const Partition& p, std::span<const NodeWork> work,
                      const PlanHtmlOptions& options) {
  const std::string data =
      page_data(graph, p, work, options).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const double speedup = p.bound_macs > 0 ? p.total_macs / p.bound_macs : 1.0;
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2fx", speedup);
  size_t offloaded = 0;
  for (const Region& r : p.regions) offloaded += r.offload ? 1 : 0;
  std::ostringstream beta;
  beta << options.beta;

  const std::string title = options.title.empty() ? std::string("model") : options.title;
  std::ostringstream o;
  auto fig = [&](const std::string& name, const std::string& value) {
    o << "<li>" << html_escape(name) << " <b>" << html_escape(value) << "</b></li>";
  };
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>" << html_escape("Parallax plan: " + title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n"
    << "<header>\n<h1>Parallax plan: " << html_escape(title) << "</h1>\n<ul class=\"figs\" id=\"summary\">";
  fig("nodes", std::to_string(p.running_nodes));
  fig("branches", std::to_string(p.branches.size()));
  fig("layers", std::to_string(p.layers.size()));
  fig("parallel layers", std::to_string(p.parallel_layers()));
  fig("max branches/layer", std::to_string(p.max_branches_per_layer()));
  fig("work", macs_str(p.total_macs));
  fig("critical path", macs_str(p.critical_path_macs));
  fig("bound (T=" + std::to_string(p.threads) + ")", macs_str(p.bound_macs));
  fig("speed-up limit", ratio);
  if (!p.regions.empty()) fig("device regions", std::to_string(offloaded) + " of " + std::to_string(p.regions.size()) + " offloaded");
  o << "</ul>\n";
  if (!p.work_known) o << "<p class=\"note\">Some shapes are known only at run time; their ops count 0 MACs.</p>\n";
  o << "<p class=\"legend\">Refinement: a layer runs in parallel iff every branch has &ge; "
    << options.min_branch_ops << " ops and F<sub>max</sub>/F<sub>min</sub> &le; &beta; = " << html_escape(beta.str())
    << ". Box width &prop; MACs. "
    << "<span style=\"background:#e9f1fe;border-left:5px solid #1a64d6\">parallel layer</span>"
    << "<span style=\"background:#fff8e6;border-left:5px solid #e19b00\">sequential multi-branch layer</span>"
    << "<span style=\"border:3px solid #d22\">accelerator region</span></p>\n"
    << "<div class=\"tools\"><label><input type=\"checkbox\" id=\"only-multi\"> multi-branch layers only</label>"
    << "</div>\n</header>\n<main>\n<div id=\"layers\"></div>\n<aside id=\"detail\"></aside>\n</main>\n"
    << "<noscript><p>The layer view needs JavaScript.</p></noscript>\n"
    << "<script type=\"application/json\" id=\"plan-data\">" << script_safe_json(data) << "</script>\n"
    << "<script>" << kScript << "</script>\n</body></html>\n";
  return o.str();
}

}  // namespace parallax
