#include "http/json.h"

#include <boost/json/serialize.hpp>

namespace jiceng::http {

Response json_response(const boost::json::value& body, unsigned status) {
  Response res;
  res.status = status;
  res.body = boost::json::serialize(body);
  return res;
}

}  // namespace jiceng::http
