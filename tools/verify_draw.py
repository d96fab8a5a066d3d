#!/usr/bin/python3
"""Independent verifier of a guichet draw (algorithm guichet-draw-v1), Python 3 standard library
only. Recomputes the draw from the published registrant list and the revealed seed, and checks
the commitment, the registrant list hash, and the winners CSV bit for bit.

usage: guichet-verify-draw DRAW_DIR   (installed by the package; from the repository:
       python3 tools/verify_draw.py DRAW_DIR). DRAW_DIR holds registrants.tsv, winners.csv, audit.json.
exit 0 when everything matches, 1 with the reason otherwise."""
import hashlib, json, sys
from datetime import datetime, timezone


class Stream:
    """SHA-256(seed || uint64_be(i)), each block read as four big-endian uint64 words."""

    def __init__(self, seed: bytes):
        self.seed, self.counter, self.words = seed, 0, []

    def next(self) -> int:
        if not self.words:
            block = hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
            self.words = [int.from_bytes(block[i:i + 8], "big") for i in range(0, 32, 8)]
        return self.words.pop(0)

    def below(self, n: int) -> int:
        reject = (1 << 64) % n
        while True:
            x = self.next()
            if reject == 0 or x < (1 << 64) - reject:
                return x % n


def shuffle(pool, stream):
    for i in range(len(pool) - 1, 0, -1):
        j = stream.below(i + 1)
        pool[i], pool[j] = pool[j], pool[i]


def draw(registrants, slots, stream):
    placed, winners = set(), []

    def fill(pool, group):
        shuffle(pool, stream)
        k = 0
        for si, s in enumerate(slots):
            if s["group"] != group:
                continue
            c = 0
            while c < s["capacity"] and k < len(pool):
                winners.append((pool[k], si))
                placed.add(pool[k])
                c += 1
                k += 1

    for g in sorted({s["group"] for s in slots if s["group"]}):
        fill([i for i, (_, groups) in enumerate(registrants) if i not in placed and g in groups], g)
    fill([i for i in range(len(registrants)) if i not in placed], "")
    return winners


def fail(why):
    print("draw NOT verified: " + why)
    sys.exit(1)


def main():
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    audit = json.load(open(d + "/audit.json"))
    tsv = open(d + "/registrants.tsv", "rb").read()
    csv = open(d + "/winners.csv", "rb").read()
    seed = bytes.fromhex(audit["seed"])
    if hashlib.sha256(seed).hexdigest() != audit["commitment"]:
        fail("the seed does not match the commitment")
    if hashlib.sha256(tsv).hexdigest() != audit["registrants_sha256"]:
        fail("registrants.tsv does not match registrants_sha256")
    registrants = []
    for line in tsv.decode().splitlines():
        account, groups = line.split("\t")
        registrants.append((account, set(groups.split(",")) if groups else set()))
    accounts = [a for a, _ in registrants]
    if accounts != sorted(accounts, key=lambda a: a.encode()) or len(set(accounts)) != len(accounts):
        fail("registrants are not in canonical order or repeat")
    winners = draw(registrants, audit["slots"], Stream(seed))
    lines = ["account,slot,slot_start,slot_end,rank"]
    for rank, (r, si) in enumerate(winners, 1):
        s = audit["slots"][si]
        lines.append(f"{registrants[r][0]},{s['id']},{s['start']},{s['end']},{rank}")
    expected = ("\n".join(lines) + "\n").encode()
    if expected != csv:
        fail("winners.csv differs from the recomputed draw")
    if hashlib.sha256(csv).hexdigest() != audit["result_sha256"]:
        fail("winners.csv does not match result_sha256")
    if audit["winners"] != len(winners) or audit["not_drawn"] != len(registrants) - len(winners):
        fail("the counts in audit.json are wrong")
    print(f"draw verified: {len(winners)} winners, {len(registrants) - len(winners)} not drawn, "
          f"result {audit['result_sha256']}")


if __name__ == "__main__":
    main()
