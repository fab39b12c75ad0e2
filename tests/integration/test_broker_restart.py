"""Scenario 6: a backend broker stopped and restarted while a producer
(acks=all) and a consumer group stream through kgw: both recover through
kgw, no record is lost, and no backend address shows up in what the clients
log or report. Clients: confluent-kafka (idempotent producer, KIP-848
consumer), kafka-python (classic group) and the Java console producer and
consumer."""

import pytest

from kgwtest import clients
from kgwtest.data import Summary, make_values
from kgwtest.streams import consumed, consumer_text, make_stream, progress, start_consumer
from kgwtest.util import assert_no_backend_address, wait_for

RECORDS = 12000
RATE = 400  # records/s: the stream lasts 30 s, the broker is down for ~10 s of it
VICTIM = 2


@pytest.mark.parametrize("client", ["confluent", "kafka-python", "java"])
def test_broker_restart_mid_stream(kafka, gw, topic, tmp_path, client):
    name = topic("restart-%s" % client, partitions=6)
    group = clients.unique("restart-group")
    values = make_values(name, RECORDS)
    producer, consumer = make_stream(client, gw.bootstrap, name, group, values, RATE, str(tmp_path))
    try:
        start_consumer(consumer)
        producer.start()
        wait_for(lambda: producer.delivered >= 1500, 60, what="1500 records sent before the stop")
        # The stream is flowing end to end (the member joined its group and
        # reads) before the broker goes away.
        wait_for(lambda: len(consumed(consumer)) >= 200, 60, what="the consumer to read before the stop")
        kafka.stop_node(VICTIM)
        mark = producer.delivered
        wait_for(lambda: producer.delivered >= mark + 1500, 90,
                 what="1500 more records sent with node %d down" % VICTIM)
        kafka.start_node(VICTIM)
        producer.join(240)
        assert not producer.is_alive(), "the producer still runs 240 s after the broker came back"
        try:
            wait_for(lambda: len(set(consumed(consumer))) >= len(values), 120,
                     what="the consumer to read all %d records" % len(values))
        except AssertionError as e:
            raise AssertionError("%s: %s" % (e, progress(producer, consumer, values, name))) from None
    finally:
        kafka.ensure_running()
        consumer.leave()
    assert not producer.failures(), producer.failures()[:5]
    s = Summary(name, consumed(consumer))
    missing = s.missing(len(values))
    assert not missing, "lost %d records (first %s)" % (len(missing), missing[:5])
    # Everything the clients said, errors and logs included, names only
    # gateway addresses.
    assert_no_backend_address(producer.visible_text() + "\n" + consumer_text(consumer), gw.hidden_ports,
                              "%s errors and logs during the broker restart" % client)
    md, text = clients.kcat_metadata(gw.bootstrap)
    assert len(md["brokers"]) == kafka.nodes
    assert_no_backend_address(text, gw.hidden_ports, "kcat -L after the restart")
