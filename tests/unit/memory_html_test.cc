// `parallax plan --memory --format html`: the page draws one rectangle per
// arena tensor in each panel, inside the SVG's viewBox, and tensors live at
// the same time never share bytes (tests/memory_html_render.sh checks the
// page in a real browser).
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "format/onnx_loader.h"
#include "model_builder.h"
#include "runtime/program.h"
#include "tools/memory_html.h"

namespace parallax {
namespace {

size_t count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

struct Rect {
  long x, y, w, h;
};

struct Panel {
  long vw = 0, vh = 0;  // viewBox size (origin 0 0)
  std::vector<Rect> rects;
};

std::vector<Panel> parse_panels(const std::string& html) {
  std::vector<Panel> out;
  const std::regex view(R"re(viewBox="0 0 (\d+) (\d+)")re");
  const std::regex rect(R"re(<rect class="(b\d+|bn)" x="(-?\d+)" y="(-?\d+)" width="(-?\d+)" height="(-?\d+)">)re");
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    const size_t end = html.find("</svg>", at);
    EXPECT_NE(end, std::string::npos);
    const std::string svg = html.substr(at, end - at);
    Panel p;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(svg, m, view)) << svg.substr(0, 200);
    p.vw = std::stol(m[1]);
    p.vh = std::stol(m[2]);
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), rect); it != std::sregex_iterator(); ++it)
      p.rects.push_back({std::stol((*it)[2]), std::stol((*it)[3]), std::stol((*it)[4]), std::stol((*it)[5])});
    out.push_back(std::move(p));
  }
  return out;
}

bool overlap(long a0, long a1, long b0, long b1) { return a0 < b1 && b0 < a1; }

// x -> s (a name that is markup); s -> a0 -> a1 -> a2 and s -> b0 -> b1 -> b2
// (two branches of 3 ops: a parallel layer); a2 + b2 -> y.
const std::string kBadName = "s</title><script>x</script>&";

std::string diamond_model() {
  testing::ModelBuilder b(14);
  b.input("x", onnx::TensorProto::FLOAT, {1, 256});
  b.node("Relu", {"x"}, {kBadName});
  for (const char* side : {"a", "b"}) {
    std::string prev = kBadName;
    for (int k = 0; k < 3; ++k) {
      const std::string v = std::string(side) + std::to_string(k);
      b.node(k == 1 ? "Sigmoid" : "Tanh", {prev}, {v});
      prev = v;
    }
  }
  b.node("Add", {"a2", "b2"}, {"y"});
  b.output("y", onnx::TensorProto::FLOAT, {1, 256});
  return b.bytes();
}

struct Plans {
  std::shared_ptr<Graph> graph;
  std::shared_ptr<const ExecutionPlan> dataflow, sequential;
};

Plans make_plans() {
  Plans out;
  auto model = load_model_from_bytes(diamond_model(), {}, {});
  EXPECT_TRUE(model.is_ok()) << model.status().to_string();
  out.graph = (*model)->graph;
  const std::vector<Tensor> inputs = {Tensor::allocate(DataType::kFloat32, {1, 256})};
  for (ExecutionMode mode : {ExecutionMode::kDataflow, ExecutionMode::kSequential}) {
    auto program = Program::compile(out.graph, {.num_threads = 2, .mode = mode});
    EXPECT_TRUE(program.is_ok()) << program.status().to_string();
    auto ep = (*program)->execution_plan_for(inputs, {});
    EXPECT_TRUE(ep.is_ok()) << ep.status().to_string();
    (mode == ExecutionMode::kDataflow ? out.dataflow : out.sequential) = *ep;
  }
  return out;
}

nlohmann::json summary_of(const Plans& p) {
  return {{"model", "diamond<&>.onnx"},
          {"threads", 2},
          {"naive_bytes", p.dataflow->naive_bytes},
          {"sequential_bytes", p.dataflow->sequential_arena_bytes},
          {"paper_branch_arenas_bytes", p.dataflow->paper_arena_bytes},
          {"lower_bound_bytes", p.dataflow->lower_bound_bytes},
          {"dataflow",
           {{"arena_bytes", p.dataflow->arena_bytes}, {"schedule_edges", 0}, {"memory_orders", 0},
            {"data_edges", p.dataflow->data_edges}, {"note", ""}}},
          {"layer", {{"arena_bytes", 0}, {"schedule_edges", 0}, {"memory_orders", 0}, {"data_edges", 0}, {"note", ""}}}};
}

size_t arena_values(const ExecutionPlan& ep) {
  size_t n = 0;
  for (const ValuePlan& v : ep.shapes->values) n += v.storage == Storage::kArena ? 1 : 0;
  return n;
}

TEST(MemoryHtml, BlocksFollowTheExecutionOrder) {
  Plans p = make_plans();
  ASSERT_TRUE(p.dataflow && p.sequential);
  EXPECT_EQ(p.dataflow->mode, ExecutionMode::kDataflow);
  EXPECT_EQ(p.sequential->mode, ExecutionMode::kSequential);
  for (const auto& ep : {p.dataflow, p.sequential}) {
    const auto blocks = tools::memory_blocks(*p.graph, *ep);
    ASSERT_EQ(blocks.size(), arena_values(*ep));
    ASSERT_EQ(blocks.size(), 7u);  // s, a0..a2, b0..b2; y is an output
    for (const auto& b : blocks) {
      EXPECT_LE(b.first, b.last);
      EXPECT_LT(b.last, ep->order.size());
      EXPECT_EQ(b.bytes, 256u * 4);
      EXPECT_LE(b.offset + b.bytes, ep->arena_bytes);
      EXPECT_EQ(b.branch, ep->branch[b.first]);
    }
    // Tensors live at the same time (lifetimes share a step) never share bytes.
    for (size_t i = 0; i < blocks.size(); ++i)
      for (size_t j = i + 1; j < blocks.size(); ++j) {
        const auto &a = blocks[i], &b = blocks[j];
        if (a.first <= b.last && b.first <= a.last) {
          EXPECT_FALSE(overlap(static_cast<long>(a.offset), static_cast<long>(a.offset + a.bytes),
                               static_cast<long>(b.offset), static_cast<long>(b.offset + b.bytes)))
              << execution_mode_name(ep->mode) << ": " << p.graph->value(a.value).name << " and "
              << p.graph->value(b.value).name;
        }
      }
  }
  // The two branches get different colours in the dataflow panel.
  std::set<int32_t> branches;
  for (const auto& b : tools::memory_blocks(*p.graph, *p.dataflow)) branches.insert(b.branch);
  EXPECT_GE(branches.size(), 3u);
}

TEST(MemoryHtml, DrawsOneRectPerArenaValueInEachPanel) {
  Plans p = make_plans();
  ASSERT_TRUE(p.dataflow && p.sequential);
  const std::string html = tools::memory_html(
      *p.graph, {{"dataflow", *p.dataflow}, {"sequential", *p.sequential}}, summary_of(p));

  EXPECT_EQ(count(html, "<svg"), 2u);
  EXPECT_EQ(count(html, "</svg>"), 2u);
  // Self-contained and no markup from model strings.
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("s&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;&amp;"), std::string::npos);
  EXPECT_NE(html.find("diamond&lt;&amp;&gt;.onnx"), std::string::npos);
  // The summary table and one arena line per panel.
  EXPECT_NE(html.find("parallax: dataflow schedule"), std::string::npos);
  EXPECT_NE(html.find("lower bound"), std::string::npos);
  EXPECT_EQ(count(html, "<line class=\"ar\""), 2u);

  const std::vector<Panel> panels = parse_panels(html);
  ASSERT_EQ(panels.size(), 2u);
  ASSERT_EQ(panels[0].rects.size(), arena_values(*p.dataflow));
  ASSERT_EQ(panels[1].rects.size(), arena_values(*p.sequential));
  for (const Panel& panel : panels) {
    ASSERT_GT(panel.vw, 0);
    ASSERT_GT(panel.vh, 0);
    for (const Rect& r : panel.rects) {
      EXPECT_GE(r.x, 0);
      EXPECT_GE(r.y, 0);
      EXPECT_GT(r.w, 0);
      EXPECT_GT(r.h, 0);
      EXPECT_LE(r.x + r.w, panel.vw);
      EXPECT_LE(r.y + r.h, panel.vh);
    }
    // Rectangles that overlap in time never overlap in bytes: in either plan,
    // values live together get disjoint bytes.
    for (size_t i = 0; i < panel.rects.size(); ++i)
      for (size_t j = i + 1; j < panel.rects.size(); ++j) {
        const Rect &a = panel.rects[i], &b = panel.rects[j];
        EXPECT_FALSE(overlap(a.x, a.x + a.w, b.x, b.x + b.w) && overlap(a.y, a.y + a.h, b.y, b.y + b.h))
            << "rects " << i << " and " << j;
      }
  }
  // Same y scale: the same bytes are the same height in both panels.
  EXPECT_EQ(panels[0].rects[0].h, panels[1].rects[0].h);
}

}  // namespace
}  // namespace parallax
