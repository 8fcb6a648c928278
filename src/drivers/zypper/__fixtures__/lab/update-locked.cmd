update --no-recommends fleet-held=1.1-1
