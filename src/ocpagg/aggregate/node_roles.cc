#include "ocpagg/aggregate/node_roles.h"

namespace ocpagg {

std::string NodeRoleTable::Key(std::string_view node, std::string_view resource_id) {
  std::string key;
  key.reserve(node.size() + 1 + resource_id.size());
  key.append(node);
  key.push_back('\0');
  key.append(resource_id);
  return key;
}

void NodeRoleTable::Add(const NodeRoleRow& row) {
  auto [it, inserted] = roles_.try_emplace(Key(row.node, row.resource_id), row.node_role);
  if (inserted || !row.node_role) return;
  if (!it->second || *it->second < *row.node_role) it->second = row.node_role;
}

std::optional<std::string_view> NodeRoleTable::MaxRole(std::string_view node,
                                                       std::string_view resource_id) const {
  auto it = roles_.find(Key(node, resource_id));
  if (it == roles_.end() || !it->second) return std::nullopt;
  return std::string_view(*it->second);
}

}  // namespace ocpagg
