// The order Features install in: the spec's round-based algorithm over dependsOn (hard),
// installsAfter (soft) and overrideFeatureInstallOrder (priority). Pure.
#pragma once

#include <string>
#include <vector>

namespace dlc::config {

struct OrderNode {
  std::string key;                        // identity: the same Feature with the same option values
  std::string kind;                       // "oci" | "local" | "tarball"; nodes of one kind sort among themselves
  std::string user_id;                    // as written; sorts nodes of different kinds
  std::string sort_key;                   // within a kind: resource, tag, options, digest (or path/url, options)
  std::vector<std::string> aliases;       // soft keys this node answers to (itself without version, legacyIds)
  std::vector<std::string> depends_on;    // keys of nodes that must install before it
  std::vector<std::string> installs_after;  // soft keys; those no node answers to are dropped
  int priority = 0;                       // from overrideFeatureInstallOrder: the first listed is highest
};

// Indices of nodes in install order: each round takes every node whose dependencies are installed,
// keeps those of the highest priority, sorts them, and appends them. Error{ConfigInvalid} naming the
// Features left when a round finds none (a cycle).
std::vector<std::size_t> install_order(const std::vector<OrderNode>& nodes);

// Applies overrideFeatureInstallOrder: the i-th of n soft keys gives priority n - i to the nodes that
// answer to it. Returns the soft keys that matched no node (the caller warns).
std::vector<std::string> apply_override_order(std::vector<OrderNode>& nodes, const std::vector<std::string>& soft_keys);

}  // namespace dlc::config
