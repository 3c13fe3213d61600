#include "http/xml.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <string>

namespace jiceng::http {
namespace {

namespace json = boost::json;

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  char buf[64];
  // The shortest text that reads back as the same double, without an exponent.
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double(), std::chars_format::fixed);
  if (ec != std::errc()) return json::serialize(v);
  return std::string(buf, end);
}

void write_xml(const json::value& v, std::string_view name, std::string& out);

void write_items(const json::array& a, std::string_view item, std::string& out) {
  for (const json::value& entry : a) write_xml(entry, item, out);
}

void write_xml(const json::value& v, std::string_view name, std::string& out) {
  out += '<';
  out += name;
  out += '>';
  switch (v.kind()) {
    case json::kind::object:
      for (const auto& member : v.get_object()) {
        std::string_view key = member.key();
        if (member.value().is_array()) {
          std::string_view item = key.ends_with('s') ? key.substr(0, key.size() - 1) : key;
          out += '<';
          out += key;
          out += '>';
          write_items(member.value().get_array(), item, out);
          out += "</";
          out += key;
          out += '>';
        } else {
          write_xml(member.value(), key, out);
        }
      }
      break;
    case json::kind::array:
      write_items(v.get_array(), "item", out);
      break;
    case json::kind::string:
      out += xml_escape(v.get_string());
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      out += number_text(v);
      break;
    case json::kind::null:
      break;
  }
  out += "</";
  out += name;
  out += '>';
}

void write_json(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::string(member.key()));
        out += ':';
        write_json(member.value(), out);
      }
      out += '}';
      break;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& entry : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_json(entry, out);
      }
      out += ']';
      break;
    }
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      out += number_text(v);
      break;
    case json::kind::string:
    case json::kind::bool_:
    case json::kind::null:
      out += json::serialize(v);
      break;
  }
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
          out += c;
        }
    }
  }
  return out;
}

std::string to_xml(const json::value& v, std::string_view root, std::string_view item) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  if (v.is_array()) {
    out += '<';
    out += root;
    out += '>';
    write_items(v.get_array(), item, out);
    out += "</";
    out += root;
    out += '>';
  } else {
    write_xml(v, root, out);
  }
  out += '\n';
  return out;
}

std::string to_plain_json(const json::value& v) {
  std::string out;
  write_json(v, out);
  return out;
}

}  // namespace jiceng::http
