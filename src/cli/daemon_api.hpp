#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/control_client.hpp"
#include "cli/daemon_health.hpp"
#include "cli/daemon_settings.hpp"
#include "cli/failure.hpp"
#include "cli/message_record.hpp"
#include "cli/peer_record.hpp"
#include "cli/unread_message.hpp"
#include "cli/transfer_record.hpp"

namespace peerdrop::cli {

// The control API calls `peerdrop` makes (docs/protocol.md), each answer
// checked and typed, each failure a sentence for a person.
class DaemonApi {
 public:
  DaemonApi(ControlClient client, std::filesystem::path data_dir)
      : client_(std::move(client)), data_dir_(std::move(data_dir)) {}

  Outcome<DaemonHealth> health() const;                    // GET /api/health
  Outcome<DaemonSettings> settings() const;                // GET /api/settings
  Outcome<std::vector<PeerRecord>> peers() const;          // GET /api/peers
  // PUT /api/settings {"autoAccept":[…]}: the peers whose files are accepted without asking; the new settings.
  Outcome<DaemonSettings> set_trusted(const std::vector<std::string>& ids) const;
  // POST /api/messages {"to":…,"text":…}: the queued message.
  Outcome<MessageRecord> send_message(const std::string& peer_id, const std::string& text) const;
  Outcome<MessageRecord> message(const std::string& id) const;  // GET /api/messages/{id}

  // The transfer lane (docs/protocol.md, "Control API: transfers"). A failure's
  // cause is the daemon's code (not_found, unknown_peer, no_files, …) or kDaemonLost.
  // POST /api/transfers {"to","paths"}: offers the files and folders at `paths` (absolute) to the peer.
  Outcome<TransferRecord> send(const std::string& peer_id, const std::vector<std::string>& paths) const;
  Outcome<std::vector<TransferRecord>> transfers() const;         // GET /api/transfers, newest first
  Outcome<TransferRecord> transfer(const std::string& tid) const;  // GET /api/transfers/TID, with its files
  Outcome<> cancel(const std::string& tid) const;                  // DELETE /api/transfers/TID
  Outcome<std::vector<TransferRecord>> offers() const;             // GET /api/offers
  Outcome<std::vector<UnreadMessage>> unread_messages() const;     // GET /api/messages?unread=1
  // POST /api/offers/TID/accept (or /decline) {"via":"command line"}
  Outcome<> answer(const std::string& tid, bool accept) const;

  const control::ControlEndpoint& endpoint() const { return client_.endpoint(); }
  const std::string& token() const { return client_.token(); }
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  template <typename T>
  using Parser = std::optional<T> (*)(std::string_view);

  // The answer's body when the daemon did it (2xx), else why not.
  Outcome<std::string> call(std::string_view method, std::string_view target, std::string_view body = {}) const;
  // The answer, read by `parse`.
  template <typename T>
  Outcome<T> typed(std::string_view method, std::string_view target, Parser<T> parse,
                   std::string_view body = {}) const;
  Failure not_understood(std::string_view method, std::string_view target) const;

  ControlClient client_;
  std::filesystem::path data_dir_;
};

}  // namespace peerdrop::cli
