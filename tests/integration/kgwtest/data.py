"""Record values that make loss and duplication visible: every value carries
its index, and a batch of received values is summarised by count, the set
of indices and an order-independent checksum."""

import hashlib
import zlib


def make_values(run, count, size=100):
    """Returns `count` distinct ASCII values of about `size` bytes, each
    "run:index:padding"; the padding is derived from the index and is
    compressible like real data (repeated words), so codecs have work."""
    words = [b"alpha", b"bravo", b"charlie", b"delta", b"echo", b"foxtrot", b"golf"]
    values = []
    for i in range(count):
        head = ("%s:%07d:" % (run, i)).encode()
        pad = b"".join(words[(i + k) % len(words)] for k in range(size // 6 + 1))
        values.append((head + pad)[:size] if size > len(head) else head)
    return values


def checksum(values):
    """Order-independent checksum of an iterable of bytes values: the sha256
    of the sorted crc32s, so equal multisets give equal checksums."""
    crcs = sorted(zlib.crc32(v) for v in values)
    h = hashlib.sha256()
    for c in crcs:
        h.update(c.to_bytes(4, "big"))
    return h.hexdigest()


class Summary:
    """What a user checks after a transfer: how many, which, and a checksum."""

    def __init__(self, run, values):
        values = list(values)
        self.count = len(values)
        self.checksum = checksum(values)
        self.indices = []
        self.foreign = 0
        prefix = ("%s:" % run).encode()
        for v in values:
            if v.startswith(prefix):
                self.indices.append(int(v.split(b":")[1]))
            else:
                self.foreign += 1

    def missing(self, expected_count):
        got = set(self.indices)
        return [i for i in range(expected_count) if i not in got]

    def duplicates(self):
        seen, dups = set(), []
        for i in self.indices:
            if i in seen:
                dups.append(i)
            seen.add(i)
        return dups


def assert_same_records(run, sent, received, label):
    """Asserts `received` (bytes values) holds exactly the `sent` values:
    same count, no index missing or duplicated, same checksum."""
    s = Summary(run, sent)
    r = Summary(run, received)
    missing = r.missing(s.count)
    dups = r.duplicates()
    assert not missing and not dups and r.foreign == 0 and r.count == s.count, (
        "%s: sent %d records, received %d: %d missing (first %s), %d duplicated (first %s), "
        "%d not from this run"
        % (label, s.count, r.count, len(missing), missing[:5], len(dups), dups[:5], r.foreign)
    )
    assert r.checksum == s.checksum, "%s: checksum of received values %s != sent %s" % (
        label,
        r.checksum,
        s.checksum,
    )
