#!/usr/bin/env bash
# Installs what building and testing kgw needs on a fresh Debian machine:
# the C toolchain and libraries from Debian packages, Java 17 and Maven for
# the Kafka cluster and the codec's differential test, kcat and librdkafka.
# Idempotent: packages already present are not fetched again.
# Usage: tools/install-deps.sh            (needs root or sudo for apt-get)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang llvm clang-format
  libevent-dev libssl-dev libyaml-dev check
  zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev
  librdkafka-dev kcat
  openjdk-17-jdk-headless maven
  python3 python3-venv python3-pip
  valgrind curl ca-certificates openssl procps iproute2 unzip
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all packages present" >&2
