#include "cli/status_view.hpp"

#include <gtest/gtest.h>

#include "support/transfer_json.hpp"

namespace peerdrop::cli {
namespace {

const std::string kId = "MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ";
const std::string kKitchen = "KITCHENAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const std::string kGarage = "GARAGEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

StatusFacts facts() {
  return StatusFacts{
      .health = DaemonHealth{.id = kId, .name = "alice", .version = "0.1.0", .port = 3001},
      .settings =
          DaemonSettings{.name = "alice", .auto_accept = {kGarage}, .download_dir = "/home/alice/Downloads/PeerDrop"},
      .peers = {PeerRecord{.id = kKitchen, .name = "kitchen", .online = true},
                PeerRecord{.id = kGarage, .name = "garage", .online = false}},
      .endpoint = control::ControlEndpoint{.host = "127.0.0.1", .port = 3001, .pid = 4321, .id = kId},
      .data_dir = "/home/alice/.local/share/peerdrop"};
}

TEST(StatusView, SaysWhatThisMachinesPeerDropIs) {
  EXPECT_EQ(status_text(facts()),
            "PeerDrop on this machine: alice\n"
            "  id         " + kId + "\n"
            "  daemon     peerdropd 0.1.0 (pid 4321) at http://127.0.0.1:3001\n"
            "  data dir   /home/alice/.local/share/peerdrop\n"
            "  peers      1 online, 2 known, 1 trusted\n"
            "  relay      off\n"
            "  downloads  /home/alice/Downloads/PeerDrop\n"
            "  transfers  none in progress\n");
}

TEST(StatusView, ListsTheTransfersInProgressBothWays) {
  auto with = facts();
  const auto transfer = [](boost::json::object changes) {
    return *parse_transfer_record(testing::transfer_json(changes));
  };
  with.transfers = {
      transfer({{"state", "accepted"}, {"done_bytes", 21 * 1024 * 1024}}),
      transfer({{"tid", "Zz_-aaaaaaaaaaaaaaaaaa"}, {"direction", "incoming"}, {"peer_name", "carol\x1b[2J"},
                {"file_count", 1}, {"total_bytes", 2048}}),
      transfer({{"tid", "Yy_-aaaaaaaaaaaaaaaaaa"}, {"state", "accepted"}, {"stalled", "the receiver's disk is full"}}),
      transfer({{"tid", "Xx_-aaaaaaaaaaaaaaaaaa"}}),
      transfer({{"tid", "DoNe1234efgh5678ijkl90"}, {"state", "done"}}),
      transfer({{"tid", "DeCl1234efgh5678ijkl90"}, {"state", "declined"}, {"code", "declined"}}),
  };
  const auto text = status_text(with);
  EXPECT_NE(text.find("  transfers  4 in progress\n"
                      "    K3F9XZ2A  to bob (BOBBBBB)  3 files, 21.0 MiB of 50.0 MiB (42%)\n"
                      "    Zz_-aaaa  from carol\xEF\xBF\xBD[2J (BOBBBBB)  1 file, 2.0 KiB  waits for your answer "
                      "(peerdrop inbox)\n"
                      "    Yy_-aaaa  to bob (BOBBBBB)  3 files, 0 B of 50.0 MiB (0%); stalled: the receiver's disk "
                      "is full\n"
                      "    Xx_-aaaa  to bob (BOBBBBB)  3 files, 50.0 MiB  waiting for bob to accept\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("DoNe1234"), std::string::npos) << "ended transfers are not in progress";
}

TEST(StatusView, SaysWhatTheRelayDoes) {
  auto running = facts();
  running.health.relay_enabled = true;
  running.health.relay_state = "running";
  running.health.relay_port = 3478;
  EXPECT_NE(status_text(running).find("  relay      on: running, port 3478\n"), std::string::npos);
  auto failed = facts();
  failed.health.relay_enabled = true;
  failed.health.relay_state = "failed";
  EXPECT_NE(status_text(failed).find("  relay      on: failed\n"), std::string::npos);
  auto stopping = facts();
  stopping.health.relay_state = "stopping";
  EXPECT_NE(status_text(stopping).find("  relay      off (stopping)\n"), std::string::npos);
}

}  // namespace
}  // namespace peerdrop::cli
