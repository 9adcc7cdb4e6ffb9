# Starts a Redis data node of docker-compose.ha.yml: `start-redis.sh <its service name>
# [<the primary's service name>]`. The first start writes /data/redis.conf (a replica of the
# primary when one is named); later starts read what Sentinel last wrote there (it rewrites the
# file when it promotes or re-points a node), so a node comes back in the role Sentinel gave it.
# A former primary that was down during a failover comes back as a primary and is turned into a
# replica by the Sentinels within seconds; the services never write to it (they ask the
# Sentinels where the primary is).
set -eu
self=$1
primary=${2:-}
if [ ! -f /data/redis.conf ]; then
  {
    cat /config/redis.conf
    # Sentinel and the other nodes know this node by name (its IP changes when it is recreated).
    echo "replica-announce-ip $self"
    if [ -n "$primary" ]; then echo "replicaof $primary 6379"; fi
  } >/data/redis.conf.new
  mv /data/redis.conf.new /data/redis.conf
fi
# The image's entry point hands /data to the redis user and drops root.
exec docker-entrypoint.sh redis-server /data/redis.conf
