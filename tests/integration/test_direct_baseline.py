"""The harness proven against Kafka itself, no kgw: the same metadata and
produce/consume checks as scenarios 1 and 2, pointed directly at the real
cluster and at librdkafka's mock cluster. If these fail, the harness or the
machine is at fault, not kgw."""

import pytest

from kgwtest import clients, scenarios


@pytest.mark.parametrize("client", scenarios.CLIENTS)
def test_metadata_direct(kafka, client):
    expected = {i: ("127.0.0.1", kafka.broker_port(i)) for i in range(1, kafka.nodes + 1)}
    brokers, _ = scenarios.metadata(client, kafka.bootstrap)
    assert scenarios.normalise(brokers) == expected


@pytest.mark.parametrize("codec", clients.CODECS)
@pytest.mark.parametrize("client", scenarios.CLIENTS)
def test_produce_consume_direct(kafka, topic, client, codec):
    scenarios.roundtrip(client, kafka.bootstrap, topic("direct-%s-%s" % (client, codec)), codec)


@pytest.mark.parametrize("variant,codec", scenarios.MOCK_CASES)
def test_mock_cluster_direct(mock_cluster, variant, codec):
    scenarios.mock_roundtrip(mock_cluster.bootstrap, variant, codec)


def test_mock_cluster_direct_metadata(mock_cluster):
    md, _ = clients.kcat_metadata(mock_cluster.bootstrap)
    assert {b["id"]: b["name"] for b in md["brokers"]} == {
        i + 1: "127.0.0.1:%d" % p for i, p in enumerate(mock_cluster.broker_ports)
    }
