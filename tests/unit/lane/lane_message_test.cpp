#include "lane/lane_message.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/errc.hpp"

namespace peerdrop::lane {
namespace {

using core::Errc;

const std::string kTid = "tid_0123456789abcdefghij";  // 24 characters
const std::string kSha(64, 'a');

// Field-wise equality of two messages of the same kind.
bool same_files(const std::vector<OfferedFile>& a, const std::vector<OfferedFile>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.path == y.path && x.size == y.size; });
}
bool same_files(const std::vector<WantedFile>& a, const std::vector<WantedFile>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.index == y.index && x.offset == y.offset; });
}
bool same(const LaneMessage& a, const LaneMessage& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const auto& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, Offer>) return x.tid == y.tid && same_files(x.files, y.files);
        if constexpr (std::is_same_v<T, Answer>)
          return x.tid == y.tid && x.accepted == y.accepted && x.code == y.code && x.reason == y.reason;
        if constexpr (std::is_same_v<T, Want>)
          return x.tid == y.tid && x.gen == y.gen && same_files(x.files, y.files) && x.credit == y.credit;
        if constexpr (std::is_same_v<T, Credit>) return x.tid == y.tid && x.gen == y.gen && x.credit == y.credit;
        if constexpr (std::is_same_v<T, FileEnd>)
          return x.tid == y.tid && x.gen == y.gen && x.index == y.index && x.size == y.size && x.sha256 == y.sha256;
        if constexpr (std::is_same_v<T, FileLanded>)
          return x.tid == y.tid && x.index == y.index && x.ok == y.ok && x.name == y.name && x.code == y.code &&
                 x.reason == y.reason;
        if constexpr (std::is_same_v<T, Done>) return x.tid == y.tid;
        if constexpr (std::is_same_v<T, Cancel> || std::is_same_v<T, Stalled>)
          return x.tid == y.tid && x.code == y.code && x.reason == y.reason;
      },
      a);
}

boost::system::error_code error_of(std::string_view text) {
  const auto parsed = parse_lane_message(text);
  return parsed ? boost::system::error_code{} : parsed.error();
}

std::string with_tid(std::string_view kind, const std::string& tid, std::string_view rest = "") {
  return "{\"t\":\"" + std::string(kind) + "\",\"tid\":\"" + tid + "\"" + std::string(rest) + "}";
}

class LaneMessageRoundTrip : public ::testing::TestWithParam<LaneMessage> {};

TEST_P(LaneMessageRoundTrip, ParsesBackToTheSameMessage) {
  const auto text = serialize(GetParam());
  const auto parsed = parse_lane_message(text);
  ASSERT_TRUE(parsed) << text << ": " << parsed.error().message();
  EXPECT_TRUE(same(*parsed, GetParam())) << text;
  EXPECT_EQ(serialize(*parsed), text);
}

INSTANTIATE_TEST_SUITE_P(
    LaneMessage, LaneMessageRoundTrip,
    ::testing::Values(
        LaneMessage{Offer{.tid = kTid, .files = {{"photos/a.jpg", 0}, {"photos/é b.txt", (1ull << 53) - 1}}}},
        LaneMessage{Offer{.tid = kTid, .files = {}}},
        LaneMessage{Answer{.tid = kTid, .accepted = true, .code = {}, .reason = {}}},
        LaneMessage{Answer{.tid = kTid, .accepted = false, .code = "declined", .reason = "the receiver declined"}},
        LaneMessage{Answer{.tid = kTid, .accepted = false, .code = {}, .reason = {}}},
        LaneMessage{Want{.tid = kTid, .gen = 4'294'967'295u, .files = {{0, 0}, {7, 123}}, .credit = 4 << 20}},
        LaneMessage{Want{.tid = kTid, .gen = 1, .files = {}, .credit = 0}},
        LaneMessage{Credit{.tid = kTid, .gen = 3, .credit = (1ull << 53) - 1}},
        LaneMessage{FileEnd{.tid = kTid, .gen = 2, .index = 9, .size = 1000,
                            .sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
        LaneMessage{FileLanded{.tid = kTid, .index = 1, .ok = true, .name = "photos/a (1).jpg", .code = {},
                               .reason = {}}},
        LaneMessage{FileLanded{.tid = kTid, .index = 1, .ok = false, .name = {}, .code = "hash_mismatch",
                               .reason = "it arrived damaged"}},
        LaneMessage{Done{.tid = kTid}},
        LaneMessage{Cancel{.tid = kTid, .code = "cancelled", .reason = "the sender cancelled"}},
        LaneMessage{Cancel{.tid = kTid, .code = {}, .reason = {}}},
        LaneMessage{Stalled{.tid = kTid, .code = "disk_full", .reason = "the disk is full"}},
        LaneMessage{Offer{.tid = std::string(22, 'x'), .files = {{"a", 1}}}},
        LaneMessage{Done{.tid = std::string(32, '-')}}));

TEST(LaneMessage, ReadsEveryKindFromHandWrittenJson) {
  EXPECT_TRUE(std::holds_alternative<Offer>(
      parse_lane_message(with_tid("offer", kTid, ",\"files\":[{\"path\":\"a\",\"size\":1}]")).value()));
  EXPECT_TRUE(std::holds_alternative<Answer>(parse_lane_message(with_tid("answer", kTid, ",\"accepted\":true")).value()));
  EXPECT_TRUE(std::holds_alternative<Want>(
      parse_lane_message(with_tid("want", kTid, ",\"gen\":1,\"credit\":5,\"files\":[]")).value()));
  EXPECT_TRUE(std::holds_alternative<Credit>(parse_lane_message(with_tid("credit", kTid, ",\"gen\":1,\"credit\":5")).value()));
  EXPECT_TRUE(std::holds_alternative<FileEnd>(parse_lane_message(
      with_tid("end", kTid, ",\"gen\":1,\"index\":0,\"size\":0,\"sha256\":\"" + kSha + "\"")).value()));
  EXPECT_TRUE(std::holds_alternative<FileLanded>(
      parse_lane_message(with_tid("landed", kTid, ",\"index\":0,\"ok\":true")).value()));
  EXPECT_TRUE(std::holds_alternative<Done>(parse_lane_message(with_tid("done", kTid)).value()));
  EXPECT_TRUE(std::holds_alternative<Cancel>(parse_lane_message(with_tid("cancel", kTid)).value()));
  EXPECT_TRUE(std::holds_alternative<Stalled>(parse_lane_message(with_tid("stalled", kTid)).value()));
  // Unknown fields are ignored (a later version may add some).
  EXPECT_TRUE(parse_lane_message(with_tid("done", kTid, ",\"extra\":[1,2]")));
}

TEST(LaneMessage, RefusesWhatIsNotAJsonObject) {
  for (const std::string text : {"", "not json", "{", "[]", "\"offer\"", "42", "null", "{\"t\":\"done\",}",
                                 "{\"t\":\"done\",\"tid\":\"tid_0123456789abcdefghij\"} trailing"}) {
    EXPECT_EQ(error_of(text), Errc::malformed) << text;
  }
}

TEST(LaneMessage, RefusesDeepNesting) {
  std::string deep = with_tid("done", kTid, ",\"x\":" + std::string(100, '[') + std::string(100, ']'));
  EXPECT_EQ(error_of(deep), Errc::malformed);
  std::string very_deep(100'000, '[');
  EXPECT_EQ(error_of(very_deep), Errc::malformed);
}

TEST(LaneMessage, RefusesAnUnknownOrMissingKind) {
  EXPECT_EQ(error_of(with_tid("offerx", kTid)), Errc::malformed);
  EXPECT_EQ(error_of(with_tid("", kTid)), Errc::malformed);
  EXPECT_EQ(error_of(with_tid("OFFER", kTid, ",\"files\":[]")), Errc::malformed);
  EXPECT_EQ(error_of("{\"tid\":\"" + kTid + "\"}"), Errc::malformed);
  EXPECT_EQ(error_of("{\"t\":1,\"tid\":\"" + kTid + "\"}"), Errc::malformed);
  EXPECT_EQ(error_of("{\"t\":null,\"tid\":\"" + kTid + "\"}"), Errc::malformed);
}

TEST(LaneMessage, RefusesBadTransferIds) {
  for (const std::string tid : {std::string(21, 'a'), std::string(33, 'a'), std::string(),
                                std::string("tid_0123456789abcdefgh/j"), std::string("tid_0123456789abcdefgh.j"),
                                std::string("tid_0123456789abcdefgh j"), std::string("tid_0123456789abcdefghé"),
                                std::string("../../../../../etc/passwd")}) {
    for (const std::string kind : {"offer", "want", "answer", "credit", "end", "landed", "done", "cancel", "stalled"}) {
      EXPECT_EQ(error_of(with_tid(kind, tid, ",\"files\":[],\"accepted\":true,\"gen\":1,\"credit\":1,\"index\":0,"
                                             "\"ok\":true,\"size\":0,\"sha256\":\"" + kSha + "\"")),
                Errc::malformed)
          << kind << " " << tid;
    }
  }
  EXPECT_EQ(error_of("{\"t\":\"done\"}"), Errc::malformed);
  EXPECT_EQ(error_of("{\"t\":\"done\",\"tid\":12345678901234567890123}"), Errc::malformed);
}

TEST(LaneMessage, RefusesMissingOrMistypedFields) {
  const std::vector<std::string> bad = {
      with_tid("offer", kTid),
      with_tid("offer", kTid, ",\"files\":{}"),
      with_tid("offer", kTid, ",\"files\":[1]"),
      with_tid("offer", kTid, ",\"files\":[{\"path\":\"a\"}]"),
      with_tid("offer", kTid, ",\"files\":[{\"size\":1}]"),
      with_tid("offer", kTid, ",\"files\":[{\"path\":1,\"size\":1}]"),
      with_tid("offer", kTid, ",\"files\":[{\"path\":\"a\",\"size\":\"1\"}]"),
      with_tid("offer", kTid, ",\"files\":[{\"path\":\"a\",\"size\":1.5}]"),
      with_tid("offer", kTid, ",\"files\":[{\"path\":\"a\",\"size\":true}]"),
      with_tid("answer", kTid),
      with_tid("answer", kTid, ",\"accepted\":1"),
      with_tid("answer", kTid, ",\"accepted\":false,\"code\":7"),
      with_tid("answer", kTid, ",\"accepted\":false,\"reason\":null"),
      with_tid("want", kTid, ",\"credit\":1,\"files\":[]"),
      with_tid("want", kTid, ",\"gen\":1,\"files\":[]"),
      with_tid("want", kTid, ",\"gen\":1,\"credit\":1"),
      with_tid("want", kTid, ",\"gen\":4294967296,\"credit\":1,\"files\":[]"),
      with_tid("want", kTid, ",\"gen\":1,\"credit\":1,\"files\":[{\"index\":0}]"),
      with_tid("want", kTid, ",\"gen\":1,\"credit\":1,\"files\":[{\"offset\":0}]"),
      with_tid("want", kTid, ",\"gen\":1,\"credit\":1,\"files\":[[0,0]]"),
      with_tid("credit", kTid, ",\"gen\":1"),
      with_tid("credit", kTid, ",\"credit\":1"),
      with_tid("end", kTid, ",\"gen\":1,\"index\":0,\"size\":0"),
      with_tid("end", kTid, ",\"gen\":1,\"index\":0,\"size\":0,\"sha256\":\"" + std::string(63, 'a') + "\""),
      with_tid("end", kTid, ",\"gen\":1,\"index\":0,\"size\":0,\"sha256\":\"" + std::string(64, 'A') + "\""),
      with_tid("end", kTid, ",\"gen\":1,\"index\":0,\"size\":0,\"sha256\":\"" + std::string(64, 'g') + "\""),
      with_tid("end", kTid, ",\"index\":0,\"size\":0,\"sha256\":\"" + kSha + "\""),
      with_tid("end", kTid, ",\"gen\":1,\"size\":0,\"sha256\":\"" + kSha + "\""),
      with_tid("landed", kTid, ",\"index\":0"),
      with_tid("landed", kTid, ",\"ok\":true"),
      with_tid("landed", kTid, ",\"index\":0,\"ok\":\"yes\""),
      with_tid("landed", kTid, ",\"index\":0,\"ok\":true,\"name\":[]"),
      with_tid("cancel", kTid, ",\"code\":false"),
      with_tid("stalled", kTid, ",\"reason\":{}"),
  };
  for (const auto& text : bad) EXPECT_EQ(error_of(text), Errc::malformed) << text;
}

TEST(LaneMessage, RefusesNumbersOutOfRange) {
  constexpr auto kMax = (1ull << 53) - 1;
  EXPECT_TRUE(parse_lane_message(with_tid("credit", kTid, ",\"gen\":0,\"credit\":" + std::to_string(kMax))));
  for (const std::string n : {std::to_string(kMax + 1), std::string("18446744073709551615"),
                              std::string("18446744073709551616"), std::string("-1"), std::string("-0.5"),
                              std::string("1e300"), std::string("9007199254740992.0")}) {
    EXPECT_EQ(error_of(with_tid("credit", kTid, ",\"gen\":0,\"credit\":" + n)), Errc::malformed) << n;
    EXPECT_EQ(error_of(with_tid("offer", kTid, ",\"files\":[{\"path\":\"a\",\"size\":" + n + "}]")), Errc::malformed)
        << n;
    EXPECT_EQ(error_of(with_tid("want", kTid, ",\"gen\":0,\"credit\":0,\"files\":[{\"index\":0,\"offset\":" + n + "}]")),
              Errc::malformed)
        << n;
    EXPECT_EQ(error_of(with_tid("end", kTid, ",\"gen\":0,\"index\":0,\"size\":" + n + ",\"sha256\":\"" + kSha + "\"")),
              Errc::malformed)
        << n;
  }
  EXPECT_EQ(error_of(with_tid("credit", kTid, ",\"gen\":-1,\"credit\":0")), Errc::malformed);
  EXPECT_EQ(error_of(with_tid("landed", kTid, ",\"index\":-1,\"ok\":true")), Errc::malformed);
  EXPECT_EQ(error_of(with_tid("landed", kTid, ",\"index\":4294967296,\"ok\":true")), Errc::malformed);
}

TEST(LaneMessage, RefusesDuplicateIndexesInAWant) {
  EXPECT_EQ(error_of(with_tid("want", kTid, ",\"gen\":1,\"credit\":1,\"files\":[{\"index\":3,\"offset\":0},"
                                            "{\"index\":4,\"offset\":0},{\"index\":3,\"offset\":9}]")),
            Errc::malformed);
}

TEST(LaneMessage, RefusesTooManyFiles) {
  const auto files_json = [](std::size_t n, std::string_view item) {
    std::string out = ",\"files\":[";
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      out += item;
    }
    return out + "]";
  };
  EXPECT_TRUE(parse_lane_message(with_tid("offer", kTid, files_json(kMaxOfferedFiles, "{\"path\":\"a\",\"size\":0}"))));
  EXPECT_EQ(error_of(with_tid("offer", kTid, files_json(kMaxOfferedFiles + 1, "{\"path\":\"a\",\"size\":0}"))),
            Errc::too_large);
  EXPECT_EQ(error_of(with_tid("want", kTid, ",\"gen\":1,\"credit\":1" + files_json(kMaxOfferedFiles + 1, "{}"))),
            Errc::too_large);
}

TEST(LaneMessage, RefusesOverLongPathsAndReasons) {
  const std::string path_ok(kMaxPathBytes, 'p');
  const std::string path_long(kMaxPathBytes + 1, 'p');
  const std::string reason_ok(kMaxReasonBytes, 'r');
  const std::string reason_long(kMaxReasonBytes + 1, 'r');
  EXPECT_TRUE(parse_lane_message(serialize(Offer{.tid = kTid, .files = {{path_ok, 1}}})));
  EXPECT_EQ(error_of(serialize(Offer{.tid = kTid, .files = {{"a", 1}, {path_long, 1}}})), Errc::too_large);
  EXPECT_TRUE(parse_lane_message(serialize(Cancel{.tid = kTid, .code = reason_ok, .reason = reason_ok})));
  EXPECT_EQ(error_of(serialize(Cancel{.tid = kTid, .code = "c", .reason = reason_long})), Errc::too_large);
  EXPECT_EQ(error_of(serialize(Cancel{.tid = kTid, .code = reason_long, .reason = "r"})), Errc::too_large);
  EXPECT_EQ(error_of(serialize(Stalled{.tid = kTid, .code = "c", .reason = reason_long})), Errc::too_large);
  EXPECT_EQ(error_of(serialize(Answer{.tid = kTid, .accepted = false, .code = "c", .reason = reason_long})),
            Errc::too_large);
  EXPECT_EQ(error_of(serialize(FileLanded{.tid = kTid, .index = 0, .ok = true, .name = path_long, .code = {},
                                          .reason = {}})),
            Errc::too_large);
  EXPECT_EQ(error_of(serialize(FileLanded{.tid = kTid, .index = 0, .ok = false, .name = {}, .code = {},
                                          .reason = reason_long})),
            Errc::too_large);
}

TEST(LaneMessage, RefusesAMessageOverOneMebibyte) {
  // Valid but for its size: padding in an unknown field.
  const std::string prefix = with_tid("done", kTid, ",\"pad\":\"");
  std::string text = prefix + std::string(kMaxLaneMessageBytes - prefix.size() - 2, ' ') + "\"}";
  ASSERT_EQ(text.size(), kMaxLaneMessageBytes);
  EXPECT_TRUE(parse_lane_message(text));
  text.insert(prefix.size(), " ");
  EXPECT_EQ(error_of(text), Errc::too_large);
  EXPECT_EQ(error_of(std::string(kMaxLaneMessageBytes + 1, '{')), Errc::too_large);
}

TEST(LaneMessage, RefusesInvalidUtf8) {
  EXPECT_EQ(error_of(with_tid("offer", kTid, ",\"files\":[{\"path\":\"\xff\xfe\",\"size\":1}]")), Errc::malformed);
}

}  // namespace
}  // namespace peerdrop::lane
