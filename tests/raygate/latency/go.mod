module github.com/rolegate/rolegate/tests/raygate/latency

go 1.24
