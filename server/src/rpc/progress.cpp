#include "rpc/progress.h"

#include <algorithm>

namespace dlc::rpc {

using json = nlohmann::json;

RequestProgress::RequestProgress(std::shared_ptr<Outbox> out, json token, std::string title)
    : out_(std::move(out)), token_(std::move(token)), title_(std::move(title)) {}

void RequestProgress::progress(json value) {
  if (token_.is_null()) return;
  out_->send(notification_message(kProgress, ProgressParams{token_, std::move(value)}));
}

void RequestProgress::start() { progress({{"kind", "begin"}, {"title", title_}, {"cancellable", true}}); }

void RequestProgress::finish(const std::string& message) {
  json value = {{"kind", "end"}};
  if (!message.empty()) value["message"] = message;
  progress(std::move(value));
}

void RequestProgress::begin(std::string_view title) { progress({{"kind", "report"}, {"message", title}}); }

void RequestProgress::report(std::string_view message, std::optional<int> percent) {
  json value = {{"kind", "report"}, {"message", message}};
  if (percent) value["percentage"] = std::clamp(*percent, 0, 100);
  progress(std::move(value));
}

void RequestProgress::output(std::string_view line) {
  out_->send(notification_message(kLogMessage, LogMessageParams{MessageType::Log, std::string(line)}));
}

void RequestProgress::end(std::string_view message) {
  if (!message.empty()) progress({{"kind", "report"}, {"message", message}});
}

}  // namespace dlc::rpc
