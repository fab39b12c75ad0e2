"""Scenario 5: admin operations through kgw with Kafka's Java command-line
tools (kafka-topics, kafka-configs, kafka-consumer-groups) and with the
confluent-kafka and kafka-python admin clients: create and delete topics,
describe and alter configs, list and describe groups."""

import re

from kgwtest import clients
from kgwtest.util import assert_no_backend_address, wait_for


def make_group(bootstrap, topic, group, n=50):
    """A consumer group that consumed and committed `n` records."""
    errors = clients.ck_produce(bootstrap, topic, [b"g%d" % i for i in range(n)])
    assert not errors, errors[:5]
    got = clients.ck_consume(bootstrap, topic, n, conf={"group.id": group, "enable.auto.commit": True,
                                                        "auto.commit.interval.ms": 100})
    assert len(got) == n


def test_java_admin_tools(kafka, gw):
    b = gw.bootstrap
    name = clients.unique("jadmin")
    outputs = []

    def tool(*args):
        run = kafka.tool(*args, check=True)
        outputs.append(run.stdout + run.stderr)
        return run.stdout

    assert "Created topic %s." % name in tool("kafka-topics", "--bootstrap-server", b, "--create", "--topic", name,
                                               "--partitions", 4, "--replication-factor", 3)
    wait_for(lambda: name in tool("kafka-topics", "--bootstrap-server", b, "--list").split(), 30,
             what="%s in kafka-topics --list" % name)
    described = tool("kafka-topics", "--bootstrap-server", b, "--describe", "--topic", name)
    assert "PartitionCount: 4" in described and "ReplicationFactor: 3" in described, described
    assert len(re.findall(r"Partition: \d+\s+Leader: [123]\s", described)) == 4, described

    tool("kafka-configs", "--bootstrap-server", b, "--alter", "--entity-type", "topics", "--entity-name", name,
         "--add-config", "retention.ms=3600000,max.message.bytes=2000000")
    configs = tool("kafka-configs", "--bootstrap-server", b, "--describe", "--entity-type", "topics",
                   "--entity-name", name)
    assert "retention.ms=3600000" in configs and "max.message.bytes=2000000" in configs, configs
    tool("kafka-configs", "--bootstrap-server", b, "--alter", "--entity-type", "topics", "--entity-name", name,
         "--delete-config", "retention.ms")
    configs = tool("kafka-configs", "--bootstrap-server", b, "--describe", "--entity-type", "topics",
                   "--entity-name", name)
    assert "retention.ms=3600000" not in configs and "max.message.bytes=2000000" in configs, configs
    brokers = tool("kafka-configs", "--bootstrap-server", b, "--describe", "--entity-type", "brokers",
                   "--entity-name", 1)
    assert "Dynamic configs for broker 1" in brokers, brokers

    group = clients.unique("jadmin-group")
    make_group(b, name, group)
    wait_for(lambda: group in tool("kafka-consumer-groups", "--bootstrap-server", b, "--list").split(), 30,
             what="%s in kafka-consumer-groups --list" % group)
    desc = tool("kafka-consumer-groups", "--bootstrap-server", b, "--describe", "--group", group)
    # GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ... for each
    # partition the group committed: all 50 records, nothing lagging.
    rows = [l.split() for l in desc.splitlines() if l.startswith(group + " ")]
    assert rows and all(r[1] == name and r[5] == "0" for r in rows), desc
    assert sum(int(r[3]) for r in rows) == 50, desc
    assert "Deletion of requested consumer groups ('%s') was successful." % group in tool(
        "kafka-consumer-groups", "--bootstrap-server", b, "--delete", "--group", group)

    tool("kafka-topics", "--bootstrap-server", b, "--delete", "--topic", name)
    wait_for(lambda: name not in tool("kafka-topics", "--bootstrap-server", b, "--list").split(), 60,
             what="%s gone from kafka-topics --list" % name)
    assert_no_backend_address("\n".join(outputs), gw.hidden_ports, "Java admin tools' output")


def test_confluent_admin_client(kafka, gw):
    from confluent_kafka import ConsumerGroupState
    from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic,
                                       ResourceType)

    admin = AdminClient({"bootstrap.servers": gw.bootstrap})
    name = clients.unique("ckadmin")
    admin.create_topics([NewTopic(name, 5, 3, config={"cleanup.policy": "delete", "segment.ms": "3600000"})])[name].result(60)
    wait_for(lambda: name in admin.list_topics(timeout=10).topics, 30, what="%s listed" % name)
    assert len(admin.list_topics(topic=name, timeout=10).topics[name].partitions) == 5

    res = ConfigResource(ResourceType.TOPIC, name)
    admin.incremental_alter_configs([ConfigResource(
        ResourceType.TOPIC, name,
        incremental_configs=[ConfigEntry("retention.ms", "7200000", incremental_operation=AlterConfigOpType.SET)])
    ])[ConfigResource(ResourceType.TOPIC, name)].result(60)

    def described():
        configs = admin.describe_configs([res])[res].result(60)
        return configs if configs["retention.ms"].value == "7200000" else None

    # Any broker may answer; a config change reaches every broker shortly.
    configs = wait_for(described, 30, what="retention.ms=7200000 in describe_configs")
    assert configs["segment.ms"].value == "3600000"

    cluster = admin.describe_cluster(request_timeout=30).result(60)
    assert {(n.id, n.host, n.port) for n in cluster.nodes} == {
        (i, "127.0.0.1", gw.broker_port(i)) for i in range(1, kafka.nodes + 1)}

    group = clients.unique("ckadmin-group")
    make_group(gw.bootstrap, name, group)
    listed = admin.list_consumer_groups(request_timeout=30).result(60)
    assert group in {g.group_id for g in listed.valid}, listed.valid
    desc = admin.describe_consumer_groups([group], request_timeout=30)[group].result(60)
    assert desc.state == ConsumerGroupState.EMPTY
    assert (desc.coordinator.host, desc.coordinator.port) == ("127.0.0.1", gw.broker_port(desc.coordinator.id))
    admin.delete_consumer_groups([group], request_timeout=30)[group].result(60)

    admin.delete_topics([name], operation_timeout=60)[name].result(60)
    wait_for(lambda: name not in admin.list_topics(timeout=10).topics, 60, what="%s deleted" % name)


def test_kafka_python_admin_client(kafka, gw):
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=gw.bootstrap.split(","), request_timeout_ms=60000)
    try:
        name = clients.unique("kpadmin")
        admin.create_topics([NewTopic(name, 2, 3, topic_configs={"retention.ms": "5400000"})])
        wait_for(lambda: name in admin.list_topics(), 30, what="%s listed" % name)
        res = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
        assert "'retention.ms': '5400000'" in repr(res) or "5400000" in repr(res), res
        group = clients.unique("kpadmin-group")
        make_group(gw.bootstrap, name, group)
        listed = [g for g in admin.list_groups() if g["group_id"] == group]
        assert listed and listed[0]["group_state"] == "Empty", admin.list_groups()
        described = admin.describe_groups([group])[group]
        assert described["group_state"] == "Empty" and described["error"] is None, described
        assert admin.delete_groups([group]) == {group: "OK"}
        admin.delete_topics([name])
        wait_for(lambda: name not in admin.list_topics(), 60, what="%s deleted" % name)
    finally:
        admin.close()
