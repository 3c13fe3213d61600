// A small blocking HTTP/1.1 client for tests, on Beast. Every operation has a deadline, so a
// server that hangs fails the test instead of hanging it.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jiceng::http::testing {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using ClientResponse = bhttp::response<bhttp::string_body>;
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  beast::error_code ec;  // set when no whole response arrived
  ClientResponse res;
};

class TestClient {
 public:
  explicit TestClient(std::uint16_t port,
                      std::chrono::milliseconds deadline = std::chrono::seconds(5))
      : port_(port), deadline_(deadline) {}

  // Connects to 127.0.0.1:port.
  beast::error_code connect() {
    boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port_);
    return run([&](auto done) { stream_.async_connect(endpoint, done); });
  }

  // Sends one request and reads its response, connecting first if needed.
  Reply request(std::string_view method, std::string_view target, std::string body = {},
                const Headers& headers = {}) {
    Reply reply;
    if (!stream_.socket().is_open()) {
      if ((reply.ec = connect())) return reply;
    }
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = std::move(body);
    req.prepare_payload();
    if ((reply.ec = run([&](auto done) { bhttp::async_write(stream_, req, done); }))) {
      return reply;
    }
    reply.ec = read(reply.res);
    return reply;
  }

  Reply get(std::string_view target, const Headers& headers = {}) {
    return request("GET", target, {}, headers);
  }

  // Writes bytes as they are (for malformed or partial requests).
  beast::error_code write_raw(std::string_view bytes) {
    return run([&](auto done) {
      boost::asio::async_write(stream_, boost::asio::buffer(bytes.data(), bytes.size()), done);
    });
  }

  // Reads one response.
  beast::error_code read(ClientResponse& res) {
    return run([&](auto done) { bhttp::async_read(stream_, buffer_, res, done); });
  }

  // Reads raw bytes up to and including the first "\r\n\r\n" (an interim response's head).
  beast::error_code read_head(std::string& head) {
    for (;;) {
      std::string_view seen(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      if (auto end = seen.find("\r\n\r\n"); end != std::string_view::npos) {
        head = std::string(seen.substr(0, end + 4));
        buffer_.consume(end + 4);
        return {};
      }
      std::size_t n = 0;
      auto ec = run([&](auto done) {
        stream_.async_read_some(buffer_.prepare(1024),
                                [&, done](beast::error_code e, std::size_t got) mutable {
                                  n = got;
                                  done(e);
                                });
      });
      if (ec) return ec;
      buffer_.commit(n);
    }
  }

  // Reads until the server closes the connection: eof (or a reset) when it did, timeout when
  // it did not within the deadline. Discards whatever arrives meanwhile.
  beast::error_code wait_closed() {
    for (;;) {
      char sink[1024];
      auto ec = run([&](auto done) { stream_.async_read_some(boost::asio::buffer(sink), done); });
      if (ec) return ec;
    }
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

 private:
  // Starts one operation (start receives the completion handler) and runs it to completion.
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result;
    stream_.expires_after(deadline_);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  std::uint16_t port_;
  std::chrono::milliseconds deadline_;
  boost::asio::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
};

// True when ec means the peer closed the connection.
inline bool closed_by_peer(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset;
}

}  // namespace jiceng::http::testing
