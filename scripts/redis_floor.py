#!/usr/bin/env python3
"""The floor under Redis' cost per fan on this machine (`make redis-cost`, part 3).

Beside the surge, on a private redis-server of its own (AOF on, as the surge's), with nothing of
the gateway in the way:
  1. lone round trips: one connection sends one command, waits for the answer, then waits for
     the next tick of RATE calls per second (the surge's own rate of Redis calls): PING and an
     empty script. Redis' CPU per call (its threads' time on a CPU from /proc/PID/task/*/schedstat,
     less what it spends idle over as long) is what a call costs Redis before any work, when each one arrives alone;
  2. the same empty script from 50 connections back to back (redis-benchmark -c 50): what it
     costs when Redis serves many calls per wake-up;
  3. inside Redis, hot (one connection, back to back): `usec_per_call` of an empty script, of a
     script making one HGET, and of the 1-ticket hold script itself (gateway/lua/hold.lua, on a
     live session, each call a new account, hold and Idempotency-Key); then the least a hold can
     cost: an empty script given the hold's keys and arguments, and one making only the writes
     every hold must make (the stock's two counts, the account's, the hold, its deadline).
Usage: redis_floor.py PORT RATE SECONDS CALLS_PER_FAN
"""
import os
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, '..', 'gateway', 'lua')


class Redis:
    def __init__(self, port):
        self.port = port
        self.s = socket.create_connection(('127.0.0.1', port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b''

    def call(self, *args):
        out = [b'*%d\r\n' % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b'$%d\r\n%s\r\n' % (len(a), a))
        self.s.sendall(b''.join(out))
        return self._reply()

    def _line(self):
        while b'\r\n' not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError('redis closed the connection')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b'+', b':'):
            return rest.decode()
        if kind == b'-':
            raise RuntimeError(rest.decode())
        if kind == b'$':
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        if kind == b'*':
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError('unexpected reply ' + line.decode())


def spliced(name):
    """A script with its `-- #include lib/x.lua` lines replaced, as cmake/embed_lua.cmake does."""
    text = open(os.path.join(LUA, name)).read()
    return re.sub(r'^-- #include (\S+)$', lambda m: open(os.path.join(LUA, m.group(1))).read(), text, flags=re.M)


def cpu_seconds(pid):
    """The process' time on a CPU, all its threads, in ns from /proc/PID/task/*/schedstat: clock
    ticks (utime + stime, 10 ms each) are too coarse for 200 calls of some 20 us."""
    total = 0
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            total += int(open('/proc/%d/task/%s/schedstat' % (pid, tid)).read().split()[0])
        except FileNotFoundError:  # a thread that ended since listdir
            pass
    return total / 1e9


def idle_cpu(pid, secs):
    c0 = cpu_seconds(pid)
    time.sleep(secs)
    return cpu_seconds(pid) - c0


def paced(r, pid, rate, secs, args, idle):
    """Calls `args` alone at `rate` per second for `secs`: Redis CPU µs per call, less idle."""
    gap, n = 1.0 / rate, 0
    c0 = cpu_seconds(pid)
    t0 = time.monotonic()
    due = t0
    while time.monotonic() - t0 < secs:
        r.call(*args)
        n += 1
        due += gap
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    used = cpu_seconds(pid) - c0 - idle * (time.monotonic() - t0) / secs
    return 1e6 * used / n, n


def usec_per_call(r, script):
    for line in r.call('INFO', 'commandstats').splitlines():
        if line.startswith('cmdstat_%s:' % script):
            return float(re.search(r'usec_per_call=([0-9.]+)', line).group(1))
    return float('nan')


def bench(port, n, clients, args):
    subprocess.run(['redis-benchmark', '-p', str(port), '-c', str(clients), '-n', str(n), '-r', '100000000', '-q']
                   + [str(a) for a in args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# The writes a 1-ticket hold cannot do without, the same four calls as hold.lua's, with no read, check or
# clock and no Idempotency-Key record: the category's available and held counts (constants here: nothing
# is read), the account's counts, the hold and its deadline.
FOUR_WRITES = """
redis.call('HSET', KEYS[7], 'a:A', '999999980000', 'h:A', '20000')
redis.call('HSET', KEYS[1], 's:' .. ARGV[11], 1, 'total', 1)
redis.call('HSET', KEYS[2], 'account', ARGV[2], 'phase', ARGV[3], 'status', 'held', 'items', 'S:A:1',
           'created_ms', '1796294378981', 'deadline_ms', '1796294978981')
redis.call('ZADD', KEYS[3], '1796294978981', ARGV[1])
return {'held', ARGV[1], '1796294978981'}
"""


def main():
    port, rate, secs, calls_per_fan = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    r = Redis(port)
    pid = int(re.search(r'process_id:(\d+)', r.call('INFO', 'server')).group(1))
    empty = r.call('SCRIPT', 'LOAD', 'return 1')
    hget = r.call('SCRIPT', 'LOAD', "return redis.call('HGET', KEYS[1], 'f')")
    hold = r.call('SCRIPT', 'LOAD', spliced('hold.lua'))
    idle = idle_cpu(pid, secs)

    print('   1. lone round trips, %.0f calls/s from one connection for %.0f s (Redis alone: %.2f %% of a core idle)'
          % (rate, secs, 100 * idle / secs))
    ping, n1 = paced(r, pid, rate, secs, ['PING'], idle)
    lone, n2 = paced(r, pid, rate, secs, ['EVALSHA', empty, 0], idle)
    print('      PING                  %7.1f us of Redis CPU per call (%d calls)' % (ping, n1))
    print('      EVALSHA return 1      %7.1f us of Redis CPU per call (%d calls)' % (lone, n2))
    floor = calls_per_fan * min(ping, lone)
    print('      x %.2f calls per admitted fan (the surge\'s) = %.0f us per fan before any script runs'
          % (calls_per_fan, floor))

    c0 = cpu_seconds(pid)
    bench(port, 200000, 50, ['EVALSHA', empty, 0])
    busy = 1e6 * (cpu_seconds(pid) - c0) / 200000
    print('   2. the same empty script, 50 connections back to back: %.1f us of Redis CPU per call' % busy)

    r.call('HSET', 'floor:sessions', 'a', 'sid')
    r.call('ZADD', 'floor:active', 9e15, 'a')
    r.call('HSET', 'floor:inv', 'a:A', 10 ** 12, 'h:A', 0)
    hold_args = ['EVALSHA', hold, 7, 'floor:acct:__rand_int__', 'floor:hold:__rand_int__', 'floor:deadlines',
                 'floor:idem:__rand_int__', 'floor:active', 'floor:sessions', 'floor:inv',
                 'h__rand_int__', 'a', 'p', 'sid', 600000, 600000, 'fp', 30, 1, 1, 'S', 'A', 1, 'S', 30, 's']
    writes = r.call('SCRIPT', 'LOAD', FOUR_WRITES)
    hot = []
    for label, args in (('empty script', ['EVALSHA', empty, 0]), ('one HGET', ['EVALSHA', hget, 1, 'floor:inv']),
                        ('hold, 1 ticket', hold_args), ('empty, the hold\'s arguments', [hold_args[0], empty] + hold_args[2:]),
                        ('the hold\'s writes alone', [hold_args[0], writes] + hold_args[2:])):
        r.call('CONFIG', 'RESETSTAT')
        bench(port, 20000, 1, args)
        hot.append((label, usec_per_call(r, 'evalsha')))
        if args is hold_args:
            held = int(r.call('HGET', 'floor:inv', 'h:A'))
    print('   3. inside Redis, hot (one connection, back to back): usec_per_call of')
    for label, us in hot:
        print('      %-30s %7.1f' % (label, us))
    print('      (the writes alone: %.0f %% of the hold; the arguments alone: %.0f %%)'
          % (100 * hot[4][1] / hot[2][1], 100 * hot[3][1] / hot[2][1]))
    if held < 19000:
        sys.exit('redis_floor: the hold script held %d seats in 20000 calls: it did not run as a hold' % held)
    print('      (it held %d seats in 20000 calls: each a new account, hold and key, but for the odd random repeat)'
          % held)


if __name__ == '__main__':
    main()
