"""Scenario 3: a consumer group of 3 members through kgw, with the classic
protocol and the KIP-848 consumer protocol (group.protocol=consumer): the
members split the partitions, rebalance when one leaves, commit, and a new
member resumes from the committed offsets."""

import re

import pytest

from kgwtest import clients
from kgwtest.data import Summary, make_values
from kgwtest.groups import CkMember, JavaMember, KpMember, balanced
from kgwtest.util import wait_for

PARTITIONS = 6


def produce_spread(bootstrap, topic, values):
    """Produces values round-robin over every partition (acks=all)."""
    from confluent_kafka import Producer

    failed = []
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    for i, v in enumerate(values):
        p.produce(topic, v, partition=i % PARTITIONS,
                  on_delivery=lambda err, msg: failed.append(str(err)) if err else None)
        p.poll(0)
    assert p.flush(60) == 0 and not failed, "produce failed: %s" % failed[:5]


def received(members):
    out = []
    for m in members:
        out.extend(m.values)
    return out


def check_exactly(run, values, got, commit_failures, label):
    """No record lost; duplicates only if a commit failed (the next owner
    then re-reads from the last committed offset, as Kafka specifies)."""
    s = Summary(run, got)
    missing = s.missing(len(values))
    assert not missing, "%s: %d of %d records never consumed (first %s)" % (label, len(missing), len(values),
                                                                            missing[:5])
    if not commit_failures:
        assert not s.duplicates(), "%s: records consumed twice with every commit successful: %s" % (
            label, s.duplicates()[:10])


def run_group(gw, topic, make_member):
    name = topic("group", partitions=PARTITIONS)
    group = clients.unique("group")
    first = make_values(name, 600)
    members = [make_member(gw.bootstrap, group, name, "m%d" % i) for i in range(3)]
    leaver = members[2]
    try:
        for m in members:
            m.start()
        wait_for(lambda: balanced(members, PARTITIONS), 90, what="3 members sharing %d partitions 2/2/2" % PARTITIONS)
        assert all(len(m.assignment) == 2 for m in members), [sorted(m.assignment) for m in members]

        produce_spread(gw.bootstrap, name, first)
        wait_for(lambda: len(received(members)) >= len(first), 60, what="600 records consumed by the group")
        assert all(m.values for m in members), "a member received nothing: %s" % [len(m.values) for m in members]

        leaver.leave()
        stayers = members[:2]
        wait_for(lambda: balanced(stayers, PARTITIONS), 90, what="2 remaining members sharing 6 partitions 3/3")

        second = make_values(name + "b", 600)
        produce_spread(gw.bootstrap, name, second)
        wait_for(lambda: len([v for v in received(stayers) if v.startswith(name.encode() + b"b:")]) >= 600, 60,
                 what="600 more records consumed after the rebalance")
    finally:
        for m in members:
            if m.is_alive():
                m.leave()
    failures = [f for m in members for f in m.commit_failures]
    errors = [e for m in members for e in m.errors]
    assert not errors, "consumer errors: %s" % errors[:5]
    got = received(members)
    check_exactly(name, first, [v for v in got if v.startswith(name.encode() + b":")], failures, "before leave")
    check_exactly(name + "b", second, [v for v in got if v.startswith(name.encode() + b"b:")], failures,
                  "after leave")

    # Resume: records produced while nobody consumed go to a new member,
    # and nothing committed earlier is read again.
    third = make_values(name + "c", 300)
    produce_spread(gw.bootstrap, name, third)
    late = make_member(gw.bootstrap, group, name, "late")
    late.start()
    try:
        wait_for(lambda: len(late.values) >= 300, 90, what="the resuming member to read 300 new records")
    finally:
        late.leave()
    assert all(v.startswith(name.encode() + b"c:") for v in late.values), (
        "the resuming member re-read committed records: %s" % [v[:40] for v in late.values
                                                                if not v.startswith(name.encode() + b"c:")][:5])
    check_exactly(name + "c", third, late.values, late.commit_failures, "resume")


@pytest.mark.parametrize("protocol", ["classic", "consumer"])
def test_confluent_group(kafka, gw, topic, protocol):
    run_group(gw, topic, lambda b, g, t, n: CkMember(b, g, t, protocol, n))


def test_kafka_python_group_classic(kafka, gw, topic):
    run_group(gw, topic, lambda b, g, t, n: KpMember(b, g, t, n))


def describe_members(kafka, gw, group):
    """kafka-consumer-groups --describe --members through kgw: a list of
    each member's partition count."""
    run = kafka.tool("kafka-consumer-groups", "--bootstrap-server", gw.bootstrap, "--describe", "--members",
                     "--group", group)
    lines = [l.split() for l in run.stdout.splitlines() if l.strip()]
    header = next((l for l in lines if "#PARTITIONS" in l), None)
    if header is None:
        return []
    idx = header.index("#PARTITIONS")
    return [int(l[idx]) for l in lines if l and l[0] == group and len(l) > idx and re.match(r"^\d+$", l[idx])]


@pytest.mark.parametrize("protocol", ["classic", "consumer"])
def test_java_console_consumer_group(kafka, gw, topic, tmp_path, protocol):
    name = topic("jgroup", partitions=PARTITIONS)
    group = clients.unique("jgroup")
    members = [JavaMember(gw.bootstrap, group, name, protocol, str(tmp_path), "java%d" % i) for i in range(3)]
    try:
        wait_for(lambda: sorted(describe_members(kafka, gw, group)) == [2, 2, 2], 120, interval=1,
                 what="3 Java members with 2 partitions each")
        first = make_values(name, 600)
        produce_spread(gw.bootstrap, name, first)
        wait_for(lambda: sum(len(m.values()) for m in members) >= 600, 60, interval=0.5,
                 what="600 records consumed by the Java members")
        members[2].leave()
        wait_for(lambda: sorted(describe_members(kafka, gw, group)) == [3, 3], 120, interval=1,
                 what="2 Java members with 3 partitions each")
        second = make_values(name + "b", 600)
        produce_spread(gw.bootstrap, name, second)
        wait_for(lambda: sum(len([v for v in m.values() if v.startswith(name.encode() + b"b:")])
                             for m in members[:2]) >= 600, 60, interval=0.5,
                 what="600 more records after the rebalance")
    finally:
        for m in members:
            m.leave()
    got = [v for m in members for v in m.values()]
    # Console consumers auto-commit, so a rebalance may redeliver: count losses only.
    check_exactly(name, first, [v for v in got if v.startswith(name.encode() + b":")], ["auto-commit"], "java")
    check_exactly(name + "b", second, [v for v in got if v.startswith(name.encode() + b"b:")], ["auto-commit"],
                  "java after leave")
    lag = kafka.tool("kafka-consumer-groups", "--bootstrap-server", gw.bootstrap, "--describe", "--group", group,
                     check=True)
    rows = [l.split() for l in lag.stdout.splitlines() if l.startswith(group + " ")]
    assert len(rows) == PARTITIONS, lag.stdout
    # GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...: everything committed.
    assert all(r[3] == r[4] and r[5] == "0" for r in rows), "uncommitted records after close:\n%s" % lag.stdout
