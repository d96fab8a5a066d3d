#!/usr/bin/env python3
"""For load tests: registers N admitted shoppers in Redis (as the waiting room would) and prints
their access tokens, signed like guichet's (token_keyring). Key from $GUICHET_TOKEN_KEY.
usage: access_tokens.py REDIS_PORT EDITION PHASE N > tokens.txt"""
import base64, hashlib, hmac, os, subprocess, sys, time

def b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def resp(*args: str) -> bytes:
    out = b"*%d\r\n" % len(args)
    for a in args:
        e = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(e), e)
    return out

port, edition, phase, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
key = os.environ["GUICHET_TOKEN_KEY"].encode()
prefix = "guichet:{%s}:room:%s" % (edition, phase)
far = str(int(time.time() * 1000) + 86_400_000)  # active for a day: the bench never idles out
exp = str(int(time.time() * 1000) + 3_600_000)
cmds, tokens = [], []
for i in range(n):
    acct, sid = "load-%06d" % i, "s%06d" % i
    cmds.append(resp("HSET", prefix + ":sessions", acct, sid))
    cmds.append(resp("ZADD", prefix + ":active", far, acct))
    payload = "|".join(["a", "k1", edition, phase, acct, sid, exp]).encode()
    tokens.append(b64(payload) + "." + b64(hmac.new(key, payload, hashlib.sha256).digest()[:16]))
subprocess.run(["redis-cli", "-p", port, "--pipe"], input=b"".join(cmds), check=True, stdout=subprocess.DEVNULL)
print("\n".join(tokens))
