// Documents in two formats from one value: a tiny XML writer over Boost.JSON values, and a JSON
// writer whose numbers read like XML's, so that the .json and .xml answers of a resource (Open311
// GeoReport v2) say the same thing.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace jiceng::http {

// Text for XML character data or an attribute value: & < > " ' become entities; characters
// that XML 1.0 does not allow (controls other than tab, LF and CR) are dropped. The input is
// UTF-8 and stays so.
std::string xml_escape(std::string_view text);

// The XML document (declaration with encoding utf-8, then <root>…</root>) for v:
// - an array: one element named `item` per entry;
// - an object: one element per member, named by its key, in order; a member holding an array
//   is an element named by its key whose entries are elements named by the key without its
//   final 's' ("endpoints" → <endpoint>, "formats" → <format>);
// - a string: its escaped text; a number: plain decimal notation (as to_plain_json writes it);
//   a boolean: true or false; null: an empty element.
// Keys must be XML names (the caller's own field names); that is not checked.
std::string to_xml(const boost::json::value& v, std::string_view root, std::string_view item);

// v serialized as JSON, with numbers in plain decimal notation ("28.241", never "2.8241E1").
std::string to_plain_json(const boost::json::value& v);

}  // namespace jiceng::http
