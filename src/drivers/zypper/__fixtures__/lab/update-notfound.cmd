update --no-recommends fleet-lib=9.9-1
