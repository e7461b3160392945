// `parallax plan --format html`: escaping of model strings and the embedded
// plan data (tests/plan_html_render.sh checks the page in a real browser).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "partition/plan_html.h"
#include "partition_graph.h"

namespace parallax {
namespace {

size_t count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

// The JSON text inside <script type="application/json" id="plan-data">.
nlohmann::json embedded_data(const std::string& html) {
  const std::string open = "id=\"plan-data\">";
  const size_t begin = html.find(open);
  EXPECT_NE(begin, std::string::npos);
  const size_t end = html.find("</script>", begin);
  return nlohmann::json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

const std::string kBad = "</script><img src=x onerror=\"alert(1)\">&amp;'";

TEST(PlanHtml, EscapesMarkupCharacters) {
  EXPECT_EQ(html_escape("a<b>&\"'c"), "a&lt;b&gt;&amp;&quot;&#39;c");
  EXPECT_EQ(html_escape("plain /x.onnx"), "plain /x.onnx");
}

TEST(PlanHtml, ScriptSafeJsonHasNoMarkupAndMeansTheSame) {
  nlohmann::json j = {{"name", kBad + "\xe2\x80\xa8"}};
  const std::string safe = script_safe_json(j.dump());
  EXPECT_EQ(safe.find('<'), std::string::npos);
  EXPECT_EQ(safe.find('>'), std::string::npos);
  EXPECT_EQ(safe.find('&'), std::string::npos);
  EXPECT_EQ(safe.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(safe), j);
}

TEST(PlanHtml, ModelNamesCannotBreakOutOfThePage) {
  testing::TestGraph t;
  t.op("stem" + kBad, "Conv", {"x"}, {"s"});
  for (const char* side : {"a", "b"}) {
    std::string prev = "s";
    for (int k = 0; k < 3; ++k) {
      std::string v = std::string(side) + std::to_string(k);
      t.op(kBad + v, "Relu", {prev}, {v}, 10);
      prev = v;
    }
  }
  t.op("merge" + kBad, "Add", {"a2", "b2"}, {"y"});
  t.output("y");
  auto p = partition(t.g, t.work(), {});
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  ASSERT_EQ(p->parallel_layers(), 1u);
  const std::vector<NodeWork> work = t.work();
  const std::string html = plan_html(t.g, *p, work, {.title = "model" + kBad});

  // Only the page's own two script elements end; no model string makes markup.
  EXPECT_EQ(count(html, "</script>"), 2u);
  EXPECT_EQ(count(html, "<script"), 2u);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("model&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;amp;&#39;"),
            std::string::npos);
  // Self-contained: nothing loaded from elsewhere.
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);

  // The embedded data decodes to the original names and the plan's shape.
  nlohmann::json d = embedded_data(html);
  EXPECT_EQ(d["title"], "model" + kBad);
  ASSERT_EQ(d["nodes"].size(), t.g.nodes.size());
  EXPECT_EQ(d["nodes"][0][0], "stem" + kBad);
  EXPECT_EQ(d["branches"].size(), p->branches.size());
  ASSERT_EQ(d["layers"].size(), p->layers.size());
  size_t parallel = 0;
  for (const auto& l : d["layers"]) parallel += l["parallel"].get<bool>() ? 1 : 0;
  EXPECT_EQ(parallel, 1u);
  EXPECT_EQ(d["nodes"][1][2], 10.0);  // per-op MACs
}

TEST(PlanHtml, InvalidUtf8NamesDoNotThrow) {
  testing::TestGraph t;
  t.op("bad\xff\xfename", "Relu", {"x"}, {"y"});
  t.output("y");
  auto p = partition(t.g, t.work(), {});
  ASSERT_TRUE(p.is_ok());
  std::string html;
  EXPECT_NO_THROW(html = plan_html(t.g, *p, t.work(), {.title = "t\xc3"}));
  EXPECT_NO_THROW(embedded_data(html));
}

TEST(PlanHtml, WorksWithoutPerOpWork) {
  testing::TestGraph t;
  t.op("A", "Relu", {"x"}, {"y"}, 5);
  t.output("y");
  auto p = partition(t.g, t.work(), {});
  ASSERT_TRUE(p.is_ok());
  nlohmann::json d = embedded_data(plan_html(t.g, *p, {}));
  EXPECT_EQ(d["nodes"][0][2], -1.0);  // unknown per-op MACs
  EXPECT_EQ(d["branches"][0]["macs"], 5.0);
}

}  // namespace
}  // namespace parallax
