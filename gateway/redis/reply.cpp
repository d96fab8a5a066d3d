#include "gateway/redis/reply.hpp"

#include <hiredis/hiredis.h>

namespace guichet::redis {

void convert(const redisReply* r, redis_reply& out) {
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = redis_reply::kind::string; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = redis_reply::kind::status; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.type = redis_reply::kind::error; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = redis_reply::kind::integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.type = redis_reply::kind::array;
      out.elements.resize(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) convert(r->element[i], out.elements[i]);
      break;
    default: out.type = redis_reply::kind::nil; break;
  }
}

}  // namespace guichet::redis
