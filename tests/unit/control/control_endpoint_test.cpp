#include "control/control_endpoint.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/errc.hpp"

namespace peerdrop::control {
namespace {

const std::string kId = "MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ";

std::string file_with(const std::string& url, const std::string& pid = "1234",
                      const std::string& id = "\"" + kId + "\"") {
  return "{\"url\":" + url + ",\"pid\":" + pid + ",\"id\":" + id + "}";
}

TEST(ControlEndpoint, ReadsWhatTheDaemonWrites) {
  const auto written = serialize(endpoint_for("0.0.0.0", 3001, 4321, kId));
  EXPECT_EQ(written, "{\"url\":\"http://127.0.0.1:3001\",\"pid\":4321,\"id\":\"" + kId + "\"}");
  const auto read = parse_control_endpoint(written);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->host, "127.0.0.1");
  EXPECT_EQ(read->port, 3001);
  EXPECT_EQ(read->pid, 4321);
  EXPECT_EQ(read->id, kId);
  EXPECT_EQ(read->url(), "http://127.0.0.1:3001");
  EXPECT_EQ(read->authority(), "127.0.0.1:3001");
}

TEST(ControlEndpoint, NamesTheAddressAClientOfThisMachineReaches) {
  EXPECT_EQ(endpoint_for("0.0.0.0", 3001, 1, kId).url(), "http://127.0.0.1:3001");
  EXPECT_EQ(endpoint_for("127.0.0.1", 40000, 1, kId).url(), "http://127.0.0.1:40000");
  EXPECT_EQ(endpoint_for("198.51.100.7", 3001, 1, kId).url(), "http://198.51.100.7:3001");
  EXPECT_EQ(endpoint_for("::", 3001, 1, kId).url(), "http://[::1]:3001");
  EXPECT_EQ(endpoint_for("::1", 3001, 1, kId).authority(), "[::1]:3001");
  const auto v6 = parse_control_endpoint(serialize(endpoint_for("::", 3001, 1, kId)));
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 3001);
}

TEST(ControlEndpoint, IgnoresFieldsItDoesNotKnow) {
  const auto read = parse_control_endpoint("{\"later\":[1,2],\"url\":\"http://127.0.0.1:5\",\"pid\":7,\"id\":\"" + kId +
                                           "\"}");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->port, 5);
}

TEST(ControlEndpoint, RefusesAFileOverItsSizeLimit) {
  auto text = file_with("\"http://127.0.0.1:3001\"");
  text.insert(1, "\"padding\":\"" + std::string(kControlEndpointMaxBytes, 'x') + "\",");
  EXPECT_EQ(parse_control_endpoint(text).error(), core::Errc::too_large);
  EXPECT_EQ(parse_control_endpoint(std::string(kControlEndpointMaxBytes + 1, ' ')).error(), core::Errc::too_large);
}

TEST(ControlEndpoint, RefusesWhatIsNotTheDaemonsJson) {
  for (const std::string& text : std::vector<std::string>{"", "null", "[]", "\"http://127.0.0.1:3001\"", "{",
                                                         "{\"url\":\"http://127.0.0.1:3001\"}",
                                                         std::string(200, '[') + std::string(200, ']')}) {
    EXPECT_EQ(parse_control_endpoint(text).error(), core::Errc::malformed) << text;
  }
}

TEST(ControlEndpoint, RefusesFieldsOfTheWrongType) {
  const std::string url = "\"http://127.0.0.1:3001\"";
  for (const auto& text : {file_with("3001"), file_with("null"), file_with("[\"http://127.0.0.1:3001\"]"),
                           file_with(url, "\"1234\""), file_with(url, "1234.5"), file_with(url, "true"),
                           file_with(url, "0"), file_with(url, "-1"), file_with(url, "4294967297"),
                           file_with(url, "1e3"), file_with(url, "1234", "42"),
                           file_with(url, "1234", "\"" + kId.substr(1) + "\""),
                           file_with(url, "1234", "\"" + std::string(52, 'a') + "\"")}) {
    EXPECT_EQ(parse_control_endpoint(text).error(), core::Errc::malformed) << text;
  }
}

TEST(ControlEndpoint, TakesOnlyAnAddressLiteralAndAPortAsTheUrl) {
  for (const char* url : {"https://127.0.0.1:3001", "http://localhost:3001", "http://127.0.0.1", "http://127.0.0.1:",
                          "http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:03001",
                          "http://127.0.0.1:3001/", "http://127.0.0.1:3001/api", "http://127.1:3001",
                          "http://0x7f.0.0.1:3001", "http://user@127.0.0.1:3001", "http://127.0.0.1:+3001",
                          "http://::1:3001", "http://[127.0.0.1]:3001", "http://[::1]3001", "http://[::1:3001",
                          "HTTP://127.0.0.1:3001", " http://127.0.0.1:3001", "http://127.0.0.1:3001 "}) {
    EXPECT_EQ(parse_control_endpoint(file_with("\"" + std::string(url) + "\"")).error(), core::Errc::malformed)
        << url;
  }
  const auto port = parse_control_endpoint(file_with("\"http://127.0.0.1:65535\""));
  ASSERT_TRUE(port);
  EXPECT_EQ(port->port, 65535);
}

}  // namespace
}  // namespace peerdrop::control
