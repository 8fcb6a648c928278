install --no-recommends -t patch FLEET-2026:0002
