"""The four kinds of Kafka clients the tests drive, each as a user would:
kcat (Debian's librdkafka 2.0.2), confluent-kafka (its bundled, newest
librdkafka), kafka-python (pure Python) and Kafka's own Java command-line
tools (the Java client of Kafka 4.4.0)."""

import json
import logging
import re
import subprocess
import time
import uuid

from .cluster import java_tool

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


# ---------------------------------------------------------------- kcat


def kcat(args, input=None, timeout=120):
    """Runs kcat with `args`; returns the CompletedProcess (bytes)."""
    return subprocess.run(["kcat"] + list(args), input=input, capture_output=True, timeout=timeout)


def kcat_metadata(bootstrap, extra=()):
    """kcat -L -J: returns (parsed JSON, raw stdout+stderr text)."""
    run = kcat(["-b", bootstrap, "-L", "-J", "-m", "15"] + list(extra), timeout=60)
    text = run.stdout.decode("utf-8", "replace") + run.stderr.decode("utf-8", "replace")
    assert run.returncode == 0, "kcat -L failed (%d): %s" % (run.returncode, text[-2000:])
    return json.loads(run.stdout), text


def kcat_produce(bootstrap, topic, values, codec="none", extra=(), timeout=180):
    """Produces `values` (bytes, no newlines) one per line; returns the
    CompletedProcess. kcat exits non-zero when a delivery failed."""
    args = ["-b", bootstrap, "-P", "-t", topic, "-z", codec, "-X", "linger.ms=20"] + list(extra)
    return kcat(args, input=b"\n".join(values) + b"\n", timeout=timeout)


def kcat_consume(bootstrap, topic, extra=(), timeout=180):
    """Reads `topic` from the beginning to its current end (-e); returns
    (values, CompletedProcess)."""
    args = ["-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n"] + list(extra)
    run = kcat(args, timeout=timeout)
    values = [v for v in run.stdout.split(b"\n") if v]
    return values, run


# ---------------------------------------------------------------- confluent-kafka


class LogCapture(logging.Handler):
    """A logging handler keeping every message, to check client logs."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def text(self):
        return "\n".join(self.lines)


def ck_logger(name):
    logger = logging.getLogger("ck.%s" % name)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    cap = LogCapture()
    logger.addHandler(cap)
    return logger, cap


def ck_conf(bootstrap, **extra):
    conf = {"bootstrap.servers": bootstrap, "socket.connection.setup.timeout.ms": 10000}
    conf.update({k.replace("_", "."): v for k, v in extra.items()})
    return conf


def ck_produce(bootstrap, topic, values, codec="none", timeout=180, conf=None, errors=None):
    """Produces `values` with confluent-kafka (acks=all); returns the list of
    delivery errors (empty on success)."""
    from confluent_kafka import Producer

    c = {"bootstrap.servers": bootstrap, "compression.type": codec, "linger.ms": 20, "acks": "all"}
    c.update(conf or {})
    failed = errors if errors is not None else []

    def report(err, msg):
        if err is not None:
            failed.append(str(err))

    p = Producer(c)
    for v in values:
        while True:
            try:
                p.produce(topic, v, on_delivery=report)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    left = p.flush(timeout)
    if left:
        failed.append("%d records still undelivered after %d s" % (left, timeout))
    return failed


def ck_consume(bootstrap, topic, count, timeout=180, conf=None, settle=1.0):
    """Consumes `topic` from the beginning with a fresh group until `count`
    records arrived (then `settle` more seconds to catch duplicates) or
    `timeout`; returns the values."""
    from confluent_kafka import Consumer, KafkaError

    c = {
        "bootstrap.servers": bootstrap,
        "group.id": unique("ck-reader"),
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    }
    c.update(conf or {})
    consumer = Consumer(c)
    consumer.subscribe([topic])
    values = []
    deadline = time.monotonic() + timeout
    settle_until = None
    try:
        while time.monotonic() < deadline:
            if settle_until is None and len(values) >= count:
                settle_until = time.monotonic() + settle
            if settle_until is not None and time.monotonic() >= settle_until:
                break
            for m in consumer.consume(num_messages=1000, timeout=0.5):
                if m.error():
                    if m.error().code() != KafkaError._PARTITION_EOF:
                        raise AssertionError("consumer error: %s" % m.error())
                    continue
                values.append(m.value())
    finally:
        consumer.close()
    return values


def ck_metadata(bootstrap, conf=None):
    """Returns {node_id: (host, port)} as confluent-kafka's AdminClient sees
    them, plus the topic names."""
    from confluent_kafka.admin import AdminClient

    admin = AdminClient(dict({"bootstrap.servers": bootstrap}, **(conf or {})))
    md = admin.list_topics(timeout=30)
    brokers = {b.id: (b.host, b.port) for b in md.brokers.values()}
    return brokers, sorted(md.topics)


def ck_create_topic(bootstrap, topic, partitions=3, replication=-1, config=None, timeout=60):
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    fut = admin.create_topics(
        [NewTopic(topic, num_partitions=partitions, replication_factor=replication, config=config or {})],
        operation_timeout=timeout,
        request_timeout=timeout,
    )
    fut[topic].result(timeout=timeout)
    # Wait until every partition has a leader, as seen by this client.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        md = admin.list_topics(topic=topic, timeout=10)
        t = md.topics.get(topic)
        if t is not None and t.error is None and len(t.partitions) == partitions and all(
            p.leader >= 0 for p in t.partitions.values()
        ):
            return
        time.sleep(0.2)
    raise AssertionError("topic %s has no leader for every partition after %d s" % (topic, timeout))


# ---------------------------------------------------------------- kafka-python


def kp_produce(bootstrap, topic, values, codec="none", timeout=180, **extra):
    """Produces with kafka-python (acks=all); returns delivery errors."""
    from kafka import KafkaProducer

    p = KafkaProducer(
        bootstrap_servers=bootstrap.split(","),
        compression_type=None if codec == "none" else codec,
        acks="all",
        linger_ms=20,
        batch_size=65536,
        request_timeout_ms=30000,
        **extra
    )
    futures = [p.send(topic, v) for v in values]
    p.flush(timeout=timeout)
    failed = []
    for f in futures:
        if f.failed():
            failed.append(repr(f.exception))
        elif not f.is_done:
            failed.append("not delivered")
    p.close(timeout=10)
    return failed


def kp_consume(bootstrap, topic, count, timeout=180, settle=1.0, **extra):
    """Consumes `topic` from the beginning (no group) with kafka-python until
    `count` records (+`settle` s) or `timeout`; returns the values."""
    from kafka import KafkaConsumer, TopicPartition

    c = KafkaConsumer(
        bootstrap_servers=bootstrap.split(","),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_bytes=8 * 1024 * 1024,
        **extra
    )
    deadline = time.monotonic() + timeout
    parts = None
    while parts is None and time.monotonic() < deadline:
        parts = c.partitions_for_topic(topic)
        if parts is None:
            time.sleep(0.2)
    assert parts, "kafka-python sees no partitions for %s" % topic
    c.assign([TopicPartition(topic, p) for p in sorted(parts)])
    c.seek_to_beginning()
    values = []
    settle_until = None
    try:
        while time.monotonic() < deadline:
            if settle_until is None and len(values) >= count:
                settle_until = time.monotonic() + settle
            if settle_until is not None and time.monotonic() >= settle_until:
                break
            for records in c.poll(timeout_ms=500, max_records=5000).values():
                values.extend(r.value for r in records)
    finally:
        c.close()
    return values


def kp_describe_cluster(bootstrap):
    """kafka-python's admin view: {node_id: (host, port)} from
    DescribeCluster, and from the client's metadata."""
    from kafka import KafkaConsumer
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(","), request_timeout_ms=30000)
    try:
        dc = admin.describe_cluster()
    finally:
        admin.close()
    described = {b["broker_id"]: (b["host"], b["port"]) for b in dc["brokers"]}
    c = KafkaConsumer(bootstrap_servers=bootstrap.split(","))
    try:
        c.topics()
        meta = {b.node_id: (b.host, b.port) for b in c._client.cluster.brokers()}
    finally:
        c.close()
    return described, meta


# ---------------------------------------------------------------- Java tools


def java_produce(bootstrap, topic, values, codec="none", timeout=240):
    """kafka-console-producer (acks=all) with compression `codec`."""
    return java_tool(
        "kafka-console-producer",
        "--bootstrap-server",
        bootstrap,
        "--topic",
        topic,
        "--producer-property",
        "compression.type=%s" % codec,
        "--producer-property",
        "acks=all",
        "--producer-property",
        "linger.ms=20",
        input=b"\n".join(values).decode() + "\n",
        timeout=timeout,
        check=True,
    )


def java_consume(bootstrap, topic, count, timeout=240, extra=(), idle_ms=30000):
    """kafka-console-consumer from the beginning, `count` records at most;
    returns (values, CompletedProcess). It stops early after `idle_ms`
    without a record."""
    run = java_tool(
        "kafka-console-consumer",
        "--bootstrap-server",
        bootstrap,
        "--topic",
        topic,
        "--from-beginning",
        "--max-messages",
        count,
        "--timeout-ms",
        idle_ms,
        *extra,
        timeout=timeout
    )
    values = [v.encode() for v in run.stdout.split("\n") if v]
    return values, run


BROKER_LINE = re.compile(r"^(\S+):(\d+) \(id: (\d+) rack: \S+ isFenced: (\w+)\)", re.M)


def java_broker_versions(bootstrap):
    """kafka-broker-api-versions: returns ({node_id: (host, port)}, raw text)."""
    run = java_tool("kafka-broker-api-versions", "--bootstrap-server", bootstrap, timeout=120, check=True)
    brokers = {int(m.group(3)): (m.group(1), int(m.group(2))) for m in BROKER_LINE.finditer(run.stdout)}
    return brokers, run.stdout + run.stderr
