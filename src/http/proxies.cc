#include "http/proxies.h"

#include <algorithm>

namespace jiceng::http {

namespace ip = boost::asio::ip;

namespace {

// v4-mapped IPv6 addresses ("::ffff:10.0.0.1", how a dual-stack socket sees IPv4 peers) as IPv4.
ip::address plain(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  return a;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies out;
  std::size_t pos = 0;
  while (pos < list.size()) {
    const std::size_t end = list.find_first_of(", \t\r\n", pos);
    const std::string entry(list.substr(pos, end == std::string_view::npos ? end : end - pos));
    pos = end == std::string_view::npos ? list.size() : end + 1;
    if (entry.empty()) continue;
    boost::system::error_code ec;
    if (entry.find('/') != std::string::npos) {
      if (entry.find(':') != std::string::npos) {
        auto n = ip::make_network_v6(entry, ec);
        if (!ec && n.address().is_v4_mapped() && n.prefix_length() >= 96) {
          // "::ffff:10.0.0.0/104" is 10.0.0.0/8: peers are compared as IPv4 (plain()).
          out.v4_.emplace_back(ip::make_address_v4(ip::v4_mapped, n.address()),
                               static_cast<unsigned short>(n.prefix_length() - 96));
          out.v4_.back() = out.v4_.back().canonical();
        } else if (!ec) {
          out.v6_.push_back(n);
        }
      } else {
        auto n = ip::make_network_v4(entry, ec);
        if (!ec) out.v4_.push_back(n.canonical());
      }
    } else {
      auto a = ip::make_address(entry, ec);
      if (!ec) {
        a = plain(a);
        if (a.is_v4()) {
          out.v4_.emplace_back(a.to_v4(), 32);
        } else {
          out.v6_.emplace_back(a.to_v6(), 128);
        }
      }
    }
    if (ec) {
      return Error::invalid_argument(
          "server.trusted_proxies: '" + entry +
          "' is not an address or a network (e.g. 127.0.0.1, ::1, 10.0.0.0/8)");
    }
  }
  return out;
}

bool TrustedProxies::contains(const ip::address& address) const {
  const ip::address a = plain(address);
  if (a.is_v4()) {
    const auto v4 = a.to_v4();
    return std::any_of(v4_.begin(), v4_.end(), [&](const ip::network_v4& n) {
      return (v4.to_uint() & n.netmask().to_uint()) == n.network().to_uint();
    });
  }
  const auto v6 = a.to_v6().to_bytes();
  return std::any_of(v6_.begin(), v6_.end(), [&](const ip::network_v6& n) {
    const auto net = n.network().to_bytes();
    const unsigned bits = n.prefix_length();
    for (unsigned i = 0; i < bits / 8; ++i) {
      if (v6[i] != net[i]) return false;
    }
    if (bits % 8 == 0) return true;
    const auto mask = static_cast<unsigned char>(0xFF << (8 - bits % 8));
    return (v6[bits / 8] & mask) == (net[bits / 8] & mask);
  });
}

std::optional<ip::address> forwarded_client(const ip::address& peer,
                                            const std::vector<std::string_view>& forwarded_for,
                                            const TrustedProxies& trusted) {
  if (trusted.empty() || forwarded_for.empty() || !trusted.contains(peer)) return std::nullopt;
  // The entries, right to left (the last header's last entry first). Each one examined was
  // written by a trusted proxy, so one that is not an address means the chain cannot be read:
  // the peer is all that is known. Entries left of the client's are the client's own words and
  // are never read.
  std::vector<std::string_view> entries;
  for (std::string_view header : forwarded_for) {
    std::size_t pos = 0;
    for (;;) {
      const std::size_t comma = header.find(',', pos);
      entries.push_back(
          trim(header.substr(pos, comma == std::string_view::npos ? comma : comma - pos)));
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
  }
  std::optional<ip::address> leftmost;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    boost::system::error_code ec;
    const auto a = ip::make_address(std::string(*it), ec);
    if (ec) return std::nullopt;
    leftmost = plain(a);
    if (!trusted.contains(*leftmost)) return leftmost;
  }
  return leftmost;
}

std::string client_text(const ip::address& address) {
  const ip::address a = plain(address);
  return a.is_v4() ? a.to_string() : "[" + a.to_string() + "]";
}

}  // namespace jiceng::http
