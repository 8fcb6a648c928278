patch --category security --no-recommends
