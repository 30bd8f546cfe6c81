#include "config/features_order.h"

#include <algorithm>
#include <set>

#include "support/error.h"

namespace dlc::config {

namespace {

bool answers(const OrderNode& node, const std::string& soft_key) {
  return std::find(node.aliases.begin(), node.aliases.end(), soft_key) != node.aliases.end();
}

}  // namespace

std::vector<std::string> apply_override_order(std::vector<OrderNode>& nodes, const std::vector<std::string>& soft_keys) {
  std::vector<std::string> unmatched;
  const int n = static_cast<int>(soft_keys.size());
  for (int i = 0; i < n; ++i) {
    bool hit = false;
    for (auto& node : nodes) {
      if (!answers(node, soft_keys[i])) continue;
      node.priority = std::max(node.priority, n - i);
      hit = true;
    }
    if (!hit) unmatched.push_back(soft_keys[i]);
  }
  return unmatched;
}

std::vector<std::size_t> install_order(const std::vector<OrderNode>& nodes) {
  // installsAfter that no node answers to is not a constraint.
  std::vector<std::vector<std::string>> soft(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& s : nodes[i].installs_after) {
      if (std::any_of(nodes.begin(), nodes.end(), [&](const OrderNode& n) { return answers(n, s); })) soft[i].push_back(s);
    }
  }
  std::set<std::string> installed_keys;
  std::vector<bool> installed(nodes.size(), false);
  std::vector<std::size_t> order;
  // Each round installs at least one node, so there are at most nodes.size() rounds.
  while (order.size() < nodes.size()) {
    std::vector<std::size_t> round;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (installed[i]) continue;
      bool hard = std::all_of(nodes[i].depends_on.begin(), nodes[i].depends_on.end(),
                              [&](const std::string& k) { return installed_keys.count(k) > 0; });
      bool soft_done = std::all_of(soft[i].begin(), soft[i].end(), [&](const std::string& s) {
        for (std::size_t j = 0; j < nodes.size(); ++j)
          if (installed[j] && answers(nodes[j], s)) return true;
        return false;
      });
      if (hard && soft_done) round.push_back(i);
    }
    if (round.empty()) {
      std::string left;
      for (std::size_t i = 0; i < nodes.size(); ++i)
        if (!installed[i]) left += (left.empty() ? "" : ", ") + nodes[i].user_id;
      throw Error(ErrorCode::ConfigInvalid, "the Features' dependencies form a cycle: " + left + " each wait for another",
                  "check their dependsOn and installsAfter (and overrideFeatureInstallOrder); one of them must not wait");
    }
    int top = 0;
    for (auto i : round) top = std::max(top, nodes[i].priority);
    std::erase_if(round, [&](std::size_t i) { return nodes[i].priority != top; });
    std::sort(round.begin(), round.end(), [&](std::size_t a, std::size_t b) {
      const auto& x = nodes[a];
      const auto& y = nodes[b];
      if (x.kind != y.kind) return x.user_id < y.user_id;
      return x.sort_key < y.sort_key;
    });
    for (auto i : round) {
      installed[i] = true;
      installed_keys.insert(nodes[i].key);
      order.push_back(i);
    }
  }
  return order;
}

}  // namespace dlc::config
