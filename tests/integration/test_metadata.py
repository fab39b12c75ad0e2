"""Scenario 1: metadata through kgw shows only gateway addresses, for every
client, and no backend port appears anywhere in what a client can see."""

import re

import pytest

from kgwtest import clients, scenarios
from kgwtest.util import assert_no_backend_address, wait_for


def gateway_brokers(gw, kafka):
    return {i: ("127.0.0.1", gw.broker_port(i)) for i in range(1, kafka.nodes + 1)}


@pytest.mark.parametrize("client", scenarios.CLIENTS)
def test_metadata_shows_only_gateway_addresses(kafka, gw, client):
    scenarios.check_metadata(client, gw.bootstrap, gateway_brokers(gw, kafka), gw.hidden_ports)


def test_kcat_metadata_of_a_topic_names_gateway_leaders(kafka, gw, topic):
    name = topic("md", partitions=6)
    md, text = clients.kcat_metadata(gw.bootstrap, ["-t", name])
    (t,) = [t for t in md["topics"] if t["topic"] == name]
    assert len(t["partitions"]) == 6
    assert {p["leader"] for p in t["partitions"]} <= set(range(1, kafka.nodes + 1))
    assert md["originating_broker"]["name"].split("/")[0] in {
        "127.0.0.1:%d" % p for p in [gw.bootstrap_port] + [gw.broker_port(i) for i in range(1, kafka.nodes + 1)]
    }
    assert_no_backend_address(text, gw.hidden_ports, "kcat -L -t output")


def test_group_coordinator_is_a_gateway_address(kafka, gw, topic):
    """FindCoordinator: kafka-consumer-groups --describe --state prints the
    coordinator's host:port; it must be a gateway port."""
    name = topic("coord")
    group = clients.unique("coord-group")
    clients.ck_produce(gw.bootstrap, name, [b"x"] * 10)
    got = clients.ck_consume(gw.bootstrap, name, 10, conf={"group.id": group, "enable.auto.commit": True})
    assert len(got) == 10
    run = kafka.tool("kafka-consumer-groups", "--bootstrap-server", gw.bootstrap, "--describe", "--state",
                     "--group", group, check=True)
    m = re.search(r"127\.0\.0\.1:(\d+)\s+\((\d+)\)", run.stdout)
    assert m, "no coordinator in kafka-consumer-groups output:\n%s" % run.stdout
    assert int(m.group(1)) == gw.broker_port(int(m.group(2))), run.stdout
    assert_no_backend_address(run.stdout + run.stderr, gw.hidden_ports, "kafka-consumer-groups --describe --state")


def test_describe_cluster_and_quorum_hide_backend(kafka, gw):
    """kafka-cluster and kafka-metadata-quorum (DescribeCluster and
    DescribeQuorum) print node addresses; none may be a backend address."""
    ids = kafka.tool("kafka-cluster", "cluster-id", "--bootstrap-server", gw.bootstrap, check=True)
    assert "Cluster ID:" in ids.stdout
    quorum = kafka.tool("kafka-metadata-quorum", "--bootstrap-server", gw.bootstrap, "describe", "--status",
                        check=True)
    assert re.search(r"LeaderId:\s+\d+", quorum.stdout), quorum.stdout
    assert_no_backend_address(ids.stdout + ids.stderr + quorum.stdout + quorum.stderr, gw.hidden_ports,
                              "kafka-cluster / kafka-metadata-quorum output")


def test_metadata_stays_rewritten_after_refresh(kafka, gw):
    """Clients refresh metadata periodically; every refresh is rewritten."""
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": gw.bootstrap, "topic.metadata.refresh.interval.ms": 500})
    seen = []

    def refreshed():
        md = admin.list_topics(timeout=10)
        seen.append({b.id: (b.host, b.port) for b in md.brokers.values()})
        return len(seen) >= 5

    wait_for(refreshed, 30, interval=0.5, what="5 metadata refreshes")
    for brokers in seen:
        assert brokers == gateway_brokers(gw, kafka)
