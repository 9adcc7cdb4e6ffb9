# Starts a Sentinel of docker-compose.ha.yml: `start-sentinel.sh <its service name> <the first
# primary's service name> <every Sentinel's service name>…`. The first start writes
# /data/sentinel.conf from the template, monitoring the primary the other Sentinels name (the
# first primary if none answers: a new cluster); later starts read what the Sentinel last wrote
# there (the current primary, the replicas and the other Sentinels).
set -eu
self=$1
master=$2
shift 2
if [ ! -f /data/sentinel.conf ]; then
  for other in "$@"; do
    [ "$other" = "$self" ] && continue
    m=$(timeout 3 redis-cli -h "$other" -p 26379 --raw \
      sentinel get-master-addr-by-name cqfleet 2>/dev/null | head -n 1) || true
    # A host name, not an empty answer (no Sentinel there yet) or an error.
    case "$m" in '' | *' '*) ;; *) master=$m && break ;; esac
  done
  sed -e "s/@SELF@/$self/" -e "s/@MASTER@/$master/" /config/sentinel.conf >/data/sentinel.conf.new
  mv /data/sentinel.conf.new /data/sentinel.conf
fi
exec docker-entrypoint.sh redis-server /data/sentinel.conf --sentinel
