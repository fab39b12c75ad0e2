"""Scenario 4: idempotent and transactional producers through kgw. An
idempotent producer writes every record exactly once; a transactional
producer's committed transactions are visible to read_committed consumers
and its aborted ones are not (read_uncommitted consumers see both)."""

import pytest

from kgwtest import clients
from kgwtest.data import assert_same_records, make_values


def test_idempotent_confluent(kafka, gw, topic):
    name = topic("idem-ck")
    values = make_values(name, 100000)
    errors = clients.ck_produce(gw.bootstrap, name, values, "lz4",
                                conf={"enable.idempotence": True, "max.in.flight.requests.per.connection": 5})
    assert not errors, errors[:5]
    assert_same_records(name, values, clients.ck_consume(gw.bootstrap, name, len(values)), "idempotent confluent")


def test_idempotent_kafka_python(kafka, gw, topic):
    name = topic("idem-kp")
    values = make_values(name, 20000)
    errors = clients.kp_produce(gw.bootstrap, name, values, "gzip", enable_idempotence=True)
    assert not errors, errors[:5]
    assert_same_records(name, values, clients.kp_consume(gw.bootstrap, name, len(values)), "idempotent kafka-python")


def test_idempotent_java_perf_producer(kafka, gw, topic):
    """kafka-producer-perf-test with enable.idempotence; the partitions'
    end offsets (kafka-get-offsets through kgw) add up to what was sent."""
    name = topic("idem-java")
    run = kafka.tool("kafka-producer-perf-test", "--topic", name, "--num-records", 50000, "--record-size", 100,
                     "--throughput", -1, "--producer-props", "bootstrap.servers=%s" % gw.bootstrap,
                     "enable.idempotence=true", "acks=all", "compression.type=zstd", timeout=180, check=True)
    assert "50000 records sent" in run.stdout, run.stdout
    offsets = kafka.tool("kafka-get-offsets", "--bootstrap-server", gw.bootstrap, "--topic", name, check=True)
    total = sum(int(l.rsplit(":", 1)[1]) for l in offsets.stdout.split() if l.startswith(name + ":"))
    assert total == 50000, offsets.stdout


def transact_confluent(bootstrap, name, committed, aborted):
    """Commits `committed[0]`, aborts `aborted`, commits `committed[1]`."""
    from confluent_kafka import Producer

    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": clients.unique("txn"), "linger.ms": 5})
    p.init_transactions(60)
    for batch, commit in ((committed[0], True), (aborted, False), (committed[1], True)):
        p.begin_transaction()
        for v in batch:
            p.produce(name, v)
        p.flush(60)
        if commit:
            p.commit_transaction(60)
        else:
            p.abort_transaction(60)


def transact_kafka_python(bootstrap, name, committed, aborted):
    from kafka import KafkaProducer

    p = KafkaProducer(bootstrap_servers=bootstrap.split(","), transactional_id=clients.unique("txn"),
                      linger_ms=5)
    try:
        p.init_transactions()
        for batch, commit in ((committed[0], True), (aborted, False), (committed[1], True)):
            p.begin_transaction()
            for v in batch:
                p.send(name, v)
            p.flush(60)
            if commit:
                p.commit_transaction()
            else:
                p.abort_transaction()
    finally:
        p.close(10)


@pytest.mark.parametrize("producer", ["confluent", "kafka-python"])
def test_transactions_commit_and_abort(kafka, gw, topic, producer):
    name = topic("txn-%s" % producer)
    ok = make_values(name, 2000)
    bad = make_values(name + "x", 1000)
    transact = transact_confluent if producer == "confluent" else transact_kafka_python
    transact(gw.bootstrap, name, (ok[:1000], ok[1000:]), bad)

    # read_committed sees exactly the committed records, with every client.
    got = clients.ck_consume(gw.bootstrap, name, len(ok), conf={"isolation.level": "read_committed"})
    assert_same_records(name, ok, got, "confluent read_committed")
    got = clients.kp_consume(gw.bootstrap, name, len(ok), isolation_level="read_committed")
    assert_same_records(name, ok, got, "kafka-python read_committed")
    got, _ = clients.java_consume(gw.bootstrap, name, len(ok) + len(bad),
                                  extra=("--isolation-level", "read_committed"), idle_ms=8000)
    assert_same_records(name, ok, got, "kafka-console-consumer read_committed")

    # read_uncommitted also sees the aborted records.
    got = clients.ck_consume(gw.bootstrap, name, len(ok) + len(bad), conf={"isolation.level": "read_uncommitted"})
    assert_same_records(name, ok, [v for v in got if v.startswith(name.encode() + b":")], "read_uncommitted ok")
    assert_same_records(name + "x", bad, [v for v in got if v.startswith(name.encode() + b"x:")],
                        "read_uncommitted aborted")
