// The client behind a reverse proxy. jiceng speaks plain HTTP on loopback behind nginx (TLS,
// docs/SECURITY.md), so the connection's peer is the proxy. When the peer is one of the trusted
// proxies the operator names (server.trusted_proxies), the client's address is taken from
// X-Forwarded-For instead: the right-most address there that is not itself a trusted proxy
// (each proxy appends the address it received the request from, so the entries to the left of
// it were written by the client and can say anything). Everything that works per address uses
// it: the sign-in throttle, Open311's limits, the audit log and the access log.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace jiceng::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // "127.0.0.1, ::1, 10.0.0.0/8, fd00::/8": addresses and networks (IPv4 ones as IPv4, also
  // for peers that a dual-stack socket sees as ::ffff:…), separated by commas or white space
  // (line breaks too); "" trusts none. kInvalidArgument naming the entry that is neither.
  [[nodiscard]] static Result<TrustedProxies> parse(std::string_view list);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  bool contains(const boost::asio::ip::address& a) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The client's address for a request from `peer` with these X-Forwarded-For values (every such
// header, in order): the right-most entry that is not a trusted proxy, or, when every entry is
// one, the left-most. nullopt when the peer is not a trusted proxy, there is no X-Forwarded-For,
// or an entry that a trusted proxy wrote (one right of the client's) is not an address: then the
// peer is all that is known. Entries left of the client's are not read. A client inside a
// trusted network can name any address of it: trust only the proxies' own addresses.
std::optional<boost::asio::ip::address> forwarded_client(
    const boost::asio::ip::address& peer, const std::vector<std::string_view>& forwarded_for,
    const TrustedProxies& trusted);

// An address as the server writes a client's: "203.0.113.7", "[2001:db8::1]" (an IPv4 address
// mapped into IPv6 as the IPv4 one).
std::string client_text(const boost::asio::ip::address& a);

}  // namespace jiceng::http
