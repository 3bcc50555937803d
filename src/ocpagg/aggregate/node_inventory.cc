#include "ocpagg/aggregate/node_inventory.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "ocpagg/aggregate/sql_fold.h"
#include "ocpagg/koku/like_pattern.h"

namespace ocpagg {
namespace {

constexpr std::string_view kApiServerNamespace = "openshift-kube-apiserver";

// The nodes query matches the raw label text, relying on koku's json.dumps spacing. Its `_`
// are LIKE wildcards too; no escape character is involved, so both databases agree.
const LikePattern& InfraRoleLabelPattern() {
  static const LikePattern pattern =
      *LikePattern::Compile(R"(%"node_role_kubernetes_io": "infra"%)", Compat::kTrino);
  return pattern;
}

void FoldMaxString(std::optional<std::string>& acc, std::optional<std::string_view> v) {
  if (!v) return;
  if (!acc || std::string_view(*acc) < *v) acc = std::string(*v);
}

// lower(json_extract_scalar(text, '$.kubernetes_io_arch')): NULL for invalid JSON, a missing
// key or a non-scalar value. lower() is applied to ASCII letters only.
std::optional<std::string> ArchitectureOf(const std::string& labels_text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(labels_text).get(doc)) return std::nullopt;
  simdjson::dom::object object;
  if (doc.get_object().get(object)) return std::nullopt;
  std::optional<std::string> arch;
  for (simdjson::dom::key_value_pair field : object) {
    if (field.key != "kubernetes_io_arch") continue;
    const simdjson::dom::element v = field.value;
    switch (v.type()) {
      case simdjson::dom::element_type::STRING:
        arch = std::string(v.get_string().value_unsafe());
        break;
      case simdjson::dom::element_type::INT64:
        arch = std::to_string(v.get_int64().value_unsafe());
        break;
      case simdjson::dom::element_type::UINT64:
        arch = std::to_string(v.get_uint64().value_unsafe());
        break;
      case simdjson::dom::element_type::BOOL:
        arch = v.get_bool().value_unsafe() ? "true" : "false";
        break;
      default:
        arch.reset();
        break;
    }
  }
  if (arch) {
    for (char& c : *arch) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return arch;
}

// A finite double as Django's DecimalField turns it into a Decimal:
// context.create_decimal_from_float with max_digits = 18 significant digits.
// value = digits * 10^exponent.
struct Decimal18 {
  uint64_t digits = 0;
  int exponent = 0;
  bool negative = false;
};

std::optional<Decimal18> ToDecimal18(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, 17);
  std::string_view s(buf, r.ptr);
  Decimal18 d;
  if (!s.empty() && s.front() == '-') {
    d.negative = true;
    s.remove_prefix(1);
  }
  const size_t e = s.find('e');
  for (char c : s.substr(0, e)) {
    if (c != '.') d.digits = d.digits * 10 + static_cast<uint64_t>(c - '0');
  }
  int exp10 = 0;
  std::string_view exp_text = s.substr(e + 1);
  if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp10);
  d.exponent = exp10 - 17;
  return d;
}

constexpr uint64_t Pow10(int k) {
  uint64_t p = 1;
  for (int i = 0; i < k; ++i) p *= 10;
  return p;
}

// The value in hundredths: exact (nullopt unless the decimal has at most 2 decimals), or
// rounded half away from zero as PostgreSQL stores it in numeric(18,2).
std::optional<int64_t> Cents(double v, bool round) {
  const std::optional<Decimal18> d = ToDecimal18(v);
  if (!d) return std::nullopt;
  const int shift = d->exponent + 2;
  uint64_t cents = 0;
  if (shift >= 0) {
    if (shift > 18) return std::nullopt;
    const uint64_t p = Pow10(shift);
    if (d->digits > static_cast<uint64_t>(INT64_MAX) / p) return std::nullopt;
    cents = d->digits * p;
  } else if (-shift > 19) {
    if (d->digits != 0 && !round) return std::nullopt;
    cents = 0;
  } else {
    const uint64_t p = Pow10(-shift);
    const uint64_t rest = d->digits % p;
    if (rest != 0 && !round) return std::nullopt;
    cents = d->digits / p + (rest != 0 && rest >= p - rest ? 1 : 0);
  }
  const auto signed_cents = static_cast<int64_t>(cents);
  return d->negative ? -signed_cents : signed_cents;
}

bool SameCapacity(const std::optional<double>& stored, const std::optional<double>& queried) {
  // Django turns `node_capacity_cpu_cores=None` into IS NULL.
  if (!stored || !queried) return !stored && !queried;
  const std::optional<int64_t> q = Cents(*queried, /*round=*/false);
  return q && std::llround(*stored * 100.0) == *q;
}

bool IsEmpty(const std::optional<std::string>& s) { return !s || s->empty(); }

}  // namespace

void NodeInventory::AddPodUsage(const PodUsageRow& row) {
  if (row.namespace_ && !namespaces_.contains(*row.namespace_)) {
    namespaces_.emplace(*row.namespace_);
  }
  if (!row.node) return;
  const std::string_view resource_id = row.resource_id.value_or(std::string_view());
  key_buffer_.assign(*row.node);
  key_buffer_.push_back('\0');
  key_buffer_.append(resource_id);
  auto it = by_node_resource_.find(key_buffer_);
  if (it == by_node_resource_.end()) {
    NodeResource fresh;
    fresh.node = std::string(*row.node);
    fresh.resource_id = std::string(resource_id);
    it = by_node_resource_.emplace(key_buffer_, std::move(fresh)).first;
  }
  NodeResource& n = it->second;
  FoldMax(n.max_capacity_cpu_cores, row.node_capacity_cpu_cores);
  FoldMaxString(n.max_operator_role, row.node_role);
  if (row.namespace_ == kApiServerNamespace) n.runs_kube_apiserver = true;
}

Status NodeInventory::AddNodeLabels(const NodeLabelRow& row) {
  if (!row.node) return Status::OK();
  auto it = by_node_.find(*row.node);
  if (it == by_node_.end()) it = by_node_.emplace(std::string(*row.node), NodeLabelFacts{}).first;
  NodeLabelFacts& facts = it->second;
  if (!row.node_labels) return Status::OK();
  if (!facts.has_infra_role_label && InfraRoleLabelPattern().Matches(*row.node_labels)) {
    facts.has_infra_role_label = true;
  }
  FoldMaxString(facts.max_labels_text, row.node_labels);
  return Status::OK();
}

void NodeInventory::Merge(NodeInventory&& other) {
  for (auto& [key, theirs] : other.by_node_resource_) {
    auto [it, inserted] = by_node_resource_.try_emplace(key, std::move(theirs));
    if (inserted) continue;
    NodeResource& mine = it->second;
    FoldMax(mine.max_capacity_cpu_cores, theirs.max_capacity_cpu_cores);
    FoldMaxString(mine.max_operator_role, theirs.max_operator_role);
    mine.runs_kube_apiserver = mine.runs_kube_apiserver || theirs.runs_kube_apiserver;
  }
  for (auto& [node, theirs] : other.by_node_) {
    auto [it, inserted] = by_node_.try_emplace(node, std::move(theirs));
    if (inserted) continue;
    NodeLabelFacts& mine = it->second;
    mine.has_infra_role_label = mine.has_infra_role_label || theirs.has_infra_role_label;
    FoldMaxString(mine.max_labels_text, theirs.max_labels_text);
  }
  namespaces_.merge(other.namespaces_);
  other.by_node_resource_.clear();
  other.by_node_.clear();
  other.namespaces_.clear();
}

std::vector<std::string> NodeInventory::Namespaces() const {
  std::vector<std::string> out(namespaces_.begin(), namespaces_.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<NodeInventoryRow> NodeInventory::Finish() const {
  std::vector<const NodeResource*> joined;
  for (const auto& [key, n] : by_node_resource_) {
    if (by_node_.contains(n.node)) joined.push_back(&n);
  }
  std::sort(joined.begin(), joined.end(), [](const NodeResource* a, const NodeResource* b) {
    return std::tie(a->node, a->resource_id) < std::tie(b->node, b->resource_id);
  });
  absl::flat_hash_map<std::string_view, std::optional<std::string>, StringViewHash, StringViewEq>
      arch_of_node;
  std::vector<NodeInventoryRow> rows;
  rows.reserve(joined.size());
  for (const NodeResource* n : joined) {
    const NodeLabelFacts& facts = by_node_.find(n->node)->second;
    NodeInventoryRow row;
    row.node = n->node;
    row.resource_id = n->resource_id;
    row.node_capacity_cpu_cores = n->max_capacity_cpu_cores;
    if (n->max_operator_role) {
      // The operator's own column wins, even when it is '' (not NULL, so coalesce keeps it).
      row.node_role = n->max_operator_role;
    } else if (n->runs_kube_apiserver) {
      row.node_role = "master";
    } else if (facts.has_infra_role_label) {
      row.node_role = "infra";
    } else {
      row.node_role = "worker";
    }
    auto [arch, inserted] = arch_of_node.try_emplace(n->node);
    if (inserted && facts.max_labels_text) arch->second = ArchitectureOf(*facts.max_labels_text);
    row.architecture = arch->second;
    rows.push_back(std::move(row));
  }
  return rows;
}

void ApplyNodeInventory(std::vector<StoredNode>& nodes_of_cluster,
                        std::span<const NodeInventoryRow> rows) {
  for (const NodeInventoryRow& row : rows) {
    // Django's .filter(...).first(): the first stored row with the same node, resource_id and
    // capacity.
    auto match =
        std::find_if(nodes_of_cluster.begin(), nodes_of_cluster.end(), [&row](const StoredNode& n) {
          return n.node == row.node && n.resource_id == row.resource_id &&
                 SameCapacity(n.node_capacity_cpu_cores, row.node_capacity_cpu_cores);
        });
    if (match == nodes_of_cluster.end()) {
      StoredNode fresh;
      fresh.node = row.node;
      fresh.resource_id = row.resource_id;
      if (row.node_capacity_cpu_cores) {
        if (auto cents = Cents(*row.node_capacity_cpu_cores, /*round=*/true)) {
          fresh.node_capacity_cpu_cores = static_cast<double>(*cents) / 100.0;
        } else {
          fresh.node_capacity_cpu_cores = row.node_capacity_cpu_cores;
        }
      }
      fresh.node_role = row.node_role;
      fresh.architecture = row.architecture;
      fresh.is_new = true;
      nodes_of_cluster.push_back(std::move(fresh));
      continue;
    }
    // `if not node_role or not architecture`: either one empty refreshes both, even with
    // NULLs (golden 06_month_boundary, node-e).
    if (IsEmpty(match->node_role) || IsEmpty(match->architecture)) {
      match->node_role = row.node_role;
      match->architecture = row.architecture;
      if (!match->is_new) match->changed = true;
    }
  }
}

}  // namespace ocpagg
