update --no-recommends fleet-lib=2.1-1
