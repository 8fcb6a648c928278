update --no-recommends fleet-testpkg=1.0-1.el9
