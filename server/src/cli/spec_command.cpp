// __spec: the command line's own definition as JSON, walked from the CLI11 app at run time. The build
// turns it into the man page and the bash, zsh and fish completions (packaging/cli_docs.py), so that
// they cannot drift from the options the program really takes. Hidden: it is for the build, not users.
#include <iostream>

#include "cli/cli.h"

namespace dlc::cli {

namespace {

using nlohmann::json;

json option_spec(const CLI::Option& o) {
  json j = {{"description", o.get_description()}, {"required", o.get_required()}};
  if (o.get_positional()) {
    j["name"] = o.get_name(true, false);
  } else {
    json names = json::array();
    for (const auto& s : o.get_snames()) names.push_back("-" + s);
    for (const auto& l : o.get_lnames()) names.push_back("--" + l);
    j["names"] = names;
  }
  // A flag takes no value; an option's value kind (TEXT, INT, ...) lets a completion offer files.
  j["takes_value"] = o.get_expected_max() > 0;  // flags expect 0 values
  j["repeatable"] = o.get_expected_max() > 1 || o.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
  if (j["takes_value"]) j["type"] = o.get_type_name();
  return j;
}

// The definition is ours, not input: its depth is that of the commands this program declares (two).
json app_spec(const CLI::App& app) {
  json j = {{"name", app.get_name()}, {"description", app.get_description()}, {"footer", app.get_footer()}};
  json options = json::array(), positionals = json::array(), commands = json::array();
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue;  // hidden
    (o->get_positional() ? positionals : options).push_back(option_spec(*o));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    commands.push_back(app_spec(*sub));
  }
  j["options"] = options;
  j["positionals"] = positionals;
  j["subcommands"] = commands;
  return j;
}

}  // namespace

void add_spec_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("__spec", "print the command line's definition as JSON (for the build's man page and completions)");
  cmd->group("");  // hidden from --help, and from the definition itself
  cmd->callback([&app] {
    json spec = app_spec(app);
    spec["name"] = "dlcontainer";  // not argv[0], which is wherever the build ran it from
    std::cout << spec.dump(2) << std::endl;
  });
}

}  // namespace dlc::cli
