update --no-recommends fleet-broken=1.1-1
