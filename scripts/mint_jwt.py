#!/usr/bin/env python3
"""Mints an HS256 identity JWT as the organiser's login would: mint_jwt.py ACCOUNT [GROUP ...].
The key comes from $GUICHET_JWT_KEY (never from the command line, which other users can see)."""
import base64, hashlib, hmac, json, os, sys, time

def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

if len(sys.argv) < 2 or "GUICHET_JWT_KEY" not in os.environ:
    sys.exit("usage: GUICHET_JWT_KEY=... mint_jwt.py ACCOUNT [GROUP ...]")
claims = {"sub": sys.argv[1], "exp": int(time.time()) + 3600}
if len(sys.argv) > 2:
    claims["groups"] = sys.argv[2:]
signing = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
mac = hmac.new(os.environ["GUICHET_JWT_KEY"].encode(), signing.encode(), hashlib.sha256).digest()
print(signing + "." + b64(mac))
