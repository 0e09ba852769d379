#include "net/proxy_header.hpp"

#include "net/proxy_header_detail.hpp"

#include <algorithm>
#include <utility>

namespace netcook::net {
namespace proxy_detail {

ProxyParse incomplete() {
  return {};
}

ProxyParse invalid(std::string error) {
  ProxyParse parse;
  parse.status = ProxyParse::Status::invalid;
  parse.error = std::move(error);
  return parse;
}

ProxyParse complete(const ProxyHeader& header) {
  ProxyParse parse;
  parse.status = ProxyParse::Status::complete;
  parse.header = header;
  return parse;
}

bool may_become(std::string_view bytes, std::string_view whole) {
  const auto common = std::min(bytes.size(), whole.size());
  return bytes.substr(0, common) == whole.substr(0, common);
}

}  // namespace proxy_detail

ProxyParse parse_proxy_header(std::string_view bytes) {
  using namespace proxy_detail;
  if (bytes.empty()) return incomplete();
  if (bytes.front() == kV1Start.front()) return parse_v1(bytes);
  if (bytes.front() == kV2Signature.front()) return parse_v2(bytes);
  return invalid("not a PROXY header");
}

}  // namespace netcook::net
