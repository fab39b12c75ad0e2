"""Checks shared by the direct-to-Kafka baseline and the through-kgw tests:
the same user-level assertions, pointed at a different bootstrap address."""

import os

from . import clients
from .data import assert_same_records, make_values
from .util import assert_no_backend_address

CLIENTS = ["kcat", "confluent", "kafka-python", "java"]

# Records per codec and client. kcat and confluent-kafka move 100k small
# records in seconds; kafka-python (pure Python) and a console-producer JVM
# on a shared 2-core machine are several times slower, so they move 20k.
RECORDS = {
    "kcat": int(os.environ.get("KGW_TEST_RECORDS", "100000")),
    "confluent": int(os.environ.get("KGW_TEST_RECORDS", "100000")),
    "kafka-python": int(os.environ.get("KGW_TEST_RECORDS_SLOW", "20000")),
    "java": int(os.environ.get("KGW_TEST_RECORDS_SLOW", "20000")),
}


def metadata(client, bootstrap):
    """The brokers a client sees: ({node_id: (host, port)}, every piece of
    text the client printed or returned)."""
    if client == "kcat":
        md, text = clients.kcat_metadata(bootstrap)
        return {b["id"]: tuple(b["name"].rsplit(":", 1)) for b in md["brokers"]}, text
    if client == "confluent":
        brokers, topics = clients.ck_metadata(bootstrap)
        return brokers, repr(brokers) + repr(topics)
    if client == "kafka-python":
        described, meta = clients.kp_describe_cluster(bootstrap)
        assert described == meta, "kafka-python: DescribeCluster %s != Metadata %s" % (described, meta)
        return meta, repr(described) + repr(meta)
    if client == "java":
        return clients.java_broker_versions(bootstrap)
    raise ValueError(client)


def normalise(brokers):
    return {int(k): (h, int(p)) for k, (h, p) in brokers.items()}


def check_metadata(client, bootstrap, expected, hidden_ports):
    """Asserts the client sees exactly `expected` {node_id: (host, port)} and
    no port of `hidden_ports` anywhere in what it printed."""
    brokers, text = metadata(client, bootstrap)
    assert normalise(brokers) == expected, "%s sees brokers %s, want %s" % (client, brokers, expected)
    assert_no_backend_address(text, hidden_ports, "%s metadata output" % client)


def produce(client, bootstrap, topic, values, codec):
    if client == "kcat":
        run = clients.kcat_produce(bootstrap, topic, values, codec)
        assert run.returncode == 0, "kcat -P exited %d: %s" % (run.returncode, run.stderr[-2000:])
        return run.stderr.decode("utf-8", "replace")
    if client == "confluent":
        errors = clients.ck_produce(bootstrap, topic, values, codec)
        assert not errors, "confluent-kafka delivery errors: %s" % errors[:5]
        return ""
    if client == "kafka-python":
        errors = clients.kp_produce(bootstrap, topic, values, codec)
        assert not errors, "kafka-python delivery errors: %s" % errors[:5]
        return ""
    if client == "java":
        run = clients.java_produce(bootstrap, topic, values, codec)
        return run.stdout + run.stderr
    raise ValueError(client)


def consume(client, bootstrap, topic, count):
    if client == "kcat":
        values, run = clients.kcat_consume(bootstrap, topic)
        assert run.returncode == 0, "kcat -C exited %d: %s" % (run.returncode, run.stderr[-2000:])
        return values, run.stderr.decode("utf-8", "replace")
    if client == "confluent":
        return clients.ck_consume(bootstrap, topic, count), ""
    if client == "kafka-python":
        return clients.kp_consume(bootstrap, topic, count), ""
    if client == "java":
        values, run = clients.java_consume(bootstrap, topic, count)
        return values, run.stderr
    raise ValueError(client)


def roundtrip(client, bootstrap, topic, codec, hidden_ports=(), count=None):
    """Produces RECORDS[client] values with `codec` and consumes them back
    with the same client; asserts nothing lost or duplicated (count, the
    index of every record, an order-independent checksum) and that no
    backend port shows up in the client's output."""
    n = count or RECORDS[client]
    values = make_values(topic, n)
    out = produce(client, bootstrap, topic, values, codec)
    got, err = consume(client, bootstrap, topic, n)
    assert_same_records(topic, values, got, "%s %s" % (client, codec))
    assert_no_backend_address(out + err, hidden_ports, "%s output" % client)


# api.version.request / broker.version.fallback variations kcat (librdkafka
# 2.0.2) uses against the mock cluster: from the ApiVersions handshake down to
# the pre-ApiVersions protocol of 0.9/0.10 brokers (MessageSet v0/v1).
MOCK_VARIANTS = {
    "apiversions": [],
    "fallback-0.10.0": ["-X", "api.version.request=false", "-X", "broker.version.fallback=0.10.0"],
    "fallback-0.11.0": ["-X", "api.version.request=false", "-X", "broker.version.fallback=0.11.0"],
    "fallback-2.0.0": ["-X", "api.version.request=false", "-X", "broker.version.fallback=2.0.0"],
}

# (variant, codec) pairs: every variant uncompressed, plus a codec each
# protocol generation can carry (MessageSet v1 for 0.10: gzip/snappy/lz4;
# record batches v2 from 0.11; zstd needs Produce v7, i.e. ApiVersions).
MOCK_CASES = [(v, "none") for v in sorted(MOCK_VARIANTS)] + [
    ("fallback-0.10.0", "lz4"),
    ("fallback-0.11.0", "snappy"),
    ("fallback-2.0.0", "gzip"),
    ("apiversions", "zstd"),
]


def mock_roundtrip(bootstrap, variant, codec="none", n=5000, hidden_ports=()):
    """kcat produce + consume of n records against the mock cluster (or kgw in
    front of it) with one api-version variant; no loss, no duplicate."""
    topic = clients.unique("mock-%s-%s" % (variant, codec))
    extra = MOCK_VARIANTS[variant]
    values = make_values(topic, n)
    run = clients.kcat_produce(bootstrap, topic, values, codec, extra=extra)
    assert run.returncode == 0, "kcat -P (%s) exited %d: %s" % (variant, run.returncode, run.stderr[-2000:])
    got, run = clients.kcat_consume(bootstrap, topic, extra=extra)
    assert run.returncode == 0, "kcat -C (%s) exited %d: %s" % (variant, run.returncode, run.stderr[-2000:])
    assert_same_records(topic, values, got, "kcat %s %s via mock cluster" % (variant, codec))
    assert_no_backend_address(run.stderr.decode("utf-8", "replace"), hidden_ports, "kcat -C (%s) output" % variant)
