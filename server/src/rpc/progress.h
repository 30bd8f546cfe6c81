// A request's ProgressSink: `$/progress` (LSP work-done progress) for the token the client gave in
// params.workDoneToken, and the work's own output lines as window/logMessage.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "rpc/binder.h"
#include "support/progress.h"

namespace dlc::rpc {

class RequestProgress : public ProgressSink {
 public:
  // token: the request's workDoneToken (string or integer), or null for none.
  RequestProgress(std::shared_ptr<Outbox> out, nlohmann::json token, std::string title);

  // `begin` as the request starts and `end` as it finishes (before its response); the steps that core
  // reports in between become `report`s.
  void start();
  void finish(const std::string& message);

  void begin(std::string_view title) override;
  void report(std::string_view message, std::optional<int> percent) override;
  void output(std::string_view line) override;
  void end(std::string_view message) override;

 private:
  void progress(nlohmann::json value);
  std::shared_ptr<Outbox> out_;
  nlohmann::json token_;
  std::string title_;
};

}  // namespace dlc::rpc
