"""Helpers for kgw's integration tests: a real Kafka cluster, librdkafka's mock
cluster, the kgw process, the clients (kcat, confluent-kafka, kafka-python,
Kafka's Java command-line tools) and record data with checksums."""
