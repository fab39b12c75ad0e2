"""Scenario 2: produce and consume through kgw with every compression codec
and every client; nothing lost or duplicated (count, every record's index,
checksum of values), and no backend port in the clients' output.
kcat and confluent-kafka move 100k records per codec; kafka-python and the
Java console tools 20k (KGW_TEST_RECORDS / KGW_TEST_RECORDS_SLOW)."""

import pytest

from kgwtest import clients, scenarios
from kgwtest.data import assert_same_records, make_values


@pytest.mark.parametrize("codec", clients.CODECS)
@pytest.mark.parametrize("client", scenarios.CLIENTS)
def test_produce_consume_through_kgw(kafka, gw, topic, client, codec):
    scenarios.roundtrip(client, gw.bootstrap, topic("kgw-%s-%s" % (client, codec)), codec, gw.hidden_ports)


@pytest.mark.parametrize(
    "producer,consumer,codec",
    [("kcat", "java", "zstd"), ("java", "confluent", "snappy"), ("confluent", "kafka-python", "lz4"),
     ("kafka-python", "kcat", "gzip")],
)
def test_cross_client_through_kgw(kafka, gw, topic, producer, consumer, codec):
    """Batches written by one client library are read intact by another."""
    name = topic("cross-%s-%s" % (producer, consumer))
    values = make_values(name, 20000)
    scenarios.produce(producer, gw.bootstrap, name, values, codec)
    got, _ = scenarios.consume(consumer, gw.bootstrap, name, len(values))
    assert_same_records(name, values, got, "%s -> %s (%s)" % (producer, consumer, codec))


def test_large_records_through_kgw(kafka, gw, topic):
    """Records near the default 1 MB limit pass whole."""
    name = topic("large", partitions=1)
    values = [(b"%s:%07d:" % (name.encode(), i)) + bytes([65 + i % 26]) * 900000 for i in range(20)]
    errors = clients.ck_produce(gw.bootstrap, name, values, "none", conf={"linger.ms": 0})
    assert not errors, errors
    got = clients.ck_consume(gw.bootstrap, name, len(values))
    assert_same_records(name, values, got, "900 kB records")
