#!/usr/bin/env bash
# Installs what gitwire needs on a fresh Debian machine and builds the BPF
# objects. Idempotent and quick when everything is already there, so npm's
# pre-hooks can call it before every start and test.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pair in clang:clang llc:llvm bpftool:bpftool etcd:etcd-server ip:iproute2 ping:iputils-ping nc:netcat-openbsd \
  iperf3:iperf3 nft:nftables iptables:iptables git:git make:make ssh-keygen:openssh-client gpg:gnupg curl:curl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need_apt+=("${pair#*:}")
done
[ -f /usr/include/bpf/bpf_helpers.h ] || need_apt+=(libbpf-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

make -s -C bpf

npx tsc -p tsconfig.build.json
# bin/gitwire.js runs the bundled CLI: one chunk per command instead of ~370 modules to resolve at start.
node scripts/bundle-cli.mjs

# Pinned maps and links live in bpffs; mount it where the machine has not (as Cilium's agent does).
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
