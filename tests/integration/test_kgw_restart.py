"""Scenario 7: kgw restarted (SIGTERM, exit 0, started again on the same
ports) in the middle of a stream: long-lived producers and consumer-group
members of every client reconnect and continue, and nothing is lost."""

import pytest

from kgwtest import clients
from kgwtest.data import Summary, make_values
from kgwtest.streams import consumed, make_stream, progress, start_consumer
from kgwtest.util import wait_for

RECORDS = 6000
RATE = 400  # records/s: a 15 s stream, kgw restarted about 4 s in


@pytest.mark.parametrize("client", ["confluent", "kafka-python", "java"])
def test_clients_continue_across_kgw_restart(kafka, gw, topic, tmp_path, client):
    name = topic("gwrestart-%s" % client, partitions=3)
    values = make_values(name, RECORDS)
    producer, consumer = make_stream(client, gw.bootstrap, name, clients.unique("gwrestart"), values, RATE,
                                     str(tmp_path))
    try:
        start_consumer(consumer)
        producer.start()
        wait_for(lambda: producer.delivered >= 1500, 60, what="1500 records sent before the restart")
        wait_for(lambda: len(consumed(consumer)) >= 500, 60, what="the consumer to read before the restart")
        gw.restart()
        before = len(consumed(consumer))
        producer.join(240)
        assert not producer.is_alive(), "the producer still runs 240 s after kgw restarted"
        try:
            wait_for(lambda: len(set(consumed(consumer))) >= len(values), 120,
                     what="the consumer to read all %d records after the kgw restart" % len(values))
        except AssertionError as e:
            raise AssertionError("%s: %s" % (e, progress(producer, consumer, values, name))) from None
        assert len(consumed(consumer)) > before
    finally:
        consumer.leave()
    assert not producer.failures(), producer.failures()[:5]
    missing = Summary(name, consumed(consumer)).missing(len(values))
    assert not missing, "lost %d records (first %s)" % (len(missing), missing[:5])
    assert gw.exit_codes == [0] or gw.name == "direct", "kgw exit codes %s" % gw.exit_codes
