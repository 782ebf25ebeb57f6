module github.com/rolegate/rolegate/bindings/go

go 1.24
