#include "core/placement.h"

#include "core/plan.h"

namespace dlc::core {

engine::Endpoint engine_endpoint(const std::string& host) {
  return engine::choose_endpoint(host, host.empty() ? UserPreferences::load().engine_host : std::string());
}

Workspaces& Placements::at(const std::string& host) {
  auto endpoint = engine_endpoint(host.empty() ? default_host_ : host);
  std::lock_guard lock(mu_);
  auto& w = by_url_[endpoint.url()];
  if (!w) w = std::make_unique<Workspaces>(engine::Engine::connect(endpoint));
  return *w;
}

}  // namespace dlc::core
