// File transfer on the real daemon binary, on loopback only (--loopback:
// nothing leaves this machine): a UI tab streams a file into its daemon over
// the WebSocket (docs/protocol.md, "File transfer, version 1"), which writes,
// verifies, lists and serves it.
#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "support/ui_client.hpp"
#include "transfer/file_frame.hpp"

namespace peerdrop::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kChunk = 256 * 1024;
const std::string kSender(52, 'S');  // the sending peer's id (any id of the right shape)
const std::string kTid = "Xfer_abcdefghijklmnop-01";

std::string content_of_size(std::size_t size) {
  std::string content(size, '\0');
  for (std::size_t i = 0; i < size; ++i) content[i] = static_cast<char>((i * 131 + i / 4093) & 0xff);
  return content;
}

std::string sha256_hex(std::string_view content) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(content.data()), content.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class TransferProcessTest : public ::testing::Test {
 protected:
  std::unique_ptr<DaemonProcess> start(const fs::path& downloads) {
    const auto log = dir_.path() / ("receiver-" + std::to_string(++starts_) + ".log");
    return std::make_unique<DaemonProcess>(
        log, std::vector<std::string>{"--loopback", "--port", "0", "--name", "receiver", "--data-dir",
                                      (dir_.path() / "data").string(), "--download-dir", downloads.string(),
                                      "--log-level", "debug"});
  }
  // file_open, answered by file_opened (returned) or error (returned too: check its "type").
  static json::object open(UiClient& ui, const std::string& path, std::size_t size, int ref, std::uint32_t index = 0) {
    ui.send({{"type", "file_open"},
             {"ref", ref},
             {"peer", kSender},
             {"tid", kTid},
             {"i", index},
             {"path", path},
             {"size", size}});
    return next_of(ui, {"file_opened", "error"});
  }
  // Sends content[from, to) in kChunk frames.
  static void send(UiClient& ui, std::uint32_t handle, std::string_view content, std::size_t from, std::size_t to) {
    for (auto offset = from; offset < to; offset += kChunk) {
      const auto length = std::min(kChunk, to - offset);
      std::vector<std::uint8_t> frame;
      transfer::append_file_frame(handle, offset,
                                  {reinterpret_cast<const std::uint8_t*>(content.data()) + offset, length}, frame);
      ASSERT_TRUE(ui.send_binary(frame));
    }
  }
  static json::object finish(UiClient& ui, std::uint64_t handle, std::size_t size, const std::string& sha256, int ref) {
    ui.send({{"type", "file_finish"}, {"ref", ref}, {"handle", handle}, {"size", size}, {"sha256", sha256}});
    return next_of(ui, {"file_finished", "error"});
  }
  // The next message of one of `types`.
  static json::object next_of(UiClient& ui, std::initializer_list<std::string_view> types) {
    for (int i = 0; i < 1000; ++i) {
      auto message = ui.next_any();
      if (message.empty()) return message;
      for (const auto type : types) {
        if (message.at("type").as_string() == type) return message;
      }
      ui.seen.push_back(std::move(message));
    }
    return {};
  }
  // Everything in the download folder but the partial folder, as relative paths.
  static std::vector<std::string> visible_files(const fs::path& downloads) {
    std::vector<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(downloads)) {
      const auto relative = fs::relative(entry.path(), downloads).string();
      if (!relative.starts_with(".peerdrop-partial") && entry.is_regular_file()) names.push_back(relative);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  TempDir dir_;
  fs::path downloads_ = dir_.path() / "Downloads" / "PeerDrop";
  int starts_ = 0;
};

TEST_F(TransferProcessTest, ReceivesVerifiesListsAndServesAFile) {
  auto daemon = start(downloads_);
  const auto endpoint = endpoint_of(*daemon);
  UiClient ui(endpoint);
  const auto welcome = ui.next("welcome");
  EXPECT_EQ(welcome.at("settings").at("downloadDir"), downloads_.string().c_str());
  EXPECT_EQ(welcome.at("settings").at("autoAccept"), json::array{});
  EXPECT_EQ(ui.next("files").at("files"), json::array{});  // on connect

  const auto content = content_of_size(3 * kMiB);
  const auto opened = open(ui, "photos/a.bin", content.size(), 1);
  ASSERT_EQ(opened.at("type"), "file_opened") << json::serialize(opened);
  EXPECT_EQ(opened.at("ref"), 1);
  EXPECT_EQ(opened.at("tid"), kTid.c_str());
  EXPECT_EQ(opened.at("i"), 0);
  EXPECT_EQ(opened.at("offset"), 0);
  EXPECT_EQ(opened.at("name"), "photos/a.bin");
  const auto handle = opened.at("handle").to_number<std::uint32_t>();

  send(ui, handle, content, 0, content.size());
  const auto finished = finish(ui, handle, content.size(), sha256_hex(content), 2);
  ASSERT_EQ(finished.at("type"), "file_finished") << json::serialize(finished);
  EXPECT_EQ(finished.at("ref"), 2);
  EXPECT_EQ(finished.at("ok"), true);
  EXPECT_EQ(finished.at("tid"), kTid.c_str());
  EXPECT_EQ(finished.at("name"), "photos/a.bin");
  EXPECT_EQ(read_file(downloads_ / "photos" / "a.bin"), content);

  // Progress: a checkpoint at 4 MiB never came (3 MiB sent at once), so the finish reported all of it.
  json::object last_progress;
  for (const auto& message : ui.seen) {
    if (message.at("type") == "file_progress") last_progress = message;
  }
  ASSERT_FALSE(last_progress.empty());
  EXPECT_EQ(last_progress.at("tid"), kTid.c_str());
  EXPECT_EQ(last_progress.at("received"), content.size());
  EXPECT_EQ(last_progress.at("durable"), content.size());

  // Every tab hears that a file landed.
  const auto files = ui.next("files").at("files").as_array();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].at("name"), "photos/a.bin");
  EXPECT_EQ(files[0].at("size"), content.size());
  EXPECT_EQ(files[0].at("sha256"), sha256_hex(content).c_str());
  EXPECT_EQ(files[0].at("from"), kSender.c_str());
  const auto listed = http_get(endpoint, "/api/files");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(json::parse(listed.body).as_array(), files);

  const auto download = http_get(endpoint, "/api/files/download?name=photos%2Fa.bin");
  ASSERT_EQ(download.status, 200) << download.body.substr(0, 200);
  EXPECT_TRUE(download.body == content) << "the download differs from the file";
  EXPECT_EQ(download.headers.at("content-disposition"), "attachment; filename=\"a.bin\"; filename*=UTF-8''a.bin");
  EXPECT_EQ(http_get(endpoint, "/api/files/download?name=photos%2Fb.bin").status, 404);
  const auto head = http_get(endpoint, "/api/files/download?name=photos/a.bin", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.at("content-length"), std::to_string(content.size()));
  EXPECT_EQ(http_get(endpoint, "/api/files", "GET", "", {{"Origin", "http://evil.example"}}).status, 403);
  // One connection serves a download and then the next request (keep-alive after a streamed body).
  {
    namespace beast = boost::beast;
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::address_v4::loopback(), endpoint.port});
    const std::string host =
        "Host: 127.0.0.1:" + std::to_string(endpoint.port) + "\r\nAuthorization: Bearer " + endpoint.token + "\r\n";
    boost::asio::write(socket, boost::asio::buffer("GET /api/files/download?name=photos/a.bin HTTP/1.1\r\n" + host +
                                                   "\r\nGET /api/files HTTP/1.1\r\n" + host + "\r\n"));
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> first;
    first.body_limit(16 * kMiB);
    beast::http::read(socket, buffer, first);
    EXPECT_EQ(first.get().result_int(), 200u);
    EXPECT_TRUE(first.get().body() == content);
    beast::http::response<beast::http::string_body> second;
    beast::http::read(socket, buffer, second);
    EXPECT_EQ(second.result_int(), 200u);
    EXPECT_EQ(json::parse(second.body()).as_array(), files);
  }

  // The record survives a restart.
  daemon->signal(SIGTERM);
  ASSERT_EQ(daemon->wait_for_exit(2s), 0) << daemon->log();
  auto again = start(downloads_);
  const auto endpoint_again = endpoint_of(*again);
  EXPECT_EQ(json::parse(http_get(endpoint_again, "/api/files").body).as_array(), files);
}

TEST_F(TransferProcessTest, AWrongHashLeavesNoFile) {
  auto daemon = start(downloads_);
  UiClient ui(endpoint_of(*daemon));
  const auto content = content_of_size(1 * kMiB + 17);
  const auto opened = open(ui, "wrong.bin", content.size(), 1);
  ASSERT_EQ(opened.at("type"), "file_opened") << json::serialize(opened);
  const auto handle = opened.at("handle").to_number<std::uint32_t>();
  send(ui, handle, content, 0, content.size());
  const auto finished = finish(ui, handle, content.size(), sha256_hex("not the content"), 7);
  ASSERT_EQ(finished.at("type"), "file_finished") << json::serialize(finished);
  EXPECT_EQ(finished.at("ok"), false);
  EXPECT_EQ(finished.at("code"), "hash_mismatch");
  EXPECT_FALSE(finished.at("error").as_string().empty());
  EXPECT_FALSE(finished.contains("name"));
  EXPECT_TRUE(visible_files(downloads_).empty());
  EXPECT_TRUE(fs::is_empty(downloads_ / ".peerdrop-partial"));
  EXPECT_EQ(http_get(endpoint_of(*daemon), "/api/files").body, "[]");
  // The handle is gone with it.
  const auto again = finish(ui, handle, content.size(), sha256_hex(content), 8);
  EXPECT_EQ(again.at("type"), "error");
  EXPECT_EQ(again.at("code"), "unknown_handle");
  EXPECT_EQ(again.at("ref"), 8);
}

TEST_F(TransferProcessTest, HostileNamesNeverLeaveTheDownloadFolder) {
  auto daemon = start(downloads_);
  const auto endpoint = endpoint_of(*daemon);
  UiClient ui(endpoint);
  int ref = 0;
  for (const std::string path : {"../../etc/passwd", "/etc/passwd", "..", "a/../../b", "C:\\Windows\\x", "/"}) {
    const auto answer = open(ui, path, 4, ++ref);
    EXPECT_EQ(answer.at("type"), "error") << path;
    EXPECT_EQ(answer.at("code"), "bad_name") << path;
    EXPECT_EQ(answer.at("ref"), ref);
  }
  // Repaired names land inside, under their repaired name.
  std::vector<std::string> landed;
  std::uint32_t index = 0;
  const std::vector<std::string> repaired{"CON",         ".bashrc",     std::string("evil\xe2\x80\xae") + "gpj.exe",
                                          "a\\b\\c.txt", "ab:c|d?.txt", std::string(300, 'n') + ".txt"};
  for (const auto& path : repaired) {
    const auto opened = open(ui, path, 4, ++ref, ++index);
    ASSERT_EQ(opened.at("type"), "file_opened") << path << json::serialize(opened);
    const auto handle = opened.at("handle").to_number<std::uint32_t>();
    send(ui, handle, "data", 0, 4);
    const auto finished = finish(ui, handle, 4, sha256_hex("data"), ++ref);
    ASSERT_EQ(finished.at("ok"), true) << path << json::serialize(finished);
    EXPECT_EQ(finished.at("name"), opened.at("name"));
    landed.emplace_back(finished.at("name").as_string());
  }
  EXPECT_EQ(landed[0], "_CON");
  EXPECT_EQ(landed[1], "bashrc");
  EXPECT_EQ(landed[3], "a/b/c.txt");
  EXPECT_EQ(landed[4], "ab_c_d_.txt");
  EXPECT_LE(fs::path(landed[5]).filename().string().size(), 255u);
  for (const auto& name : landed) {
    EXPECT_EQ(read_file(downloads_ / name), "data") << name;
    const auto canonical = fs::weakly_canonical(downloads_ / name).string();
    EXPECT_TRUE(canonical.starts_with(fs::weakly_canonical(downloads_).string() + "/")) << canonical;
  }
  EXPECT_FALSE(fs::exists(dir_.path() / "etc"));
  EXPECT_FALSE(fs::exists(dir_.path() / "Downloads" / "etc"));
  // Nor can a download reach outside.
  EXPECT_EQ(http_get(endpoint, "/api/files/download?name=../../etc/passwd").status, 404);
  EXPECT_EQ(http_get(endpoint, "/api/files/download?name=%2Fetc%2Fpasswd").status, 404);
  EXPECT_EQ(http_get(endpoint, "/api/files/download?name=_CON").status, 200);
}

TEST_F(TransferProcessTest, ResumesAfterATabReloadAndADaemonKill) {
  auto daemon = start(downloads_);
  const auto content = content_of_size(3 * kMiB + 5);
  {
    UiClient ui(endpoint_of(*daemon));
    const auto opened = open(ui, "resume.bin", content.size(), 1);
    ASSERT_EQ(opened.at("type"), "file_opened");
    send(ui, opened.at("handle").to_number<std::uint32_t>(), content, 0, kMiB);
    // A request after the frames: when it is answered, they were written.
    ASSERT_EQ(open(ui, "other.bin", 1, 2, 9).at("type"), "file_opened");
  }  // the tab closes (a reload)
  {
    UiClient ui(endpoint_of(*daemon));
    const auto opened = open(ui, "resume.bin", content.size(), 3);
    ASSERT_EQ(opened.at("type"), "file_opened");
    EXPECT_EQ(opened.at("offset"), kMiB);
    send(ui, opened.at("handle").to_number<std::uint32_t>(), content, kMiB, 2 * kMiB);
    ASSERT_EQ(open(ui, "other.bin", 1, 4, 9).at("type"), "file_opened");
  }
  daemon->signal(SIGKILL);
  daemon->wait_for_exit(5s);
  auto again = start(downloads_);
  UiClient ui(endpoint_of(*again));
  const auto opened = open(ui, "resume.bin", content.size(), 5);
  ASSERT_EQ(opened.at("type"), "file_opened") << json::serialize(opened);
  EXPECT_EQ(opened.at("offset"), 2 * kMiB);
  const auto handle = opened.at("handle").to_number<std::uint32_t>();
  send(ui, handle, content, 2 * kMiB, content.size());
  const auto finished = finish(ui, handle, content.size(), sha256_hex(content), 6);
  ASSERT_EQ(finished.at("ok"), true) << json::serialize(finished);
  EXPECT_EQ(read_file(downloads_ / "resume.bin"), content);
}

TEST_F(TransferProcessTest, AFileFinishedAgainAfterAReloadOrARestartLandsOnce) {
  auto daemon = start(downloads_);
  const auto content = content_of_size(kMiB + 3);
  {
    UiClient ui(endpoint_of(*daemon));
    const auto opened = open(ui, "once.bin", content.size(), 1, 4);
    ASSERT_EQ(opened.at("type"), "file_opened");
    const auto handle = opened.at("handle").to_number<std::uint32_t>();
    send(ui, handle, content, 0, content.size());
    ASSERT_EQ(finish(ui, handle, content.size(), sha256_hex(content), 2).at("ok"), true);
  }  // the page reloads as file_finished arrives: it never saw the answer
  const auto finish_again = [&](DaemonProcess& process, int ref) {
    UiClient ui(endpoint_of(process));
    const auto opened = open(ui, "once.bin", content.size(), ref, 4);
    EXPECT_EQ(opened.at("type"), "file_opened") << json::serialize(opened);
    EXPECT_EQ(opened.at("offset"), content.size());
    EXPECT_EQ(opened.at("complete"), true);
    EXPECT_EQ(opened.at("name"), "once.bin");
    const auto finished = finish(ui, opened.at("handle").to_number<std::uint32_t>(), content.size(),
                                 sha256_hex(content), ref + 1);
    EXPECT_EQ(finished.at("ok"), true) << json::serialize(finished);
    EXPECT_EQ(finished.at("name"), "once.bin");
  };
  finish_again(*daemon, 3);
  daemon->signal(SIGKILL);
  daemon->wait_for_exit(5s);
  auto again = start(downloads_);
  finish_again(*again, 5);  // the daemon remembers it across a restart (the received files' store)
  EXPECT_EQ(visible_files(downloads_), std::vector<std::string>{"once.bin"});
  const auto listed = http_get(endpoint_of(*again), "/api/files");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(json::parse(listed.body).as_array().size(), 1u) << listed.body;  // listed once
}

TEST_F(TransferProcessTest, AnswersBadFramesAndClosesATabThatSendsTooMuch) {
  auto daemon = start(downloads_);
  UiClient ui(endpoint_of(*daemon));
  const auto opened = open(ui, "f.bin", 100, 1);
  const auto handle = opened.at("handle").to_number<std::uint32_t>();
  std::vector<std::uint8_t> frame;
  transfer::append_file_frame(handle + 5, 0, std::vector<std::uint8_t>(10), frame);
  ASSERT_TRUE(ui.send_binary(frame));
  const auto unknown = ui.next("error");
  EXPECT_EQ(unknown.at("code"), "unknown_handle");
  EXPECT_EQ(unknown.at("handle"), handle + 5);
  frame.clear();
  transfer::append_file_frame(handle, 50, std::vector<std::uint8_t>(10), frame);
  ASSERT_TRUE(ui.send_binary(frame));
  const auto gap = ui.next("error");
  EXPECT_EQ(gap.at("code"), "out_of_order");
  EXPECT_EQ(gap.at("handle"), handle);
  frame.clear();
  transfer::append_file_frame(handle, 0, std::vector<std::uint8_t>(101), frame);
  ASSERT_TRUE(ui.send_binary(frame));
  EXPECT_EQ(ui.next("error").at("code"), "too_large");
  ASSERT_TRUE(ui.send_binary(std::vector<std::uint8_t>(5)));
  EXPECT_EQ(ui.next("error").at("code"), "bad_request");

  // 1 MiB of data in one frame is the most; more closes the tab.
  frame.clear();
  transfer::append_file_frame(handle, 0, std::vector<std::uint8_t>(kMiB + 1), frame);
  ui.send_binary(frame);
  EXPECT_TRUE(ui.closed_by_daemon());
}

TEST_F(TransferProcessTest, StopsWithOneClearLineWhenTheDownloadFolderIsUnusable) {
  const auto blocker = dir_.path() / "a-file";
  std::ofstream(blocker) << "not a folder";
  auto daemon = start(blocker / "PeerDrop");
  EXPECT_EQ(daemon->wait_for_exit(5s), 1);
  EXPECT_NE(daemon->log().find("cannot use the download folder"), std::string::npos) << daemon->log();
  EXPECT_NE(daemon->log().find("--download-dir"), std::string::npos) << daemon->log();
}

}  // namespace
}  // namespace peerdrop::testing
