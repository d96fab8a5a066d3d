#pragma once
// The one name guichet gives Boost.Asio, for every folder: net::io_context, net::awaitable, ...
namespace boost::asio {}

namespace guichet {
namespace net = boost::asio;
}  // namespace guichet
