#!/usr/bin/env python3
"""Compare kgw's codec with Kafka's Java codec (the last step of tools/codec-diff.sh).

    compare.py DIR

DIR holds what the Java generator wrote (messages.tsv, batches.tsv), what
kgw_codec_dump wrote (messages-kgw.tsv, batches-kgw.tsv) and what Kafka read
back from kgw's batches (batches-kgw-java.tsv). Checks, per message: kgw
decoded Kafka's bytes, re-encoded them to the same bytes, and printed JSON equal
(same JSON types and values, key order ignored) to Kafka's canonical JSON; kgw
decoded the whole frame (size, header, body), found the same header values and
re-encoded the same frame bytes. Per
record batch: kgw's view of Kafka's batch equals Kafka's; kgw's rebuild and its
header edit hold the same records; Kafka reads kgw's rebuilt and edited bytes
back to what kgw says they hold.

Prints a summary and the first difference of each failing message (grouped, at
most --show per group); writes every failure to DIR/mismatches.txt. Exit status
0 when everything matched, 1 otherwise, 2 on bad input.
"""

import argparse
import base64
import collections
import json
import os
import sys

MISSING = object()


def json_type(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def first_diff(java, kgw, path="$", ignore=()):
    """The first difference between two parsed JSON values as (path, java, kgw), or None.

    Values must have the same JSON type (True is not 1, 1.0 is not 1); object keys
    are compared as sets, arrays element by element. Keys named in ignore are skipped
    at every depth."""
    tj, tk = json_type(java), json_type(kgw)
    if tj != tk:
        return (path, java, kgw)
    if tj == "object":
        for k in sorted(set(java) | set(kgw)):
            if k in ignore:
                continue
            a, b = java.get(k, MISSING), kgw.get(k, MISSING)
            if a is MISSING or b is MISSING:
                return (path + "." + k, "<absent>" if a is MISSING else a,
                        "<absent>" if b is MISSING else b)
            d = first_diff(a, b, path + "." + k, ignore)
            if d:
                return d
        return None
    if tj == "array":
        for i, (a, b) in enumerate(zip(java, kgw)):
            d = first_diff(a, b, "%s[%d]" % (path, i), ignore)
            if d:
                return d
        if len(java) != len(kgw):
            return (path + ".length", len(java), len(kgw))
        return None
    return None if java == kgw else (path, java, kgw)


def short(v, n=80):
    s = v if isinstance(v, str) and v.startswith("<") else json.dumps(v, ensure_ascii=True)
    return s if len(s) <= n else s[: n - 3] + "..."


def read_tsv(path, nfields):
    rows = {}
    with open(path, encoding="utf-8", newline="\n") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != nfields:
                raise ValueError("%s line %d: expected %d tab-separated fields, got %d"
                                 % (path, lineno, nfields, len(parts)))
            rows[parts[0]] = parts
    return rows


def generalise(path):
    """$.topics[2].partitions[0].x -> $.topics[].partitions[].x (to group failures)."""
    out, skip = [], False
    for ch in path:
        if ch == "[":
            out.append("[]")
            skip = True
        elif ch == "]":
            skip = False
        elif not skip:
            out.append(ch)
    return "".join(out)


def compare_messages(d, report):
    java = read_tsv(os.path.join(d, "messages.tsv"), 9)
    kgw = read_tsv(os.path.join(d, "messages-kgw.tsv"), 5)
    keys, combos = set(), set()
    statuses = collections.Counter()
    groups = collections.OrderedDict()
    failed = 0
    for seq, (_, key, ver, direction, name, _b64, jjson, _frame, jheader) in java.items():
        keys.add(int(key))
        combos.add((int(key), int(ver), direction))
        where = "%s v%s (api key %s, %s)" % (name, ver, key, direction)
        row = kgw.get(seq)
        problem = None
        if row is None:
            problem = ("missing", "kgw_codec_dump wrote no line for message %s" % seq)
        else:
            _, status, detail, kjson, kheader = row
            statuses[status] += 1
            if status != "ok":
                problem = (status, detail)
            elif kheader == "null":
                problem = ("no-header", "kgw described no frame header")
            else:
                try:
                    diff = first_diff(json.loads(jheader), json.loads(kheader))
                except ValueError as e:
                    diff, problem = None, ("header-json-invalid", "kgw's header JSON does not "
                                           "parse: %s: %s" % (e, short(kheader)))
                if diff:
                    problem = ("header-differs:" + diff[0], "at %s Kafka has %s, kgw has %s"
                               % (diff[0], short(diff[1]), short(diff[2])))
            if kjson == "null":
                if problem is None:
                    problem = ("no-json", "kgw printed no JSON")
            else:
                try:
                    kval = json.loads(kjson)
                except ValueError as e:
                    kval, problem = None, ("json-invalid", "kgw's JSON does not parse: %s" % e)
                if kval is not None:
                    diff = first_diff(json.loads(jjson), kval)
                    if diff and problem is None:
                        problem = ("json-differs:" + generalise(diff[0]),
                                   "at %s Kafka has %s, kgw has %s"
                                   % (diff[0], short(diff[1]), short(diff[2])))
                    elif diff:
                        statuses["json-differs-too"] += 1
        if problem:
            failed += 1
            kind, text = problem
            line = "message %s %s: %s: %s" % (seq, where, kind, text)
            groups.setdefault((name, direction, kind), []).append(line)
            report.append(line)
    return len(java), len(keys), len(combos), failed, statuses, groups


HEADER_ADDED = {"key": base64.b64encode(b"kgw-diff").decode(),
                "value": base64.b64encode(b"1").decode()}


def expected_rebuilt(java_dump):
    """What kgw_batch_build() must hold after rebuilding from Java's records: the same
    batch with offsets renumbered from the base (the builder writes offsetDelta = index)."""
    out = json.loads(json.dumps(java_dump))
    for b in out:
        for i, r in enumerate(b["records"]):
            r["offset"] = b["baseOffset"] + i
        b["lastOffsetDelta"] = max(len(b["records"]) - 1, 0)
    return out


def expected_edited(java_dump):
    out = json.loads(json.dumps(java_dump))
    for b in out:
        if b["control"]:
            continue
        for r in b["records"]:
            r["headers"].append(dict(HEADER_ADDED))
    return out


def compare_batches(d, report):
    java = read_tsv(os.path.join(d, "batches.tsv"), 5)
    kgw = read_tsv(os.path.join(d, "batches-kgw.tsv"), 8)
    back = read_tsv(os.path.join(d, "batches-kgw-java.tsv"), 3)
    per_codec = collections.Counter()
    failed = collections.Counter()
    groups = collections.OrderedDict()

    def fail(seq, codec, kind, what):
        failed[codec] += 1
        msg = "batch %s (%s, %s): %s" % (seq, codec, kind, what)
        groups.setdefault((codec, kind, what.split(":")[0]), []).append(msg)
        report.append(msg)

    for seq, (_, codec, kind, _b64, jdump) in java.items():
        per_codec[codec] += 1
        jd = json.loads(jdump)
        row = kgw.get(seq)
        if row is None:
            fail(seq, codec, kind, "missing: kgw_codec_dump wrote no line")
            continue
        _, status, detail, orig, rebuilt, edited, _rb, _eb = row
        if status != "ok":
            fail(seq, codec, kind, "%s: %s" % (status, detail))
            if status in ("error", "crash"):
                continue
        diff = first_diff(jd, json.loads(orig))
        if diff:
            fail(seq, codec, kind, "kgw reads Kafka's batch differently: at %s Kafka has %s, kgw "
                 "has %s" % (diff[0], short(diff[1]), short(diff[2])))
            continue
        control = jd[0]["control"]
        log_append = jd[0]["timestampType"] == "LogAppendTime"
        # crc and batchLength depend on the compressed bytes; kgw verified its CRCs and
        # Kafka re-checks them below. Log-append-time rebuilds: kgw's builder takes the
        # record timestamps, not Kafka's log append time.
        ignore = {"crc", "batchLength"}
        if log_append:
            ignore |= {"timestamp", "maxTimestamp"}
        if control or jd[0]["deleteHorizonMs"] is not None:
            if rebuilt != "null":
                fail(seq, codec, kind, "rebuilt: kgw rebuilt a control or delete-horizon batch")
        else:
            diff = first_diff(expected_rebuilt(jd), json.loads(rebuilt), ignore=ignore)
            if diff:
                fail(seq, codec, kind, "rebuilt batch differs: at %s expected %s, kgw has %s"
                     % (diff[0], short(diff[1]), short(diff[2])))
        diff = first_diff(expected_edited(jd), json.loads(edited),
                          ignore=set() if control else {"crc", "batchLength"})
        if diff:
            fail(seq, codec, kind, "edited batch differs: at %s expected %s, kgw has %s"
                 % (diff[0], short(diff[1]), short(diff[2])))
        brow = back.get(seq)
        if brow is None:
            fail(seq, codec, kind, "missing: Kafka did not read kgw's batches back")
            continue
        for label, mine, kafka in (("rebuilt", rebuilt, brow[1]), ("edited", edited, brow[2])):
            kv = json.loads(kafka)
            if isinstance(kv, dict) and "error" in kv:
                fail(seq, codec, kind, "Kafka cannot read kgw's %s batch: %s" % (label, kv["error"]))
                continue
            diff = first_diff(kv, json.loads(mine))
            if diff:
                fail(seq, codec, kind, "Kafka reads kgw's %s batch differently: at %s Kafka has "
                     "%s, kgw has %s" % (label, diff[0], short(diff[1]), short(diff[2])))
    return per_codec, failed, groups


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--show", type=int, default=2, help="failures shown per group")
    ap.add_argument("--groups", type=int, default=60, help="failure groups shown")
    a = ap.parse_args()
    report = []
    try:
        n, nkeys, ncombos, mfailed, statuses, mgroups = compare_messages(a.dir, report)
        per_codec, bfailed, bgroups = compare_batches(a.dir, report)
    except (OSError, ValueError, KeyError) as e:
        print("compare.py: %s" % e, file=sys.stderr)
        return 2
    with open(os.path.join(a.dir, "mismatches.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(report) + ("\n" if report else ""))

    shown = 0
    for groups in (mgroups, bgroups):
        for gk, items in groups.items():
            if shown >= a.groups:
                break
            shown += 1
            print("FAIL x%d %s" % (len(items), " / ".join(str(x) for x in gk)))
            for line in items[: a.show]:
                print("    " + line)
    if len(mgroups) + len(bgroups) > shown:
        print("... %d more failure groups in %s" % (len(mgroups) + len(bgroups) - shown,
                                                    os.path.join(a.dir, "mismatches.txt")))
    print("codec-diff: %d messages across %d api keys and %d (key,version,direction) combos "
          "compared: %d matched, %d failed" % (n, nkeys, ncombos, n - mfailed, mfailed))
    print("codec-diff: kgw statuses: %s" % ", ".join("%s %d" % kv for kv in sorted(statuses.items())))
    print("codec-diff: record batches per codec: %s; failed: %s" % (
        ", ".join("%s %d" % kv for kv in per_codec.items()),
        ", ".join("%s %d" % kv for kv in bfailed.items()) or "none"))
    print("codec-diff: compressed bytes are not compared across implementations (two correct "
          "compressors may differ); Kafka reads kgw's recompressed batches back instead")
    return 0 if mfailed == 0 and not bfailed else 1


if __name__ == "__main__":
    sys.exit(main())
