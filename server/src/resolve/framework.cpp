// Which framework the repository uses, and which of its releases it allows.
#include <algorithm>

#include "inspect/version.h"
#include "resolve/resolver.h"
#include "support/error.h"

namespace dlc::resolve {

using inspect::Requirement;
using inspect::Source;
using inspect::SpecifierSet;

const Framework* Resolver::choose_framework() {
  if (!options_.framework.empty()) {
    auto req = inspect::parse_requirement(options_.framework, Source{"--framework", 0});
    const Framework* fw = req ? catalog_.framework_of_package(req->name) : nullptr;
    if (!fw && req) fw = catalog_.framework(req->name);
    if (!fw) {
      std::vector<std::string> known;
      for (const auto& f : catalog_.frameworks()) known.push_back(f.packages.front());
      throw Error(ErrorCode::UnknownVersion, "--framework " + options_.framework + " names no framework the catalog knows",
                  "give one of " + join(known, ", ") + ", with or without ==VERSION");
    }
    decide("framework", fw->display, "--framework " + options_.framework + " was given; the repository's own pins are not used");
    return fw;
  }
  struct Candidate {
    const Framework* fw;
    int tier;  // 0 main, 1 optional groups, 2 README
    bool pinned;
    Source where;
  };
  std::vector<Candidate> found;
  auto scan = [&](const std::vector<const Requirement*>& reqs, int tier) {
    for (const auto* r : reqs) {
      const Framework* fw = catalog_.framework_of_package(r->name);
      if (!fw) continue;
      auto spec = SpecifierSet::parse(strip_build_tags(r->specifier, true));
      bool pinned = spec && spec->exact().has_value();
      found.push_back(Candidate{fw, tier, pinned, r->source});
    }
  };
  scan(main_, 0);
  scan(other_, 1);
  scan(weak_, 2);
  for (const auto& h : facts_.hints) {
    if (!h.weak) continue;
    if (const Framework* fw = catalog_.framework_of_package(h.subject)) found.push_back(Candidate{fw, 3, false, h.source});
  }
  if (found.empty()) return nullptr;
  auto order = [&](const Framework* fw) {
    for (std::size_t k = 0; k < catalog_.frameworks().size(); ++k) {
      if (&catalog_.frameworks()[k] == fw) return k;
    }
    return catalog_.frameworks().size();
  };
  std::stable_sort(found.begin(), found.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.pinned != b.pinned) return a.pinned;
    return order(a.fw) < order(b.fw);
  });
  const Framework* chosen = found.front().fw;
  std::vector<std::string> others;
  for (const auto& c : found) {
    if (c.fw != chosen && std::find(others.begin(), others.end(), c.fw->display) == others.end()) others.push_back(c.fw->display);
  }
  static const char* kTier[] = {"its requirements", "an optional group", "its README's install commands", "its README"};
  auto& d = decide("framework", chosen->display, "the repository names " + chosen->display + " in " + kTier[found.front().tier] +
                                                     " (" + found.front().where.str() + ")");
  d.facts.push_back(found.front().where);
  for (const auto& o : others) d.rejected.push_back(o + ": also named; it is installed with pip in the " + chosen->display + " image");
  return chosen;
}


Resolver::Releases Resolver::candidate_releases(const Framework& fw) {
  Releases out;
  bool paddle = fw.name == "paddlepaddle";
  // What the repository asks of the framework's version.
  std::vector<Ask>& asks = out.asks;
  std::vector<Ask> weak_asks;
  if (!options_.framework.empty()) {
    auto req = inspect::parse_requirement(options_.framework, Source{"--framework", 0});
    if (req && !req->specifier.empty()) asks.push_back(Ask{strip_build_tags(req->specifier, paddle), options_.framework, Source{"--framework", 0}});
  } else {
    for (const auto* list : {&main_}) {
      for (const auto* r : *list) {
        if (std::find(fw.packages.begin(), fw.packages.end(), r->name) == fw.packages.end() || r->specifier.empty()) continue;
        asks.push_back(Ask{strip_build_tags(r->specifier, paddle), r->raw, r->source});
      }
    }
    if (asks.empty()) {
      for (const auto* list : {&other_, &weak_}) {
        for (const auto* r : *list) {
          if (std::find(fw.packages.begin(), fw.packages.end(), r->name) == fw.packages.end() || r->specifier.empty()) continue;
          weak_asks.push_back(Ask{strip_build_tags(r->specifier, paddle), r->raw, r->source});
        }
      }
      for (const auto& h : facts_.hints) {
        if (h.weak && catalog_.framework_of_package(h.subject) == &fw) weak_asks.push_back(Ask{h.spec, h.text, h.source});
      }
    }
  }
  auto matching = [&](const std::vector<Ask>& list) {
    std::vector<const FrameworkRelease*> out;
    for (const auto& rel : fw.releases) {
      bool ok = true;
      for (const auto& a : list) {
        auto spec = SpecifierSet::parse(a.spec);
        if (!spec || !spec->contains(rel.version)) ok = false;
      }
      if (ok) out.push_back(&rel);
    }
    return out;
  };
  auto known_range = [&] {
    return fw.releases.empty() ? std::string("none") : fw.releases.front().version + " to " + fw.releases.back().version;
  };
  std::vector<const FrameworkRelease*> candidates = matching(asks);
  std::string& version_reason = out.reason;
  if (candidates.empty()) {
    // Either two asks exclude each other, or one names a release the catalog does not have.
    for (const auto& a : asks) {
      if (matching({a}).empty()) {
        throw Error(ErrorCode::UnknownVersion,
                    where_text(a) + " asks " + fw.packages.front() + a.spec + ", which the catalog does not know (it knows " +
                        fw.display + " " + known_range() + ")",
                    "pass --framework " + fw.packages.front() + "==VERSION with a known release, or add the release to a catalog file "
                    "(--catalog FILE or ~/.config/dlcontainer/catalog.json; see docs/resolve.md)");
      }
    }
    std::vector<std::string> parts;
    for (const auto& a : asks) parts.push_back(where_text(a));
    throw Error(ErrorCode::Conflict, "no " + fw.display + " release satisfies all of: " + join(parts, "; "),
                "make the files agree, or choose one with --framework " + fw.packages.front() + "==VERSION");
  }
  if (!asks.empty()) {
    std::vector<std::string> parts;
    for (const auto& a : asks) parts.push_back(where_text(a));
    version_reason = join(parts, "; ");
  } else if (!weak_asks.empty()) {
    auto narrowed = matching(weak_asks);
    if (!narrowed.empty()) {
      candidates = narrowed;
      std::vector<std::string> parts;
      for (const auto& a : weak_asks) parts.push_back(where_text(a));
      version_reason = "weak hints: " + join(parts, "; ");
    } else {
      plan_.warnings.push_back("the README's " + fw.display + " version (" + where_text(weak_asks.front()) + ") is not in the catalog; ignored");
    }
  }
  // Newest first; an unpinned repository gets the releases of its own era first.
  out.ordered.assign(candidates.rbegin(), candidates.rend());
  auto& ordered = out.ordered;
  std::string era;
  if (candidates.size() > 1 && !facts_.commit_date.empty()) {
    std::stable_partition(ordered.begin(), ordered.end(),
                          [&](const FrameworkRelease* r) { return released_by(r->released, facts_.commit_date); });
    if (released_by(ordered.front()->released, facts_.commit_date)) {
      era = "HEAD is dated " + facts_.commit_date + "; the newest " + fw.display + " release" +
            (version_reason.empty() ? "" : " allowed") + " by then is " + ordered.front()->version +
            " (released " + ordered.front()->released + ")";
    }
  }
  if (version_reason.empty()) {
    version_reason = era.empty() ? "no version is pinned: the newest release in the catalog" : "no version is pinned: " + era;
  } else if (!era.empty()) {
    version_reason += "; " + era;
  }

  // CUDA, cuDNN and Python asks that filter images.
  std::vector<Ask> cuda_asks = strong_hints("cuda"), cudnn_asks = strong_hints("cudnn");
  return out;
}

}  // namespace dlc::resolve
