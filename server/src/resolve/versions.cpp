// Which releases of the framework the repository allows, in the order to try them: what its files
// pin (or, pinned to a release the catalog lacks, the newest patch of that minor), what its companion
// packages work with, what the APIs its code uses cap, and the era of its HEAD.
#include <algorithm>
#include <iterator>

#include "inspect/text.h"
#include "inspect/version.h"
#include "resolve/resolver.h"
#include "support/error.h"

namespace dlc::resolve {

using inspect::Requirement;
using inspect::Source;
using inspect::SpecifierSet;
using inspect::Version;

namespace {

std::vector<const FrameworkRelease*> matching(const Framework& fw, const std::vector<Ask>& list) {
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
}

bool is(const Framework& fw, const std::string& package) {
  return std::find(fw.packages.begin(), fw.packages.end(), package) != fw.packages.end();
}

// Versions to test a specifier against: each clause's version, and it with .0 to .9 added ("0.12.*"
// gives 0.12, 0.12.0 ... 0.12.9). Companion tables are keyed by minors and patches, so these are enough
// to see whether two specifiers share a version.
std::vector<std::string> samples(const std::string& spec) {
  std::vector<std::string> out;
  auto set = SpecifierSet::parse(spec);
  if (!set) return out;
  for (const auto& c : set->clauses()) {
    std::string v = c.version;
    if (inspect::ends_with(v, ".*")) v.resize(v.size() - 2);
    out.push_back(v);
    for (int k = 0; k < 10; ++k) out.push_back(v + "." + std::to_string(k));
  }
  return out;
}

bool overlap(const std::string& a, const std::string& b) {
  auto sa = SpecifierSet::parse(a), sb = SpecifierSet::parse(b);
  if (!sa || !sb) return false;
  for (const auto& list : {samples(a), samples(b)}) {
    for (const auto& v : list) {
      if (sa->contains(v) && sb->contains(v)) return true;
    }
  }
  return false;
}

}  // namespace

void Resolver::framework_asks(const Framework& fw, std::vector<Ask>& asks, std::vector<Ask>& weak_asks) {
  bool paddle = fw.name == "paddlepaddle";
  if (!options_.framework.empty()) {
    auto req = inspect::parse_requirement(options_.framework, Source{"--framework", 0});
    if (req && !req->specifier.empty()) asks.push_back(Ask{strip_build_tags(req->specifier, paddle), options_.framework, Source{"--framework", 0}});
    return;
  }
  for (const auto* r : main_) {
    if (is(fw, r->name) && !r->specifier.empty()) asks.push_back(Ask{strip_build_tags(r->specifier, paddle), r->raw, r->source});
  }
  if (!asks.empty()) return;
  // Weaker evidence, in tiers: the first tier whose asks agree on some release narrows the choice.
  auto from = [&](const std::vector<const Requirement*>& list) {
    std::vector<Ask> tier;
    for (const auto* r : list) {
      if (is(fw, r->name) && !r->specifier.empty()) tier.push_back(Ask{strip_build_tags(r->specifier, paddle), r->raw, r->source});
    }
    return tier;
  };
  std::vector<Ask> docker = from(docker_);
  for (auto& a : dockerfile_image_asks(fw)) docker.push_back(std::move(a));
  std::vector<Ask> prose;
  for (const auto& h : facts_.hints) {
    if (h.weak && catalog_.framework_of_package(h.subject) == &fw) prose.push_back(Ask{h.spec, h.text, h.source});
  }
  // The README's install commands: those under an "optional" heading or comment install extras (an
  // older release for apex, say) and count only when no other command names the framework.
  std::vector<const Requirement*> commands, optional;
  for (const auto* r : weak_) (r->group == "readme-optional" ? optional : commands).push_back(r);
  std::vector<Ask> readme = from(commands);
  if (readme.empty()) readme = from(optional);
  std::vector<Ask> tiers[] = {from(other_), docker, readme, prose};
  for (std::size_t t = 0; t < std::size(tiers); ++t) {
    std::vector<Ask>& tier = tiers[t];
    if (tier.empty()) continue;
    if (!matching(fw, tier).empty()) {
      weak_asks = std::move(tier);
      return;
    }
    // A pin of a release the catalog lacks (a release candidate's image, "FROM tensorflow/tensorflow:
    // 2.9.0rc1-gpu", or an unlisted patch) asks for its minor series: the same API.
    std::vector<Ask> series = tier;
    std::vector<std::string> widened;
    for (auto& a : series) {
      auto spec = SpecifierSet::parse(a.spec);
      auto pinned = spec ? spec->exact() : std::nullopt;
      if (!pinned || !matching(fw, {a}).empty()) continue;
      a.spec = "==" + std::to_string(pinned->major()) + "." + std::to_string(pinned->minor()) + ".*";
      widened.push_back(where_text(a) + " asks " + fw.display + " " + pinned->str() + ", which the catalog lacks: its " +
                        std::to_string(pinned->major()) + "." + std::to_string(pinned->minor()) + " releases are taken");
    }
    if (!widened.empty() && !matching(fw, series).empty()) {
      plan_.warnings.insert(plan_.warnings.end(), widened.begin(), widened.end());
      weak_asks = std::move(series);
      return;
    }
    // Install commands that disagree: the first one in the document is its install, later ones are
    // alternatives (another CUDA, an older release for one feature). Prose likewise: the first line that
    // states a release ("tested under TF1.2") is the statement, later ones conditions ("to compile the
    // operators in TF version >=1.4, modify the scripts").
    std::vector<Ask> first;
    for (const auto& a : tier) {
      if (a.where == tier.front().where) first.push_back(a);
    }
    if ((t == 2 || t == 3) && first.size() < tier.size() && !matching(fw, first).empty()) {
      plan_.warnings.push_back(where_text(tier.front()) + " and " + where_text(tier.back()) + " ask different " + fw.display +
                               " releases; the first " + (t == 2 ? "install command" : "that names one") + " is taken");
      weak_asks = std::move(first);
      return;
    }
    plan_.warnings.push_back(where_text(tier.front()) + " asks " + fw.display + " " + tier.front().spec +
                             ", which no release in the catalog fits with the rest of its kind; ignored");
  }
}

std::vector<Ask> Resolver::dockerfile_image_asks(const Framework& fw) const {
  std::vector<Ask> out;
  for (const auto& b : facts_.dockerfiles) {
    std::string version;
    if (framework_of_image(catalog_, b.image, &version) == &fw && !version.empty()) out.push_back(Ask{version, "FROM " + b.image, b.source});
  }
  return out;
}

// Asks that match no release in the catalog: an exact pin of a release the catalog lacks becomes the
// newest release of the same minor (a patch release changes no API); anything else is an error.
std::vector<const FrameworkRelease*> Resolver::match_near(const Framework& fw, std::vector<Ask>& asks, Releases& out) {
  auto known_range = [&] { return fw.releases.empty() ? std::string("none") : fw.releases.front().version + " to " + fw.releases.back().version; };
  for (auto& a : asks) {
    if (!matching(fw, {a}).empty()) continue;
    auto spec = SpecifierSet::parse(a.spec);
    auto pinned = spec ? spec->exact() : std::nullopt;
    const FrameworkRelease* near = nullptr;
    for (const auto& rel : fw.releases) {
      auto v = Version::parse(rel.version);
      if (pinned && v && v->major() == pinned->major() && v->minor() == pinned->minor() && !rel.images.empty()) near = &rel;
    }
    auto newest = fw.releases.empty() ? std::nullopt : Version::parse(fw.releases.back().version);
    bool newer = spec && newest && (pinned ? *newest < *pinned : spec->contains("9999"));
    if (!near && newer) {
      // Newer than anything the catalog knows: which CUDA builds and images it has cannot be known from
      // here, so no image is guessed.
      throw Error(ErrorCode::UnknownVersion,
                  where_text(a) + " asks " + fw.packages.front() + a.spec + ", newer than the newest " + fw.display + " release the catalog knows (" +
                      fw.releases.back().version + "): its images and CUDA builds are not known here, so none is guessed",
                  "update dlcontainer, add the release and its images to a catalog file (--catalog FILE or "
                  "~/.config/dlcontainer/catalog.json; see docs/resolve.md), or pass --framework " + fw.packages.front() + "==" +
                      fw.releases.back().version + " to plan the newest known release");
    }
    if (!near) {
      throw Error(ErrorCode::UnknownVersion,
                  where_text(a) + " asks " + fw.packages.front() + a.spec + ", which the catalog does not know (it knows " + fw.display + " " +
                      known_range() + ")",
                  "pass --framework " + fw.packages.front() + "==VERSION with a known release, or add the release to a catalog file "
                  "(--catalog FILE or ~/.config/dlcontainer/catalog.json; see docs/resolve.md)");
    }
    std::string note = where_text(a) + " pins " + fw.display + " " + pinned->str() + ", which has no image in the catalog: " + near->version +
                       ", the newest " + std::to_string(pinned->major()) + "." + std::to_string(pinned->minor()) +
                       " release that has one, is used (patch releases of a minor keep its API)";
    if (fw.name == "pytorch" && !patch_pin_) {
      // PyTorch publishes every patch as wheels per CUDA: the pinned one goes over the minor's image,
      // so that companions pinned for it (torchvision==0.11.2 needs torch==1.10.1) install.
      patch_pin_ = PatchPin{fw.packages.front(), pinned->str(), near->version};
      note += "; pip installs " + fw.packages.front() + "==" + pinned->str() + " over it, built for the image's CUDA";
    }
    plan_.warnings.push_back(note);
    out.reason += (out.reason.empty() ? "" : "; ") + note;
    a.spec = "==" + near->version;
  }
  auto candidates = matching(fw, asks);
  if (candidates.empty()) {
    std::vector<std::string> parts;
    for (const auto& a : asks) parts.push_back(where_text(a));
    throw Error(ErrorCode::Conflict, "no " + fw.display + " release satisfies all of: " + join(parts, "; "),
                "make the files agree, or choose one with --framework " + fw.packages.front() + "==VERSION");
  }
  return candidates;
}

// torchvision==0.12.0 works with torch 1.11 only: a companion's version narrows the framework's. Under
// --framework too: pip is still asked for the companion, so one the chosen release rules out is said.
void Resolver::apply_companions(const Framework& fw, std::vector<const FrameworkRelease*>& candidates, Releases& out) {
  const std::vector<const FrameworkRelease*> before = candidates;
  for (const auto* list : {&main_, &other_}) {
    for (const auto* r : *list) {
      const Companion* c = catalog_.companion(r->name);
      if (!c || c->framework != fw.name || r->specifier.empty()) continue;
      std::string spec = strip_build_tags(r->specifier, false);
      std::vector<std::string> allows;
      for (const auto& [pkg, fw_spec] : c->versions) {
        if (overlap(spec, pkg) && std::find(allows.begin(), allows.end(), fw_spec) == allows.end()) allows.push_back(fw_spec);
      }
      if (allows.empty()) continue;  // a version the table does not list
      auto allowed = [&](const FrameworkRelease* rel) {
        return std::any_of(allows.begin(), allows.end(), [&](const std::string& s) {
          auto set = SpecifierSet::parse(s);
          return set && set->contains(rel->version);
        });
      };
      std::vector<const FrameworkRelease*> kept;
      std::copy_if(candidates.begin(), candidates.end(), std::back_inserter(kept), allowed);
      std::string words = r->source.str() + " (" + r->raw + ") works with " + fw.packages.front() + " " + join(allows, " or ");
      if (kept.empty()) {
        plan_.warnings.push_back(words + ", which no allowed " + fw.display + " release is; " + r->name + " may need another version");
        continue;
      }
      // Said when it narrows what the pins alone allow (another companion may have narrowed it already).
      if (std::all_of(before.begin(), before.end(), allowed)) continue;
      candidates = kept;
      out.reason += (out.reason.empty() ? "" : "; ") + words;
      out.facts.push_back(r->source);
      out.citations.push_back(catalog_.cite(c->source));
    }
  }
}

// Code that uses an API a release removed needs a release from before (TF1 code: TensorFlow 1.x).
void Resolver::apply_removed_apis(const Framework& fw, std::vector<const FrameworkRelease*>& candidates, Releases& out) {
  const RemovedApi* cap = nullptr;
  const inspect::CodeFact* where = nullptr;
  for (const auto& c : facts_.code) {
    if (c.kind != "api") continue;
    const RemovedApi* a = catalog_.removed_api(c.subject);
    if (!a || a->framework != fw.name) continue;
    if (!cap || *Version::parse(a->below) < *Version::parse(cap->below)) cap = a, where = &c;
  }
  if (!cap) return;
  auto below = *Version::parse(cap->below);
  std::vector<const FrameworkRelease*> kept;
  for (const auto* rel : candidates) {
    if (*Version::parse(rel->version) < below) kept.push_back(rel);
  }
  std::string words = where->source.str() + " uses " + cap->api + (where->files > 1 ? " (as do " + std::to_string(where->files - 1) + " more files)" : "") +
                      ": " + cap->why;
  if (kept.empty()) {
    plan_.warnings.push_back(words + ", but " + (out.asks.empty() ? std::string("no release below ") + cap->below + " is in the catalog"
                                                                  : "the version asked for is not below " + cap->below) +
                             "; that code will fail");
    return;
  }
  if (kept.size() == candidates.size()) return;
  candidates = kept;
  out.reason += (out.reason.empty() ? "" : "; ") + words + ": releases below " + cap->below;
  out.facts.push_back(where->source);
  out.citations.push_back(catalog_.cite(cap->source));
}

// Newest first, but a repository with a date gets the releases out by then first (newest of those),
// then the later ones oldest first: the release nearest its era that works.
void Resolver::order_by_era(const Framework& fw, std::vector<const FrameworkRelease*>& candidates, Releases& out) {
  std::vector<const FrameworkRelease*> before, after;
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    (facts_.commit_date.empty() || released_by((*it)->released, facts_.commit_date) ? before : after).push_back(*it);
  }
  std::reverse(after.begin(), after.end());
  out.ordered = before;
  out.ordered.insert(out.ordered.end(), after.begin(), after.end());
  std::string era;
  if (candidates.size() > 1 && !facts_.commit_date.empty() && !before.empty()) {
    era = "HEAD is dated " + facts_.commit_date + "; the newest " + fw.display + " release" + (out.reason.empty() ? "" : " allowed") +
          " by then is " + before.front()->version + " (released " + before.front()->released + ")";
    if (!after.empty()) era += ", where the bounds alone would allow up to " + candidates.back()->version + " (" + candidates.back()->released + ")";
  }
  if (out.reason.empty()) out.reason = era.empty() ? "no version is pinned: the newest release in the catalog" : "no version is pinned: " + era;
  else if (!era.empty()) out.reason += "; " + era;
}

Resolver::Releases Resolver::candidate_releases(const Framework& fw) {
  Releases out;
  std::vector<Ask> weak_asks;
  framework_asks(fw, out.asks, weak_asks);
  std::vector<const FrameworkRelease*> candidates = match_near(fw, out.asks, out);
  if (!out.asks.empty()) {
    std::vector<std::string> parts;
    for (const auto& a : out.asks) {
      parts.push_back(where_text(a));
      out.facts.push_back(a.where);
    }
    out.reason = join(parts, "; ") + (out.reason.empty() ? "" : "; " + out.reason);
  } else if (!weak_asks.empty()) {
    candidates = matching(fw, weak_asks);
    std::vector<std::string> parts;
    for (const auto& a : weak_asks) {
      parts.push_back(where_text(a));
      out.facts.push_back(a.where);
    }
    out.reason = "weak hints: " + join(parts, "; ");
  }
  out.exact = candidates.size() == 1 && !out.asks.empty();
  apply_companions(fw, candidates, out);
  apply_removed_apis(fw, candidates, out);
  order_by_era(fw, candidates, out);
  return out;
}

}  // namespace dlc::resolve
