update --no-recommends fleet-post=1.1-1
