#!/usr/bin/env bash
# Builds the Revela image on a fresh Amazon Linux 2023 (x86_64) build instance, as root:
#   Node.js 24, LibRaw's dcraw_emu, PostgreSQL server (for the API's EBS mode), the CloudWatch agent,
#   the built application in /opt/revela, and two disabled systemd units:
#   revela-api (reads /etc/revela/api.env) and revela-batch-worker (reads /etc/revela/worker.env).
# The same image serves the API instance and the batch workers (workerAmiId / apiAmiId).
#
# Usage (see infra/README.md, "Build the image"):
#   sudo REVELA_SOURCE=/tmp/revela bash build-ami.sh
# REVELA_SOURCE is a checkout (or `git archive`) of the repository at the commit to deploy.
set -euo pipefail

REVELA_SOURCE=${REVELA_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
LIBRAW_VERSION=${LIBRAW_VERSION:-0.21.3}
LIBRAW_SHA256=${LIBRAW_SHA256:-}   # set it to pin the tarball
HERE=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" = 0 ] || { echo 'run as root' >&2; exit 1; }
grep -q 'Amazon Linux 2023' /etc/os-release || { echo 'expects Amazon Linux 2023' >&2; exit 1; }

dnf -y upgrade --refresh
dnf -y install nodejs24 nodejs24-npm amazon-cloudwatch-agent logrotate tar gzip \
  gcc-c++ make libjpeg-turbo-devel zlib-devel lcms2-devel
# Node 24 becomes /usr/bin/node (AL2023 names each major version node-NN and picks one with alternatives).
alternatives --set node /usr/bin/node-24 2>/dev/null || true
node --version | grep -q '^v24\.' || { echo 'node 24 is not the active node' >&2; exit 1; }

# PostgreSQL for the API's EBS mode (the newest major AL2023 offers).
for major in 17 16 15; do
  if dnf -y install "postgresql${major}-server"; then break; fi
done
systemctl disable postgresql 2>/dev/null || true
# The RDS certificate authorities, for the API's RDS mode (DATABASE_URL names this file).
install -d /etc/pki/revela
curl -fsSL -o /etc/pki/revela/rds-global-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem

# LibRaw's dcraw_emu (AL2023 has no package for it): built from the release tarball.
if ! command -v dcraw_emu >/dev/null; then
  work=$(mktemp -d)
  curl -fsSL -o "$work/libraw.tar.gz" "https://www.libraw.org/data/LibRaw-${LIBRAW_VERSION}.tar.gz"
  if [ -n "$LIBRAW_SHA256" ]; then echo "$LIBRAW_SHA256  $work/libraw.tar.gz" | sha256sum -c -; fi
  tar -xzf "$work/libraw.tar.gz" -C "$work"
  (cd "$work/LibRaw-${LIBRAW_VERSION}" && ./configure --prefix=/usr/local --disable-openmp && make -j"$(nproc)" && make install)
  echo /usr/local/lib > /etc/ld.so.conf.d/libraw.conf && ldconfig
  rm -rf "$work"
fi
command -v dcraw_emu >/dev/null || { echo 'dcraw_emu was not installed' >&2; exit 1; }

# The application: built once here, production dependencies only.
id revela >/dev/null 2>&1 || useradd --system --home-dir /opt/revela --shell /sbin/nologin revela
build=$(mktemp -d)
cp -a "$REVELA_SOURCE/." "$build/"
(cd "$build" && npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev)
rm -rf /opt/revela && install -d -o root -g root /opt/revela
cp -a "$build/dist" "$build/node_modules" "$build/package.json" /opt/revela/
rm -rf "$build"

install -d -m 0750 -o root -g revela /etc/revela
install -d -m 0750 -o revela -g revela /var/lib/revela /var/lib/revela/scratch /var/log/revela
install -m 0644 "$HERE/revela-api.service" /etc/systemd/system/revela-api.service
install -m 0644 "$HERE/revela-batch-worker.service" /etc/systemd/system/revela-batch-worker.service
install -m 0644 "$HERE/revela.logrotate" /etc/logrotate.d/revela
systemctl daemon-reload
# Neither unit is enabled: each instance's user data starts the one it is for.
systemctl disable revela-api revela-batch-worker 2>/dev/null || true

# Leave no build-time state in the image.
dnf clean all
rm -rf /root/.npm /tmp/* /var/log/revela/* /etc/revela/*.env
cloud-init clean --logs 2>/dev/null || true
echo "Revela image ready: node $(node --version), $(dcraw_emu 2>&1 | head -1 || true)"
