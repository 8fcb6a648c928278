update --no-recommends fleet-testpkg=1.1-1.el9 fleet-epoch=2:1.2-1
