ZYPP_LOCK_TIMEOUT=3 update --no-recommends fleet-broken=1.1-1
