#include "http/openapi.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

namespace jiceng::http {
namespace {

namespace json = boost::json;

json::object error_schema() {
  json::object text{{"type", "string"}};
  json::object error{
      {"type", "object"},
      {"required", json::array{"code", "message", "request_id"}},
      {"properties", json::object{{"code", text},
                                  {"message", text},
                                  {"request_id", text},
                                  {"field", text}}},
  };
  return json::object{
      {"type", "object"},
      {"required", json::array{"error"}},
      {"properties", json::object{{"error", std::move(error)}}},
  };
}

json::array parameters(const Route& route) {
  json::array out;
  std::string_view pattern = route.pattern;
  for (std::size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    std::size_t close = pattern.find('}', open);
    out.push_back(json::object{{"name", pattern.substr(open + 1, close - open - 1)},
                               {"in", "path"},
                               {"required", true},
                               {"schema", json::object{{"type", "string"}}}});
  }
  for (const ParamDoc& p : route.query_params) {
    out.push_back(json::object{{"name", p.name},
                               {"in", "query"},
                               {"description", p.description},
                               {"required", p.required},
                               {"schema", json::object{{"type", p.type}}}});
  }
  return out;
}

json::object operation(const Route& route) {
  json::object error_content{
      {"application/json",
       json::object{{"schema", json::object{{"$ref", "#/components/schemas/Error"}}}}}};
  return json::object{
      {"summary", route.summary},
      {"parameters", parameters(route)},
      {"x-jiceng-policy", to_string(route.policy)},
      {"responses",
       json::object{
           {"200", json::object{{"description", "OK"}}},
           {"default", json::object{{"description", "An error"}, {"content", error_content}}},
       }},
  };
}

}  // namespace

std::string openapi_document(const Router& router, const ApiInfo& info) {
  json::object paths;
  for (const Route& route : router.routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    json::value& item = paths[route.pattern];
    if (!item.is_object()) item = json::object();
    item.as_object()[method] = operation(route);
  }
  json::object doc{
      {"openapi", "3.0.3"},
      {"info", json::object{{"title", info.title}, {"version", info.version}}},
      {"paths", std::move(paths)},
      {"components", json::object{{"schemas", json::object{{"Error", error_schema()}}}}},
  };
  return json::serialize(doc);
}

}  // namespace jiceng::http
