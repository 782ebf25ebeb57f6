module github.com/rolegate/rolegate/examples/raygate

go 1.24

require github.com/rolegate/rolegate/bindings/go v0.0.0-00010101000000-000000000000

replace github.com/rolegate/rolegate/bindings/go => ../../bindings/go
