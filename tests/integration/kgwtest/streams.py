"""Producers that stream records at a steady rate while something breaks
(a broker, kgw itself), for confluent-kafka, kafka-python and the Java
console producer, plus accessors common to every kind of group member."""

import logging
import subprocess
import threading
import time

from . import clients
from .cluster import CLUSTER_SH
from .groups import CkMember, JavaMember, KpMember


class CkProducer(threading.Thread):
    """confluent-kafka, acks=all, idempotent, at about `rate` records/s."""

    def __init__(self, bootstrap, topic, values, rate):
        super().__init__(daemon=True)
        from confluent_kafka import Producer

        self.logger, self.log = clients.ck_logger("restart-producer")
        self.errors, self.delivered, self.left = [], 0, None
        self.values, self.rate, self.topic = values, rate, topic
        self.producer = Producer(
            {
                "bootstrap.servers": bootstrap,
                "acks": "all",
                "enable.idempotence": True,
                "linger.ms": 10,
                "message.timeout.ms": 120000,
                "logger": self.logger,
                "error_cb": lambda err: self.errors.append("error_cb: %s" % err),
            }
        )

    def run(self):
        def report(err, msg):
            if err is not None:
                self.errors.append("delivery: %s" % err)
            else:
                self.delivered += 1

        start = time.monotonic()
        for i, v in enumerate(self.values):
            while True:
                try:
                    self.producer.produce(self.topic, v, on_delivery=report)
                    break
                except BufferError:
                    self.producer.poll(0.1)
            self.producer.poll(0)
            ahead = start + i / self.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        self.left = self.producer.flush(150)

    def visible_text(self):
        return "\n".join(self.errors) + "\n" + self.log.text()

    def failures(self):
        out = [e for e in self.errors if e.startswith("delivery")]
        if self.left:
            out.append("%d records undelivered" % self.left)
        return out


class KpProducer(threading.Thread):
    """kafka-python, acks=all, at about `rate` records/s; its log records
    (logger "kafka") are captured to check for leaked addresses."""

    def __init__(self, bootstrap, topic, values, rate):
        super().__init__(daemon=True)
        from kafka import KafkaProducer

        self.cap = clients.LogCapture()
        logging.getLogger("kafka").addHandler(self.cap)
        self.errors, self.delivered = [], 0
        self.values, self.rate, self.topic = values, rate, topic
        self.producer = KafkaProducer(
            bootstrap_servers=bootstrap.split(","),
            acks="all",
            linger_ms=10,
            retries=2147483647,
            delivery_timeout_ms=120000,
            request_timeout_ms=30000,
            max_in_flight_requests_per_connection=1,
        )

    def run(self):
        def ok(_):
            self.delivered += 1

        def failed(e):
            self.errors.append("delivery: %r" % e)

        start = time.monotonic()
        try:
            for i, v in enumerate(self.values):
                self.producer.send(self.topic, v).add_callback(ok).add_errback(failed)
                ahead = start + i / self.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            self.producer.flush(150)
        finally:
            self.producer.close(10)
            logging.getLogger("kafka").removeHandler(self.cap)

    def visible_text(self):
        return "\n".join(self.errors) + "\n" + self.cap.text()

    def failures(self):
        out = list(self.errors)
        if self.delivered != len(self.values):
            out.append("%d of %d records delivered" % (self.delivered, len(self.values)))
        return out


class JavaProducer(threading.Thread):
    """kafka-console-producer (acks=all) fed through its stdin at about
    `rate` lines/s; `delivered` counts lines written (the tool reports no
    acknowledgements), its stdout and stderr are what a user sees."""

    def __init__(self, bootstrap, topic, values, rate):
        super().__init__(daemon=True)
        self.values, self.rate = values, rate
        self.delivered = 0
        self.proc = subprocess.Popen(
            [CLUSTER_SH, "bin", "kafka-console-producer", "--bootstrap-server", bootstrap, "--topic", topic,
             "--producer-property", "acks=all", "--producer-property", "delivery.timeout.ms=120000"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
        self.out = b""

    def run(self):
        start = time.monotonic()
        for i, v in enumerate(self.values):
            self.proc.stdin.write(v + b"\n")
            if i % 50 == 0:
                self.proc.stdin.flush()
            self.delivered += 1
            ahead = start + i / self.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        out, err = self.proc.communicate(timeout=180)
        self.out = out + err

    def visible_text(self):
        return self.out.decode("utf-8", "replace")

    def failures(self):
        return [] if self.proc.returncode == 0 else ["kafka-console-producer exited %d: %s" % (
            self.proc.returncode, self.visible_text()[-2000:])]


def consumed(consumer):
    return consumer.values() if isinstance(consumer, JavaMember) else consumer.values


def consumer_text(consumer):
    if isinstance(consumer, JavaMember):
        with open(consumer.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    return "\n".join(consumer.errors + consumer.commit_failures)


def make_stream(client, bootstrap, topic, group, values, rate, workdir):
    """Returns (producer, consumer) for `client`: the producer streams
    `values` at `rate` records/s once started; the consumer is a member of
    `group` (confluent-kafka: KIP-848 protocol; kafka-python: classic; Java:
    a console consumer with group.protocol=consumer, already running)."""
    if client == "confluent":
        return (CkProducer(bootstrap, topic, values, rate),
                CkMember(bootstrap, group, topic, "consumer", "stream-consumer"))
    if client == "kafka-python":
        return KpProducer(bootstrap, topic, values, rate), KpMember(bootstrap, group, topic, "stream-consumer")
    if client == "java":
        return (JavaProducer(bootstrap, topic, values, rate),
                JavaMember(bootstrap, group, topic, "consumer", workdir, "stream-consumer"))
    raise ValueError(client)


def start_consumer(consumer):
    if not isinstance(consumer, JavaMember):
        consumer.start()


def progress(producer, consumer, values, run):
    """A one-line account of a stream for failure messages: sent, received,
    distinct, missing (first few), the consumer's partitions."""
    from .data import Summary

    got = consumed(consumer)
    missing = Summary(run, got).missing(len(values))
    assignment = sorted(getattr(consumer, "assignment", ()) or ())
    return "producer sent %d of %d; consumer received %d (%d distinct), %d missing (first %s), assignment %s" % (
        producer.delivered, len(values), len(got), len(set(got)), len(missing), missing[:5], assignment)
