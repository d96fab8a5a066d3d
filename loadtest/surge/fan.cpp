#include "loadtest/surge/fan_engine.hpp"

#include <cmath>

#include "core/pow.hpp"
#include "loadtest/json_reply.hpp"

namespace guichet::loadtest {

std::int64_t fan_engine::jitter(std::uint32_t i, milliseconds base, double spread) {
  double u = fan_rng(o_.seed, i, 1000 + rec_.total_requests()).uniform();
  return static_cast<std::int64_t>(static_cast<double>(base.count()) * 1000.0 * (1.0 - spread + 2.0 * spread * u));
}

void fan_engine::finish(std::uint32_t i, const std::string& how) {
  fan& f = fans_[i];
  if (f.next == step::done) return;
  if (f.joined && !f.admitted) {
    --waiting_;
    room_of(i).out.waiting_fan_minutes += static_cast<double>(now_us() - f.joined_us) / 60e6;
  }
  f.next = step::done;
  f.queue_token.clear(), f.queue_token.shrink_to_fit();
  f.access_token.clear(), f.access_token.shrink_to_fit();
  f.etag.clear(), f.etag.shrink_to_fit();
  ++endings_[how];
  ++finished_;
}

bool fan_engine::retry(std::uint32_t i, const http_result& r) {
  fan& f = fans_[i];
  bool retryable = r.status == 0 || r.status == 503 || r.status == 429 || r.status == 408;
  if (!retryable || f.attempts >= 8) return false;
  std::int64_t wait = r.retry_after > 0 ? r.retry_after * 1'000'000LL : (250'000LL << std::min<int>(f.attempts, 4));
  ++f.attempts;
  rec_.retried();
  schedule(i, now_us() + wait + jitter(i, milliseconds(100), 1.0));
  return true;
}

void fan_engine::unexpected(std::uint32_t i, step s, const http_result& r) {
  static const char* names[] = {"idle", "register", "join", "state", "position", "admit", "heartbeat", "forged hold",
                                "over-limit hold", "hold", "replay", "pay", "confirm", "confirm again", "release",
                                "greedy hold", "done"};
  rec_.unexpected(std::string(names[static_cast<int>(s)]) + ": " + recorder::outcome_of(r));
  finish(i, "stopped by an unexpected answer");
}

// What the fan does with the answer to its step `s`: one function per step.
void fan_engine::handle(std::uint32_t i, step s, const http_result& r) {
  if (fans_[i].next == step::done) return;
  auto code = json_string(r.body, "/error/code").value_or("");
  switch (s) {
    case step::register_: return on_register(i, s, r, code);
    case step::join: return on_join(i, s, r, code);
    case step::state: return on_state(i, s, r, code);
    case step::position: return on_position(i, s, r, code);
    case step::admit: return on_admit(i, s, r, code);
    case step::heartbeat: return on_heartbeat(i, s, r, code);
    case step::forged_hold: return on_forged_hold(i, s, r, code);
    case step::over_limit_hold: return on_over_limit_hold(i, s, r, code);
    case step::hold:
    case step::greedy_hold: return on_hold(i, s, r, code);
    case step::replay: return on_replay(i, s, r, code);
    case step::confirm:
    case step::confirm_again: return on_confirm(i, s, r, code);
    case step::release: return on_release(i, s, r, code);
    default: return;
  }
}

void fan_engine::on_register(std::uint32_t i, step s, const http_result& r, std::string_view code) {
  auto& room = room_of(i);
  if (r.status == 201 || r.status == 200) {
    plan_.registered[i] = 1;
    ++room.out.registered;
    ++registered_;
    return finish(i, "registered");
  }
  if (code == "registration_closed") return finish(i, "registration closed");
  if (retry(i, r)) return;
  return unexpected(i, s, r);
}

void fan_engine::on_join(std::uint32_t i, step s, const http_result& r, std::string_view code) {
  fan& f = fans_[i];
  auto& room = room_of(i);
  std::string_view body = r.body;
  if (r.status == 200) {
    ++checks_[plan_.slot[i] < 0 ? c_not_drawn : c_winners].tried;
    if (plan_.slot[i] < 0) fail_check(c_not_drawn, i, r);
    f.queue_token = std::string(json_string(body, "/queue_token").value_or(""));
    if (!f.joined) ++room.out.joined, ++waiting_, f.joined_us = now_us();
    f.joined = true;
    if (json_true(body, "/known")) {
      f.position_known = true;
      f.position = static_cast<std::uint64_t>(json_int(body, "/position").value_or(0));
      if (json_true(body, "/admissible")) return go(i, step::admit);
    } else if (auto opens = json_int(body, "/slot_window/start_ms"); opens && *opens * 1000 > now_us()) {
      // In the pre-queue the page counts down to the opening, then asks.
      // (at most a second after it, as the page does: the block waits opening_grace for its fans)
      return go(i, step::state, *opens * 1000 - now_us() + 300'000 + jitter(i, milliseconds(500), 1.0));
    }
    return go(i, step::state, jitter(i, o_.poll, 0.3));
  }
  if (code == "not_drawn") {
    if (plan_.slot[i] >= 0) {
      ++checks_[c_winners].tried;
      fail_check(c_winners, i, r);
      return finish(i, "winner refused");
    }
    ++checks_[c_not_drawn].tried;
    return finish(i, "not drawn");
  }
  if (code == "not_your_slot" && f.early) {
    // Came before the pre-queue: the page shows the window; come back when it starts.
    f.early = false;
    auto start = json_int(body, "/error/slot_window/start_ms").value_or(0) * 1000;
    return go(i, step::join,
              start - room.phase->pre_queue.count() * 1000 + 200'000 - now_us() + jitter(i, milliseconds(1000), 0.5));
  }
  if (code == "not_your_slot") {
    ++checks_[c_winners].tried;
    fail_check(c_winners, i, r);
    return finish(i, "winner refused");
  }
  if (code == "room_closed") return finish(i, "room closed");
  if ((code == "pow_required" || code == "pow_invalid" || code == "pow_replayed") && f.attempts < 3) {
    // Ops asked for a proof of work: solve the challenge the refusal names, as the page does.
    ++f.attempts;
    auto challenge = json_string(body, "/error/pow/challenge").value_or("");
    auto bits = static_cast<unsigned>(json_int(body, "/error/pow/bits").value_or(0));
    f.pow_proof = std::string(challenge) + ":" + pow::solve(challenge, account(i), bits);
    ++pow_solved_;
    return go(i, step::join, 0);
  }
  if (retry(i, r)) return;
  return unexpected(i, s, r);
}

void fan_engine::on_state(std::uint32_t i, step s, const http_result& r, std::string_view) {
  fan& f = fans_[i];
  auto& room = room_of(i);
  std::string_view body = r.body;
  if (r.status == 200 || r.status == 304) {
    if (r.status == 200) {
      room.etag = r.etag;
      room.serving = static_cast<std::uint64_t>(json_int(body, "/serving").value_or(0));
      room.status = std::string(json_string(body, "/status").value_or(""));
      room.rate = static_cast<std::uint64_t>(json_int(body, "/admit_rate").value_or(0));
      read_reckoning(room, body);
      room.fetched_us = now_us();
      f.sent_serving = room.serving;
    }
    f.etag = room.etag;
    return after_state(i);
  }
  if (retry(i, r)) return;
  return unexpected(i, s, r);
}

void fan_engine::on_position(std::uint32_t i, step s, const http_result& r, std::string_view) {
  fan& f = fans_[i];
  std::string_view body = r.body;
  if (r.status == 200) {
    if (json_true(body, "/known")) {
      f.position_known = true;
      f.position = static_cast<std::uint64_t>(json_int(body, "/position").value_or(0));
      if (json_true(body, "/admissible")) return go(i, step::admit);
    }
    return go(i, step::state, jitter(i, o_.poll, 0.3));
  }
  if (retry(i, r)) return;
  return unexpected(i, s, r);
}

void fan_engine::on_admit(std::uint32_t i, step s, const http_result& r, std::string_view code) {
  fan& f = fans_[i];
  auto& room = room_of(i);
  std::string_view body = r.body;
  if (r.status == 200) {
    f.access_token = std::string(json_string(body, "/access_token").value_or(""));
    f.queue_token.clear();
    f.admitted = true;
    --waiting_;
    ++admitted_;
    ++room.out.admitted;
    room.admissions.push_back({f.position, now_us()});
    room.out.waiting_fan_minutes += static_cast<double>(now_us() - f.joined_us) / 60e6;
    return go(i, step::heartbeat, jitter(i, o_.think, 0.5) / 2);
  }
  if (code == "not_yet") {
    ++room.out.not_yet;
    // The gateway's own reckoning says when; within a poll interval, try again then.
    std::int64_t ms = json_int(body, "/error/retry_after_ms").value_or(-1);
    if (o_.dead_reckoning && ms >= 0 && ms <= o_.poll.count()) return go(i, step::admit, ms * 1000);
    return go(i, step::state, jitter(i, o_.poll, 0.3));
  }
  if (code == "room_full") return go(i, step::admit, (r.retry_after > 0 ? r.retry_after : 1) * 1'000'000LL + jitter(i, o_.poll, 0.5));
  if (code == "room_closed") return finish(i, "room closed");
  if (retry(i, r)) return;
  return unexpected(i, s, r);
}

void fan_engine::on_heartbeat(std::uint32_t i, step s, const http_result& r, std::string_view code) {
  fan& f = fans_[i];
  if (r.status == 200) {
    std::int64_t later = jitter(i, o_.think, 0.5) / 2;
    if (f.q == quirk::forged) return go(i, step::forged_hold, later);
    if (f.q == quirk::over_limit) return go(i, step::over_limit_hold, later);
    return go(i, step::hold, later);
  }
  if (code == "session_expired") return finish(i, "session expired");
  if (retry(i, r)) return;
  return unexpected(i, s, r);
}

void fan_engine::on_forged_hold(std::uint32_t i, step s, const http_result& r, std::string_view) {
  if (retry(i, r)) return;  // no answer yet: not an outcome
  ++checks_[c_forged].tried;
  if (r.status == 401) return go(i, step::hold);
  if (r.status >= 200 && r.status < 300) fail_check(c_forged, i, r);
  return unexpected(i, s, r);
}

void fan_engine::on_over_limit_hold(std::uint32_t i, step s, const http_result& r, std::string_view) {
  fan& f = fans_[i];
  if (retry(i, r)) return;
  ++checks_[c_over_limit].tried;
  ++f.hold_round;  // the refused request's key is not reused
  if (r.status == 409 || r.status == 422) return go(i, step::hold);
  if (r.status >= 200 && r.status < 300) fail_check(c_over_limit, i, r);
  return unexpected(i, s, r);
}

void fan_engine::on_replay(std::uint32_t i, step, const http_result& r, std::string_view) {
  fan& f = fans_[i];
  std::string_view body = r.body;
  if (retry(i, r)) return;
  ++checks_[c_replay].tried;
  if (r.status != 201 || json_string(body, "/hold_id").value_or("") != f.hold_id) fail_check(c_replay, i, r);
  return go(i, step::pay, jitter(i, o_.pay, 0.5));
}

void fan_engine::on_confirm(std::uint32_t i, step s, const http_result& r, std::string_view code) {
  fan& f = fans_[i];
  auto& room = room_of(i);
  std::string_view body = r.body;
  if (r.status == 200) {
    if (s == step::confirm_again) {
      ++checks_[c_confirm_replay].tried;
      if (json_string(body, "/payment_ref").value_or("") != "pay-" + f.hold_id) fail_check(c_confirm_replay, i, r);
    } else {
      auto items = choose_items(i, f.hold_round, f.greedy);
      check_hold(e_, *room.phase, items);  // canonical order, as stored
      sales_.push_back({f.hold_id, account(i), room.phase->id, encode_items(items), "pay-" + f.hold_id});
      bought_ += f.hold_tickets;
      if (f.replays) return go(i, step::confirm_again);
    }
    if (f.q == quirk::greedy && f.hold_round < 4) {
      ++f.hold_round;
      return go(i, step::greedy_hold, jitter(i, o_.think, 0.5));
    }
    return finish(i, "bought");
  }
  if (code == "hold_expired") return finish(i, "hold expired before payment");
  if (retry(i, r)) return;
  return unexpected(i, s, r);
}

void fan_engine::on_release(std::uint32_t i, step s, const http_result& r, std::string_view) {
  if (r.status == 200) return finish(i, "released the hold");
  if (retry(i, r)) return;
  return unexpected(i, s, r);
}

void fan_engine::on_hold(std::uint32_t i, step s, const http_result& r, std::string_view code) {
  fan& f = fans_[i];
  const bool greedy = f.greedy;
  if (f.pending > 1) {  // the first answer of a double click: wait for the second
    --f.pending;
    if (r.status == 201) f.hold_id = std::string(json_string(r.body, "/hold_id").value_or(""));
    return;
  }
  const bool twin = f.pending == 1;
  f.pending = 0;
  if (twin) ++checks_[c_double].tried;
  if (r.status == 201) {
    std::string id(json_string(r.body, "/hold_id").value_or(""));
    if (twin && !f.hold_id.empty() && f.hold_id != id) fail_check(c_double, i, r);
    f.hold_id = id;
  }
  if (r.status == 201 || (twin && !f.hold_id.empty())) {  // the other click got the hold
    ++holds_;
    auto items = choose_items(i, f.hold_round, greedy);
    f.hold_tickets = 0;
    for (auto& it : items) f.hold_tickets += it.quantity;
    f.tickets += f.hold_tickets;
    ++checks_[c_limits].tried;
    if (f.tickets > e_.limits.per_account) fail_check(c_limits, i, r);
    if (f.replays) return go(i, step::replay);
    return go(i, step::pay, jitter(i, o_.pay, 0.5));
  }
  if (code == "sold_out") {
    if (greedy) return finish(i, "bought");
    if (++f.hold_round < 4) return go(i, step::hold, jitter(i, o_.think, 0.5) / 4);
    return finish(i, "sold out");
  }
  if (code == "limit_account" || code == "limit_session" || code == "limit_ceremony") {
    if (greedy) return finish(i, "bought");  // stopped at the limit, as it must be
    return unexpected(i, s, r);
  }
  if (code == "session_expired") return finish(i, "session expired");
  if (retry(i, r)) return;
  return unexpected(i, s, r);
}

void fan_engine::arrive(std::uint32_t i) {
  fan& f = fans_[i];
  fan_rng rng(o_.seed, i, 2);
  auto& room = room_of(i);
  const phase_config& p = *room.phase;
  int slot = plan_.slot[i] >= 0 ? plan_.slot[i] : 0;
  std::int64_t open = p.slots[static_cast<std::size_t>(slot)].start_ms * 1000;
  std::int64_t pre = std::min<std::int64_t>(p.pre_queue.count(), 10'000) * 1000;
  double u = rng.uniform();
  std::int64_t at;
  if (plan_.slot[i] >= 0 && u < o_.early && p.pre_queue.count() > 0) {
    f.early = true;
    at = open - p.pre_queue.count() * 1000 - static_cast<std::int64_t>(1'000'000 + rng.below(4'000'000));
  } else if (plan_.slot[i] >= 0 && u < o_.early + o_.pre_queue && pre > 0) {
    at = open - 1 - static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(pre)));
  } else {
    at = open + static_cast<std::int64_t>(-std::log(1.0 - rng.uniform()) * static_cast<double>(o_.spread.count()) * 1000.0);
  }
  double m = rng.uniform();
  if (m < o_.misbehave) f.q = static_cast<quirk>(1 + rng.below(4));
  f.confirms = rng.uniform() < o_.confirm;
  f.releases = rng.uniform() < 0.5;
  f.replays = rng.uniform() < o_.retry;
  f.next = step::join;
  schedule(i, at);
}

bool fan_engine::prepare(std::uint32_t i) {
  fan& f = fans_[i];
  if (f.next == step::done) return false;
  if (f.next == step::pay) {
    if (f.confirms) go(i, step::confirm);
    else if (f.releases) go(i, step::release);
    else finish(i, "walked away from the hold");
    return false;
  }
  if (f.next == step::state && o_.cdn) {
    auto& room = room_of(i);
    if (room.fetched_us && now_us() - room.fetched_us < 1'000'000) {  // max-age=1: the CDN answers
      ++cdn_hits_;
      f.sent_serving = room.serving;
      after_state(i);
      return false;
    }
  }
  if ((f.next == step::hold || f.next == step::greedy_hold) && f.pending == 0) {
    f.hold_id.clear();
    f.greedy = f.next == step::greedy_hold;
    if (f.q == quirk::double_click && f.hold_round == 0) {
      f.pending = 2;
      make_ready(i);  // the second click, at the same moment
    }
  }
  return true;
}

}  // namespace guichet::loadtest
