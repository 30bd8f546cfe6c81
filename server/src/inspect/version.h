// Versions and version specifiers as Python packaging writes them (PEP 440), plus the two other
// dialects a repository uses for the same idea: conda match specs ("pytorch=1.7") and Poetry
// constraints ("^1.11"). Everything is translated into one SpecifierSet so that resolve/ compares
// like with like. Pure and allocation-light: the resolver calls these thousands of times.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::inspect {

class Version {
 public:
  // Parses "1.11.0", "v2.2", "1.0rc1", "2.4.2.post117", "1.11.0+cu113", "1!2.0", "1.14.0.dev20190101".
  // nullopt when the text is not a version.
  static std::optional<Version> parse(std::string_view text);

  const std::vector<long>& release() const { return release_; }
  const std::string& local() const { return local_; }
  std::optional<long> post() const { return post_; }
  bool is_prerelease() const { return pre_kind_ >= 0 || dev_.has_value(); }
  std::string str() const { return text_; }
  // The version without its local label: "1.11.0+cu113" -> "1.11.0".
  Version public_version() const;
  // major.minor ("11.3" of "11.3.1"), the granularity CUDA toolkits and images are named by.
  std::string major_minor() const;
  long major() const { return release_.empty() ? 0 : release_[0]; }
  long minor() const { return release_.size() > 1 ? release_[1] : 0; }

  // PEP 440 ordering (dev < pre < final < post; a local label sorts after the same public version).
  int compare(const Version& other) const;
  bool operator==(const Version& o) const { return compare(o) == 0; }
  bool operator<(const Version& o) const { return compare(o) < 0; }
  bool operator<=(const Version& o) const { return compare(o) <= 0; }
  bool operator>(const Version& o) const { return compare(o) > 0; }
  bool operator>=(const Version& o) const { return compare(o) >= 0; }

 private:
  long epoch_ = 0;
  std::vector<long> release_;
  int pre_kind_ = -1;  // -1 none, 0 a, 1 b, 2 rc
  long pre_num_ = 0;
  std::optional<long> post_;
  std::optional<long> dev_;
  std::string local_;
  std::string text_;
};

// One clause: ">=1.4", "==1.11.*", "~=2.2", "!=1.5.0", "===foo".
struct Specifier {
  enum class Op { Eq, Ne, Lt, Le, Gt, Ge, Compatible, Arbitrary };
  Op op = Op::Eq;
  std::string version;  // as written, without the operator ("1.11.*")
  bool wildcard = false;

  bool contains(const Version& v) const;
  std::string str() const;
};

// A comma-separated conjunction of clauses. Empty: any version.
class SpecifierSet {
 public:
  SpecifierSet() = default;
  // Parses PEP 440 text (">=1.4,<2"). nullopt when a clause cannot be read.
  static std::optional<SpecifierSet> parse(std::string_view text);
  // Conda match spec version part ("1.7" means 1.7.*, "=1.7", ">=1.7,<1.9", "1.7.1", "1.7.*").
  static std::optional<SpecifierSet> parse_conda(std::string_view text);
  // Poetry constraint ("^1.11", "~1.2", "1.2.*", ">=1,<2", "*", "1.11.0").
  static std::optional<SpecifierSet> parse_poetry(std::string_view text);

  bool contains(const Version& v) const;
  bool contains(std::string_view version) const;
  bool empty() const { return clauses_.empty(); }
  const std::vector<Specifier>& clauses() const { return clauses_; }
  void add(const SpecifierSet& other);
  std::string str() const;
  // The one version an "==X" pin names (no wildcard), if that is what this set is.
  std::optional<Version> exact() const;

 private:
  std::vector<Specifier> clauses_;
};

// PEP 503 normalisation: "Torch_Vision" -> "torch-vision".
std::string normalize_name(std::string_view name);

// "cu113" -> "11.3", "cu92" -> "9.2", "cu118" -> "11.8", "cu121" -> "12.1"; nullopt otherwise.
std::optional<std::string> cuda_from_tag(std::string_view tag);

}  // namespace dlc::inspect
